"""The audit trail: who did what, when, on which object."""
