"""Reporting an accessibility problem, and the admin's handling of the reports. Each operation
only flushes; the view commits once."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from remiss.accessibility.models import AccessibilityReport
from remiss.audit.models import record
from remiss.auth.models import RateCounter
from remiss.core.errors import DomainError
from remiss.core.paging import Page, paginate
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.outbox import queue

RATE_SCOPE = "accessibility-report"
REPORTS_PAGE_SIZE = 50


class TooManyReports(DomainError):
    """Too many reports from one client address in a short time (answered 429)."""


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["ACCESSIBILITY_REPORT_WINDOW_SECONDS"])


def check_rate(address: str, now: datetime | None = None) -> None:
    """Raise ``TooManyReports`` when visitors who are not signed in have sent
    ``ACCESSIBILITY_REPORTS_PER_ADDRESS`` reports from ``address`` in the current window. Reads
    only: a refused report changes nothing."""
    config = current_app.config
    sent = RateCounter.current(RATE_SCOPE, address, _window(), now or utcnow())
    if sent >= config["ACCESSIBILITY_REPORTS_PER_ADDRESS"]:
        raise TooManyReports(
            "Många rapporter har skickats från din dator eller ditt nätverk på kort tid, så vi kan "
            "inte ta emot fler just nu. Vänta en stund och försök igen, eller skicka e-post till "
            f"{config['ACCESSIBILITY_CONTACT_EMAIL']}."
        )


def report_problem(
    *,
    problem: str,
    page: str = "",
    name: str = "",
    email: str = "",
    by=None,
    address: str = "unknown",
    now: datetime | None = None,
) -> AccessibilityReport:
    """Record a report and queue the e-mail that tells the contact address about it. ``by`` is
    the signed-in account, or None; a visitor who is not signed in is held to the limit per
    client ``address`` (``check_rate``), and counted."""
    now = now or utcnow()
    if by is None:
        check_rate(address, now)
    report = AccessibilityReport(
        created_at=now,
        problem=problem.strip(),
        page=page.strip(),
        name=name.strip(),
        email=email.strip(),
        user=by,
    )
    db.session.add(report)
    db.session.flush()
    contact = current_app.config["ACCESSIBILITY_CONTACT_EMAIL"]
    queue(messages.accessibility_report(report, contact, now), now)
    if by is None:
        RateCounter.hit(RATE_SCOPE, address, _window(), now)
    return report


def mark_handled(report: AccessibilityReport, by, now: datetime | None = None) -> None:
    """The admin has answered or passed on the report."""
    report.mark_handled(by, now or utcnow())
    record("accessibility.report_handled", report, actor=by, number=report.number)
    db.session.flush()


def reports_page(page: int = 1, size: int = REPORTS_PAGE_SIZE) -> Page:
    """One page of the reports, newest first, paged in SQL."""
    return paginate(
        sa.select(AccessibilityReport).order_by(
            AccessibilityReport.created_at.desc(), AccessibilityReport.id.desc()
        ),
        page=page,
        size=size,
        options=(selectinload(AccessibilityReport.user), selectinload(AccessibilityReport.handled_by)),
    )


def unhandled_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccessibilityReport)
            .where(sa.not_(AccessibilityReport.is_handled))
        )
        or 0
    )
