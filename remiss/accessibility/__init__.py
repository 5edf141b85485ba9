"""Accessibility (tillgänglighet) under the law on accessibility of digital public services
(DOS-lagen, 2018:1937): the statement (tillgänglighetsredogörelse) in the form Digg's template
asks for, with its list of known shortcomings (``statement.py``), and the reports of problems
that visitors send from the statement's form (``models.py``, ``operations.py``). The pages are
in ``remiss.main``: the statement at ``main.accessibility``, the admin's list of reports."""

from __future__ import annotations

from flask import Flask

from remiss.accessibility.statement import CONFIGURED_DATES, configured_date


def init_app(app: Flask) -> None:
    """Refuse to start with a date of the statement that is not a date: an installation that
    sets ``REMISS_ACCESSIBILITY_ASSESSED_ON=6/12`` learns it at start, not from a broken page."""
    for name in CONFIGURED_DATES:
        configured_date(app.config, name)
