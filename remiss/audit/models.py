"""The audit trail: who did what, when, to what. Every kind of event has its Swedish sentence
(``SENTENCES``) with a verb, filled from the event's details, so a round's history reads
"Anna Andersson skickade in svaret från Socialnämnden Centrum (version 1, kvittonummer …)".
A count meets its noun through a format spec, ``{count:remissinstans|remissinstanser}``, which
gives ``1 remissinstans`` and ``16 remissinstanser`` (``core.text.plural``)."""

from __future__ import annotations

import string
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.text import plural
from remiss.core.time import utcnow
from remiss.core.types import UTCDateTime
from remiss.extensions import db

# What each kind of event says, after the actor's name. ``{…}`` are the event's details.
SENTENCES: dict[str, str] = {
    # A round's life
    "round.created": "skapade remissen {dnr} {title}",
    "round.imported": "importerade remissen {dnr} {title}",
    "round.updated": "ändrade remissens uppgifter",
    "round.opened": "skickade remissen till {count:remissinstans|remissinstanser}",
    "round.scheduled": "schemalade remissen att skickas {on}",
    "round.unscheduled": "tog bort schemaläggningen av utskicket",
    "round.send_failed": "kunde inte skicka remissen enligt schemat: {reason}",
    "round.closed": "stängde remissen{note}",
    "round.reopened": "öppnade remissen igen",
    "round.archived": "avslutade remissen",
    "round.document_added": "laddade upp {kind} ”{name}”",
    "round.document_replaced": "ersatte {kind} ”{old}” med ”{name}”",
    "round.document_removed": "tog bort {kind} ”{name}” ur utkastet",
    "round.reminder_days_changed": "ändrade påminnelserna till {days}",
    "round.reminded": "skickade en påminnelse till {count:remissinstans|remissinstanser}",
    "round.made_public": "lade ut remissen i det offentliga remissregistret",
    "round.made_not_public": "tog bort remissen ur det offentliga remissregistret",
    # Structure
    "structure.area_added": "lade till {label} {title}",
    "structure.area_updated": "ändrade {label} {title}",
    "structure.area_moved": "flyttade {label} {direction}",
    "structure.area_removed": "tog bort {label} {title} med dess insatser och frågor",
    "structure.measure_added": "lade till {label} {title}",
    "structure.measure_updated": "ändrade {label} {title}",
    "structure.measure_moved": "flyttade {label} {direction}",
    "structure.measure_removed": "tog bort {label} {title}",
    "structure.pasted": (
        "klistrade in {areas:fokusområde|fokusområden} och "
        "{measures:insats eller fråga|insatser eller frågor}"
    ),
    "structure.pasted_parts": "klistrade in {parts}",
    # Recipients
    "recipient.added": "lade till {organisation} som remissinstans ({email}){invited}",
    "recipient.removed": "tog bort {organisation} som remissinstans",
    "recipient.contact_changed": "ändrade kontaktadressen för {organisation} till {email}",
    "recipient.extension_granted": "gav {organisation} anstånd till {until} ({reason})",
    "recipient.invitation_resent": (
        "skickade inbjudan till {organisation} igen, med en ny personlig länk till {email}"
    ),
    # Answers
    "answer.submitted": (
        "skickade in svaret från {organisation} (version {version}, kvittonummer {receipt})"
    ),
    "answer.registered": (
        "registrerade svaret från {organisation} ({channel}, mottaget {received_on}; "
        "version {version}, kvittonummer {receipt})"
    ),
    "answer.reopened": "öppnade svaret från {organisation} för rättelse: {reason}",
    "answer.read": "markerade svaret från {organisation} som läst",
    # The office's assessment and the public record
    "round.assessment_saved": "sparade stadsledningskontorets bedömning ({count:text|texter} ändrade)",
    # Themes (kodning) and the report (remiss/summary/service.py)
    "theme.added": "lade till temat ”{name}”",
    "theme.removed": "tog bort temat ”{name}”",
    "theme.tagged": "satte temana {themes} på {count:synpunkt|synpunkter} på {target}",
    "report.intro_saved": "ändrade inledningen till redovisningen av remissvaren",
    "round.assessment_merged": (
        "sparade stadsledningskontorets bedömning ihop med en samtidig ändring ({count:text|texter} ändrade)"
    ),
    "assessment.finalised": (
        "markerade bedömningen som slutlig och skickade återkoppling till "
        "{count:remissinstans|remissinstanser}"
    ),
    "secrecy.marked": "sekretessmarkerade {what} ({ground})",
    "secrecy.lifted": "hävde sekretessen för {what}",
    "secrecy.carried": (
        "förde sekretessmarkeringarna vidare till version {version} från {organisation}, som ändrar "
        "{parts}; de gäller tills en handläggare har granskat dem"
    ),
    # Accounts and the register
    "organisation.created": "lade till organisationen {name}",
    "organisation.updated": "ändrade organisationen {name}",
    "organisation.imported": "läste in {count:organisation|organisationer}",
    "user.invited": "bjöd in {email} som {role}",
    "user.updated": "ändrade kontot {email}",
    "user.deactivated": "stängde av kontot {email}",
    "user.link_issued": "skickade en länk för att välja lösenord till {email}",
    "user.created_through_invitation": (
        "skapade kontot {email} för {organisation} med den personliga länken i inbjudan till remissen"
    ),
    # Sign-in through the city's identity provider (remiss/auth/oidc.py, remiss/auth/groups.py).
    "user.created_by_provider": (
        "skapade kontot {email} som {role} vid första inloggningen med Göteborgs Stads konto"
    ),
    "user.linked_to_provider": "kopplade kontot {email} till Göteborgs Stads konto",
    "user.role_from_provider": "fick rollen {role} för kontot {email} från Göteborgs Stads konto",
    "user.deactivated_by_provider": (
        "stängde av kontot {email}: Göteborgs Stads konto ger inte längre behörighet"
    ),
    "user.reactivated_by_provider": "aktiverade kontot {email} igen genom Göteborgs Stads konto",
    "group_mapping.saved": "sparade gruppen {group}: {role}",
    "group_mapping.removed": "tog bort gruppen {group}",
    "sign_in.settings_changed": "ändrade inloggningen: {setting}",
    # Reports from the accessibility statement's form (remiss/accessibility/operations.py)
    "accessibility.report_handled": "markerade rapport {number} om bristande tillgänglighet som hanterad",
}


