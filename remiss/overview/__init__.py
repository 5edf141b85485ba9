"""The manager's overview (issue 16 §4): the open rounds with their progress, the bodies whose
answer is overdue in any round, the answers due in the coming week, and each body's history of
answering (on time, late, how many days) – filtered, paged in SQL, and as an Excel file.

It only reads: every rule it shows is a named check on ``rounds.models.Recipient`` and ``Round``
(``is_overdue``, ``is_due_within``, ``answered_on_time``, ``answered_late``,
``days_answered_late``), used here in their SQL form."""
