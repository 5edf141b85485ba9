"""Accounts, roles, signing in and out, invitation and reset links."""
