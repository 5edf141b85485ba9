"""Answers (remissvar): drafts shared by an organisation, immutable submitted versions."""
