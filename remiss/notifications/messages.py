"""Composing each kind of message: a Swedish subject, a plain text and an HTML body from the
templates under ``templates/notifications/email/``, and for invitations and extensions the
deadline as an iCalendar attachment. Links are built from ``BASE_URL``: scheduled jobs have no
request to take the host from.

Composing decides nothing about *whether* a message is due (that is ``service``); it only
writes it. Every function returns a ``Composed`` that ``service.queue`` stores in the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Alarm, Calendar, Event

from remiss.core.text import plural
from remiss.core.time import format_date, format_datetime, local_today, utcnow
from remiss.notifications.models import MessageKind

# Where links in e-mail lead: the round as the respondent sees it, and the officer's round page.
RESPONDENT_ROUND_ENDPOINT = "answers.round"
OFFICER_ROUND_ENDPOINT = "rounds.show"
START_ENDPOINT = "main.index"
# The personal link in an invitation (``rounds.models.InvitationLink``): sign in or create the
# body's account, then the round's answer page.
INVITATION_ENDPOINT = "answers.invitation"
INVITATION_PATH = "/inbjudan/"


@dataclass
class Composed:
    """A message written but not yet stored."""

    kind: MessageKind
    to: str
    subject: str
    text: str
    html: str
    cc: str | None = None
    ics: str | None = None
    dedup_key: str | None = None
    round_id: int | None = None
    recipient_id: int | None = None
    context: dict = field(default_factory=dict, repr=False)


# Links --------------------------------------------------------------------------------------
def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL on ``BASE_URL`` for ``endpoint``, without a request."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def respondent_round_url(round_) -> str:
    return absolute_url(RESPONDENT_ROUND_ENDPOINT, round_id=round_.id)


def officer_round_url(round_) -> str:
    return absolute_url(OFFICER_ROUND_ENDPOINT, round_id=round_.id)


def invitation_url(token: str) -> str:
    """The personal link of an invitation, with the token's clear text (never stored)."""
    return absolute_url(INVITATION_ENDPOINT, token=token)


_PERSONAL_LINK = re.compile(re.escape(INVITATION_PATH) + r"[^\s\"'<>?#]+")


def hide_personal_links(text: str | None) -> str | None:
    """``text`` with the token of every personal invitation link replaced by ``[dold]``: what
    the office sees of a sent invitation (the link is the body's own)."""
    if not text or INVITATION_PATH not in text:
        return text
    return _PERSONAL_LINK.sub(INVITATION_PATH + "[dold]", text)


def _document_links(round_) -> list[dict]:
    return [
        {
            "name": document.original_name,
            "kind": document.kind.label,
            "url": absolute_url("documents.download", document_id=document.id),
        }
        for document in round_.documents
    ]


# Rendering ----------------------------------------------------------------------------------
def _render(name: str, **context) -> tuple[str, str]:
    """The plain text and HTML bodies of template ``name``. Rendered straight from the Jinja
    environment (app filters, no request globals): the same in a request and in a job."""
    env = current_app.jinja_env
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    context.setdefault("start_url", absolute_url(START_ENDPOINT))
    text = env.get_template(f"notifications/email/{name}.txt").render(context)
    html = env.get_template(f"notifications/email/{name}.html").render(context)
    return text.strip() + "\n", html


def _days(n: int) -> str:
    return plural(abs(n), "dag", "dagar")


def _officer_of(round_) -> dict | None:
    officer = round_.officer
    if officer is None:
        return None
    return {"name": officer.name, "email": officer.email}


def _sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_SENDER"])[1]
    return address.rpartition("@")[2] or "remiss.invalid"


