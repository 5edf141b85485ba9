"""Consultation rounds: the draft's structure, recipients, deadlines and a round's life."""