class _SentenceFormatter(string.Formatter):
    """``str.format`` plus the plural spec: ``{count:remissinstans|remissinstanser}``."""

    def format_field(self, value, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, many = format_spec.partition("|")
            return plural(value, one, many)
        return super().format_field(value, format_spec)


_SENTENCE = _SentenceFormatter()


def fields_of(action: str) -> set[str]:
    """The details a sentence needs."""
    return {name for _, name, _, _ in string.Formatter().parse(SENTENCES[action]) if name}


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    # The round an event belongs to, so a round's trail is one indexed query.
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")

    @property
    def sentence(self) -> str:
        """What happened, as a Swedish clause with a verb: ``skickade remissen till 16 remissinstanser``."""
        template = SENTENCES.get(self.action)
        details = self.details or {}
        if template is None or not fields_of(self.action) <= details.keys():
            return self.summary or self.action
        return _SENTENCE.vformat(template, (), details)


def record(
    action: str, obj=None, *, actor=None, round_id: int | None = None, at=None, **details
) -> AuditEvent:
    """Add an audit event to the session (the caller commits). ``obj`` is any model; the round
    is taken from it when it has one. ``details`` fill the action's sentence: every field it
    names must be given."""
    if action not in SENTENCES:
        raise ValueError(f"no sentence for audit action {action!r}")
    missing = fields_of(action) - details.keys()
    if missing:
        raise ValueError(f"audit action {action!r} needs {sorted(missing)}")
    details = {
        key: value if isinstance(value, int | float | bool | None) else str(value)
        for key, value in details.items()
    }
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = getattr(obj, "id", None)
    if round_id is None and obj is not None:
        round_id = getattr(obj, "round_id", None) or (obj.id if object_type == "Round" else None)
    event = AuditEvent(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        round_id=round_id,
        details=details,
        **({"at": at} if at is not None else {}),
    )
    event.summary = event.sentence[:1000]
    db.session.add(event)
    return event
