from __future__ import annotations

from remiss.core.forms import Form


class FinaliseForm(Form):
    """The confirmation button: an empty form for its CSRF token."""
