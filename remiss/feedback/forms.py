from __future__ import annotations

from flask_wtf import FlaskForm


class FinaliseForm(FlaskForm):
    """The confirmation button: an empty form for its CSRF token."""
