"""E-mail: the outbox of messages to recipients and officers, and their delivery."""
