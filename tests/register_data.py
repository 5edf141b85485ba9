"""A small world for the public register and feedback tests, built with the factories and the
models' own methods: a public closed round with a submitted answer, a draft, a reopened answer
under correction and confidential parts; a round that is not public; a public round that is
still a draft; and an open public round. The public rounds are listed by the officer's choice
(``register_choice=True``), so they are listed whatever the installation's setting."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from remiss.answers.models import Answer, MeasureComment, MeasurePosition, Position
from remiss.auth.models import Role
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from tests import files
from tests.factories import make_round, make_user, send

CENTRUM = "Socialnämnden Centrum"
ALDRE = "Äldre samt vård- och omsorgsnämnden"
POLISEN = "Polismyndigheten"
KRIMINALVARDEN = "Kriminalvården"
GROUND = "OSL 18 kap. 1 §"


def pdf(name: str, text: str, kind=DocumentKind.DECISION):
    return documents.store(
        io.BytesIO(files.pdf(text)), name, kind=kind, allowed=documents.ROUND_DOCUMENT_TYPES
    )


def answer(recipient, *, position=Position.ASSENT, comment="", other="", measures=None, received_on=None):
    """Submit an answer for ``recipient``; ``measures`` maps a measure to (position, text)."""
    if recipient.answer is None:
        recipient.answer = Answer()
    draft = recipient.answer.start_draft()
    draft.position = position
    draft.comment = comment
    draft.other_comments = other
    measures_by_number = {m.number: m for m in recipient.round.measures}
    for number, (measure_position, text) in (measures or {}).items():
        draft.comments.append(
            MeasureComment(measure=measures_by_number[number], position=measure_position, text=text)
        )
    return draft


@dataclass
class World:
    ids: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    """Call inside an app context; commits."""
    w = World()
    officer = make_user(Role.OFFICER, email="hanna@example.goteborg.se", name="Hanna Handläggare")
    today = date.today()
    public = make_round(
        officer=officer,
        recipients=[CENTRUM, ALDRE, POLISEN, KRIMINALVARDEN],
        title="Handlingsplan mot nyrekrytering till kriminella nätverk",
        dnr="1668/20",
        sent_on=today - timedelta(days=60),
        deadline=today - timedelta(days=10),
        register_choice=True,
    )
    draft_doc = pdf("Remissförslag.pdf", "Förslaget", DocumentKind.DRAFT)
    draft_doc.round = public
    secret_round_doc = pdf("Underlag med personuppgifter.pdf", "Hemligt underlag", DocumentKind.APPENDIX)
    secret_round_doc.round = public
    secret_round_doc.secrecy_ground = GROUND
    db.session.add_all([draft_doc, secret_round_doc])
    send(public)
    by_name = {r.organisation.name: r for r in public.recipients}

    # Socialnämnden Centrum: a submitted answer with a confidential comment and file.
    centrum = by_name[CENTRUM]
    version = answer(
        centrum,
        position=Position.PARTIAL_ASSENT,
        comment="Nämnden tillstyrker delvis förslaget.",
        other="Vi saknar ett anhörigperspektiv.",
        measures={
            "1:1": (None, "Samverkans omfattning behöver beskrivas."),
            "1:2": (MeasurePosition.REJECT, "Uppgifter om en enskild familj i Backa."),
            "2:1": (MeasurePosition.ASSENT, ""),
        },
    )
    decision = pdf("Protokollsutdrag § 14.pdf", "Centrums beslut")
    secret_file = pdf("Bilaga om enskild.pdf", "Centrums hemliga bilaga")
    version.documents.extend([decision, secret_file])
    centrum.answer.submit(by=None, received_on=today - timedelta(days=12))
    db.session.flush()
    secret_file.secrecy_ground = GROUND
    version.comment_on(measure_id=public.measures[1].id).secrecy_ground = GROUND

    # Äldre samt vård- och omsorgsnämnden: only a draft.
    aldre = by_name[ALDRE]
    aldre_draft = answer(aldre, comment="UTKAST som inte är inskickat.")
    aldre_draft_doc = pdf("Utkast till yttrande.pdf", "Äldres utkast")
    aldre_draft.documents.append(aldre_draft_doc)

    # Polismyndigheten: submitted, reopened, and a correction in progress.
    polisen = by_name[POLISEN]
    first = answer(polisen, position=Position.ASSENT, comment="Polisen tillstyrker.")
    police_doc = pdf("Polisens yttrande.pdf", "Polisens yttrande")
    first.documents.append(police_doc)
    polisen.answer.submit(by=None, received_on=today - timedelta(days=11))
    db.session.flush()
    polisen.answer.reopen(by=officer, reason="Fel bilaga")
    correction = polisen.answer.start_draft()
    correction.comment = "RÄTTELSE under arbete, inte inskickad."
    correction_doc = pdf("Rättad bilaga.pdf", "Polisens rättelse")
    correction.documents.append(correction_doc)

    # Kriminalvården: a whole answer marked confidential.
    kriminalvarden = by_name[KRIMINALVARDEN]
    secret_version = answer(kriminalvarden, position=Position.REJECT, comment="Sekretessbelagt resonemang.")
    secret_version_doc = pdf("Kriminalvårdens yttrande.pdf", "Kriminalvårdens yttrande")
    secret_version.documents.append(secret_version_doc)
    kriminalvarden.answer.submit(by=None, received_on=today - timedelta(days=9))
    secret_version.secrecy_ground = "OSL 35 kap. 1 §"
    public.close()

    # A round the officer has kept out of the register, with an answer and a document.
    hidden = make_round(
        officer=officer,
        recipients=[CENTRUM],
        title="Intern riktlinje om informationssäkerhet",
        dnr="42/21",
        sent_on=today - timedelta(days=60),
        deadline=today - timedelta(days=10),
        register_choice=False,
    )
    hidden_doc = pdf("Intern bilaga.pdf", "Intern", DocumentKind.APPENDIX)
    hidden_doc.round = hidden
    db.session.add(hidden_doc)
    send(hidden)
    hidden_version = answer(hidden.recipients[0], comment="Svar på den interna remissen.")
    hidden_answer_doc = pdf("Internt yttrande.pdf", "Internt yttrande")
    hidden_version.documents.append(hidden_answer_doc)
    hidden.recipients[0].answer.submit(by=None)
    hidden.close()

    # A public round that is still a draft.
    draft_round = make_round(
        officer=officer,
        recipients=[CENTRUM],
        title="Ej skickad plan för parker",
        dnr="7/22",
        register_choice=True,
    )
    draft_round_doc = pdf("Parkplan.pdf", "Parkplan", DocumentKind.DRAFT)
    draft_round_doc.round = draft_round
    db.session.add(draft_round_doc)

    # An open public round.
    open_round = make_round(
        officer=officer,
        recipients=[POLISEN],
        title="Riktlinje för stöd till avhoppare",
        dnr="0912/21",
        register_choice=True,
    )
    send(open_round)
    answer(open_round.recipients[0], comment="Polisen om avhoppare.")
    open_round.recipients[0].answer.submit(by=None)
    db.session.flush()
    db.session.commit()

    w.ids.update(
        officer_id=officer.id,
        public_id=public.id,
        hidden_id=hidden.id,
        draft_round_id=draft_round.id,
        open_id=open_round.id,
        centrum_recipient=centrum.id,
        aldre_recipient=aldre.id,
        polisen_recipient=polisen.id,
        kriminalvarden_recipient=kriminalvarden.id,
        centrum_version=version.id,
        aldre_draft_version=aldre_draft.id,
        polisen_first_version=first.id,
        polisen_correction_version=correction.id,
        secret_version=secret_version.id,
        draft_doc=draft_doc.id,
        secret_round_doc=secret_round_doc.id,
        decision_doc=decision.id,
        secret_file=secret_file.id,
        aldre_draft_doc=aldre_draft_doc.id,
        police_doc=police_doc.id,
        correction_doc=correction_doc.id,
        secret_version_doc=secret_version_doc.id,
        hidden_doc=hidden_doc.id,
        hidden_answer_doc=hidden_answer_doc.id,
        draft_round_doc=draft_round_doc.id,
        secret_comment=version.comment_on(measure_id=public.measures[1].id).id,
    )
    return w
