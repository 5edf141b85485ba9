"""Pieces every area shares: time, column types, domain errors, access checks."""