def deadline_calendar(round_, recipient, deadline: date, now: datetime, sequence: int = 0) -> str:
    """The recipient's deadline as an all-day event, with a reminder three days before. The UID
    is the same for the invitation and every extension, so a calendar moves the event."""
    calendar = Calendar()
    calendar.add("prodid", "-//Göteborgs Stad//Remisstjänsten//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"remiss-{round_.id}-recipient-{recipient.id}-deadline@{_sender_domain()}")
    event.add("dtstamp", now.astimezone(UTC))  # RFC 5545: DTSTAMP in UTC
    event.add("sequence", sequence)
    event.add("summary", f"Sista svarsdag: remiss {round_.dnr} {round_.title}")
    event.add("dtstart", deadline)
    event.add("dtend", deadline + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    url = respondent_round_url(round_)
    event.add("url", url)
    event.add(
        "description",
        f"Sista dag att lämna remissvar på {round_.title} (dnr {round_.dnr}). Svara här: {url}",
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Remissvar på {round_.dnr} ska lämnas om tre dagar")
    alarm.add("trigger", timedelta(days=-3))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _round_context(round_, recipient, now: datetime) -> dict:
    deadline = recipient.effective_deadline
    return {
        "round": round_,
        "recipient": recipient,
        "organisation": recipient.organisation,
        "deadline": deadline,
        "deadline_long": format_date(deadline, "long"),
        "round_url": respondent_round_url(round_),
        "documents": _document_links(round_),
        "officer": _officer_of(round_),
        "today": local_today(now),
    }


# The board's decision and what is asked -------------------------------------------------------
# A round's decision is typed as the form suggests, "Kommunstyrelsen 2021-10-27 § 820": who, the
# date, the paragraph. Read so, it becomes a sentence; anything else is quoted as typed.
_DECISION = re.compile(
    r"^(?P<who>.*?)[\s,]*(?:den\s+)?(?P<on>\d{4}-\d{2}-\d{2})"
    r"(?:[\s,]*(?P<paragraph>§\s*\d+\s*[a-z]?))?[\s.]*$",
    re.IGNORECASE,
)
_DECIDED_WORD = re.compile(r"[\s,]*\b(?:beslut|beslutade)$", re.IGNORECASE)
_SHORT_NAMES = {"KS": "Kommunstyrelsen"}


def decision_sentence(round_) -> str | None:
    """What the board decided and when, as a sentence: ``Kommunstyrelsen beslutade den 27
    oktober 2021 (§ 820) att skicka förslaget på remiss.`` None where no decision was entered."""
    text = (getattr(round_, "decision", "") or "").strip()
    if not text:
        return None
    found = _DECISION.match(text)
    on = None
    if found:
        try:
            on = date.fromisoformat(found["on"])
        except ValueError:
            on = None
    if on is None:
        return f"Beslut om remissen: {text.rstrip('.')}."
    who = _DECIDED_WORD.sub("", found["who"]).strip(" ,")
    who = _SHORT_NAMES.get(who.upper(), who)
    paragraph = re.sub(r"§\s*", "§ ", found["paragraph"]).strip() if found["paragraph"] else ""
    when = f"den {format_date(on, 'long')}" + (f" ({paragraph})" if paragraph else "")
    if who:
        return f"{who} beslutade {when} att skicka förslaget på remiss."
    return f"Beslutet att skicka förslaget på remiss fattades {when}."


def asked_sentence(round_) -> str:
    """What the body is asked to do, following the round's structure."""
    parts = ["ta ställning till förslaget som helhet"]
    if round_.lists_measures:
        parts.append("gärna lämna synpunkter på fokusområdena och insatserna")
    if round_.asks_questions:
        parts.append("svara på remissens frågor")
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]
    return f"Vi ber er {joined}."


# The kinds ----------------------------------------------------------------------------------
def invitation(
    recipient,
    now: datetime | None = None,
    *,
    link: str | None = None,
    again: bool = False,
    key: str | None = None,
) -> Composed:
    """The invitation to answer, to the body's contact address. ``link`` is its personal link
    (``invitation_url``), which signs in or creates the body's account; without one the text
    says to sign in. ``again``: sent again by the officer, with a fresh link; ``key`` replaces
    the usual dedup key (each sending again is a message of its own)."""
    now = now or utcnow()
    round_ = recipient.round
    context = _round_context(round_, recipient, now)
    context.update(
        link=link,
        again=again,
        decided=decision_sentence(round_),
        asked=asked_sentence(round_),
    )
    text, html = _render("invitation", **context)
    prefix = "Inbjudan igen – remiss" if again else "Remiss"
    return Composed(
        kind=MessageKind.INVITATION,
        to=recipient.contact_email,
        subject=f"{prefix}: {round_.title} (dnr {round_.dnr}) – sista svarsdag {context['deadline_long']}",
        text=text,
        html=html,
        ics=deadline_calendar(round_, recipient, context["deadline"], now),
        dedup_key=key or f"invitation:{recipient.id}",
        round_id=round_.id,
        recipient_id=recipient.id,
        context=context,
    )


def reminder(recipient, days_before: int, now: datetime | None = None, key: str | None = None) -> Composed:
    """A reminder ``days_before`` the recipient's deadline (the text says the days actually
    left). ``key`` replaces the usual dedup key, e.g. for the officer's "send a reminder now"."""
    now = now or utcnow()
    round_ = recipient.round
    context = _round_context(round_, recipient, now)
    left = (context["deadline"] - context["today"]).days
    context.update(days_left=left, days_left_text=_days(left), has_draft=recipient.draft is not None)
    text, html = _render("reminder", **context)
    deadline = context["deadline"]
    return Composed(
        kind=MessageKind.REMINDER,
        to=recipient.contact_email,
        subject=f"Påminnelse: svar senast {context['deadline_long']} på remissen {round_.title} "
        f"(dnr {round_.dnr})",
        text=text,
        html=html,
        dedup_key=key or f"reminder:{recipient.id}:{deadline.isoformat()}:{days_before}",
        round_id=round_.id,
        recipient_id=recipient.id,
        context=context,
    )


def overdue(recipient, now: datetime | None = None) -> Composed:
    """The day after the recipient's deadline: to the recipient, a copy to the officer."""
    now = now or utcnow()
    round_ = recipient.round
    context = _round_context(round_, recipient, now)
    late = (context["today"] - context["deadline"]).days
    context.update(days_late=late, days_late_text=_days(late), has_draft=recipient.draft is not None)
    text, html = _render("overdue", **context)
    officer = round_.officer
    return Composed(
        kind=MessageKind.OVERDUE,
        to=recipient.contact_email,
        cc=officer.email if officer is not None and officer.active else None,
        subject=f"Remissvar saknas: {round_.title} (dnr {round_.dnr}) – sista svarsdag var "
        f"{context['deadline_long']}",
        text=text,
        html=html,
        dedup_key=f"overdue:{recipient.id}:{context['deadline'].isoformat()}",
        round_id=round_.id,
        recipient_id=recipient.id,
        context=context,
    )


def extension(recipient, now: datetime | None = None) -> Composed:
    """Confirmation of an extension (anstånd) with the new date and an updated calendar event."""
    now = now or utcnow()
    round_ = recipient.round
    context = _round_context(round_, recipient, now)
    context.update(
        round_deadline_long=format_date(round_.deadline, "long"), reason=recipient.extension_reason or ""
    )
    text, html = _render("extension", **context)
    deadline = context["deadline"]
    return Composed(
        kind=MessageKind.EXTENSION,
        to=recipient.contact_email,
        subject=f"Anstånd: ny sista svarsdag {context['deadline_long']} för remissen {round_.title} "
        f"(dnr {round_.dnr})",
        text=text,
        html=html,
        ics=deadline_calendar(round_, recipient, deadline, now, sequence=int(now.timestamp()) // 60),
        dedup_key=f"extension:{recipient.id}:{deadline.isoformat()}",
        round_id=round_.id,
        recipient_id=recipient.id,
        context=context,
    )


def _positions_summary(version) -> list[dict]:
    """Per focus area and measure the position and whether there is a comment, in the order of
    the round's structure; parts the answer says nothing about are left out."""
    rows = []
    round_ = version.answer.recipient.round
    for area in round_.focus_areas:
        comment = version.comment_on(focus_area_id=area.id)
        if comment is not None and not comment.is_empty:
            rows.append(
                {
                    "label": area.label,
                    "title": area.title,
                    "position": None,
                    "commented": True,
                    "is_question": False,
                }
            )
        for measure in area.measures:
            comment = version.comment_on(measure_id=measure.id)
            if comment is None or comment.is_empty:
                continue
            rows.append(
                {
                    "label": measure.label,
                    "title": measure.title,
                    "position": comment.position.label
                    if comment.position and not measure.is_question
                    else None,
                    "commented": bool(comment.text.strip()),
                    "is_question": measure.is_question,
                }
            )
    return rows


def receipt(version, now: datetime | None = None) -> Composed:
    """The receipt of a submitted answer version: to the recipient's address, a copy to the
    user who submitted it. An answer that came by post or e-mail and was registered by the
    office says when and how it arrived and who registered it: the moment of registration is
    not the moment of arrival, and the officer did not send it."""
    now = now or utcnow()
    recipient = version.answer.recipient
    round_ = recipient.round
    context = _round_context(round_, recipient, now)
    channel = getattr(version, "channel", None)
    registered = bool(getattr(version, "is_registered", False))
    context.update(
        version=version,
        registered=registered,
        channel=channel.label.lower() if registered else "",
        received_on=format_date(version.received_on) if registered else "",
        submitted_at=format_datetime(version.submitted_at),
        submitted_by=version.submitted_by,
        position=version.position.label if version.position else "Inget ställningstagande",
        rows=_positions_summary(version),
        attachments=[d.original_name for d in version.documents],
        days_late_text=_days(version.days_late) if version.days_late else "",
    )
    text, html = _render("receipt", **context)
    submitter = version.submitted_by
    cc = submitter.email if submitter is not None and submitter.email != recipient.contact_email else None
    return Composed(
        kind=MessageKind.RECEIPT,
        to=recipient.contact_email,
        cc=cc,
        subject=f"Kvitto {version.receipt_number}: remissvar på {round_.title} (dnr {round_.dnr})",
        text=text,
        html=html,
        dedup_key=f"receipt:{version.id}",
        round_id=round_.id,
        recipient_id=recipient.id,
        context=context,
    )


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _round_status(round_, today: date) -> dict:
    recipients = sorted(round_.recipients, key=lambda r: r.organisation.name)
    submitted = [r for r in recipients if r.has_submitted]
    waiting = [r for r in recipients if not r.has_submitted]
    return {
        "round": round_,
        "url": officer_round_url(round_),
        "deadline_long": format_date(round_.deadline, "long"),
        "days_left": (round_.deadline - today).days,
        "invited": len(recipients),
        "submitted": len(submitted),
        "drafts": sum(1 for r in waiting if r.has_begun_answering),
        "overdue": [r for r in waiting if r.is_overdue(today)],
        "unread": [r for r in submitted if r.is_unread],
        "extended": [r for r in waiting if r.extension_running(today)],
    }


def digest(officer, rounds, now: datetime | None = None) -> Composed:
    """The weekly status of an officer's open rounds."""
    now = now or utcnow()
    today = local_today(now)
    week = iso_week(today)
    items = [_round_status(r, today) for r in sorted(rounds, key=lambda r: (r.deadline, r.id))]
    context = {"reader": officer, "rounds": items, "week": today.isocalendar()[1], "today": today}
    text, html = _render("digest", **context)
    count = len(items)
    return Composed(
        kind=MessageKind.DIGEST,
        to=officer.email,
        subject=f"Veckosammanfattning vecka {context['week']}: "
        f"{plural(count, 'öppen remiss', 'öppna remisser')}",
        text=text,
        html=html,
        dedup_key=f"digest:{officer.id}:{week}",
        context=context,
    )


def account(user, link: str, *, invited: bool) -> Composed:
    """The one-time link to choose a password: an invitation to a new account (``invited``), or a
    reset."""
    hours = current_app.config["TOKEN_VALID_HOURS"]
    context = {"user": user, "link": link, "invited": invited, "hours": hours}
    text, html = _render("account", **context)
    return Composed(
        kind=MessageKind.ACCOUNT,
        to=user.email,
        subject="Välkommen till Remisstjänsten – välj ditt lösenord"
        if invited
        else "Nytt lösenord till Remisstjänsten",
        text=text,
        html=html,
        context=context,
    )


def accessibility_report(report, to: str, now: datetime | None = None) -> Composed:
    """A report of an accessibility problem from the statement's form, to the contact address
    (``ACCESSIBILITY_CONTACT_EMAIL``). Nothing goes to the address the visitor typed: the form
    must not send e-mail to anyone on a stranger's word. The visitor's text is in the body only,
    never in the subject."""
    now = now or utcnow()
    sender = report.user
    context = {
        "report": report,
        "received_at": format_datetime(report.created_at or now),
        "account": {"name": sender.name, "email": sender.email, "role": sender.role.label}
        if sender is not None
        else None,
        "reports_url": absolute_url("main.accessibility_reports"),
        "response_days": current_app.config["ACCESSIBILITY_RESPONSE_WORKING_DAYS"],
    }
    text, html = _render("accessibility_report", **context)
    return Composed(
        kind=MessageKind.ACCESSIBILITY_REPORT,
        to=to,
        subject=f"Rapporterad tillgänglighetsbrist i Remisstjänsten (rapport {report.number})",
        text=text,
        html=html,
        dedup_key=f"accessibility-report:{report.id}",
        context=context,
    )
