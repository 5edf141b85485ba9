"""Uploaded files: a round's documents and the bodies' signed decisions."""
