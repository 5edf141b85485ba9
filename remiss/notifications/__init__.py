"""E-mail: composing messages (``messages``), recording them once in the outbox (``outbox.queue``,
called by the operations that cause them) and delivering them (``service.deliver_due``). This
package knows nothing of rounds' rules: what is due when is ``remiss.rounds.reminders``, the job
that runs it all is ``remiss.jobs``."""
