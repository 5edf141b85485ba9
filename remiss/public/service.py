"""What the public may see, in one place. A round is in the register when the model says so
(``Round.is_listed_in_register``: sent, and listed by the installation's setting or the officer's
choice) – every query here asks that and nothing else; of each answer only the latest submitted
version appears, and nothing an officer has marked as confidential (the notice with its legal
ground appears in its place). Drafts, versions under correction and the audit trail never appear."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.audit.models import record
from remiss.core.errors import DomainError
from remiss.core.paging import page_size, paginate
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import FocusArea, Recipient, Round, RoundStatus

# The statuses a visitor can filter the register by (a draft is never listed: ``Round.is_sent``).
LISTED_STATUSES = (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.ARCHIVED)

SECRECY_NOTICE = "Uppgiften omfattas av sekretess enligt {ground}"


def secrecy_notice(ground: str) -> str:
    return SECRECY_NOTICE.format(ground=ground)


def _listed_query():
    return sa.select(Round).where(Round.is_listed_in_register)


def _with_answers():
    """Everything the register's pages read of a round, loaded in a fixed number of queries
    however many answers, comments and files it has."""
    return (
        selectinload(Round.focus_areas).selectinload(FocusArea.measures),
        selectinload(Round.documents),
        selectinload(Round.recipients).options(
            selectinload(Recipient.organisation),
            selectinload(Recipient.answer)
            .selectinload(Answer.versions)
            .options(selectinload(AnswerVersion.comments), selectinload(AnswerVersion.documents)),
        ),
    )


def _archive_files():
    """What the ZIP of all answers reads of a round: each recipient's organisation, answer,
    versions and their files – not the comments (a large round has tens of thousands)."""
    return (
        selectinload(Round.recipients).options(
            selectinload(Recipient.organisation),
            selectinload(Recipient.answer)
            .selectinload(Answer.versions)
            .selectinload(AnswerVersion.documents),
        ),
    )


def public_round_with_files(round_id: int) -> Round | None:
    """The public round ``round_id`` with what its ZIP of all answers is made of, or None."""
    return db.session.scalar(_listed_query().where(Round.id == round_id).options(*_archive_files()))


def get_public_round_or_404(round_id: int, *, with_answers: bool = False) -> Round:
    """The public round ``round_id`` or 404; ``with_answers`` loads its answers with it, for the
    pages that show them."""
    query = _listed_query().where(Round.id == round_id)
    if with_answers:
        query = query.options(*_with_answers())
    round_ = db.session.scalar(query)
    if round_ is None:
        abort(404)
    return round_


def fold(text: str) -> str:
    """Text for matching: Unicode-normalised and case-folded, so that ``ÄLDRE`` finds
    ``äldre`` whatever the database."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def search_words(query: str) -> list[str]:
    """The words of a search, as the database's ``lower()`` sees them (Unicode-aware on both
    databases: ``core.database`` registers Python's on SQLite)."""
    return unicodedata.normalize("NFKC", query or "").lower().split()


def _matches(word: str):
    """A public round whose title, case number or an invited organisation's name or short name
    contains ``word`` (already lowered)."""
    # Two sets of round ids, each found once: the rounds whose own text matches (served by the
    # trigram indexes on PostgreSQL, core.sql), and those the matching organisations were
    # invited to (the register of organisations is small: find them first, then their rounds
    # through the recipients). Testing the title beside the subquery instead would lower every
    # round's title for every search.
    in_text = sa.select(Round.id).where(
        sa.or_(
            sa.func.lower(Round.title).contains(word, autoescape=True),
            sa.func.lower(Round.dnr).contains(word, autoescape=True),
        )
    )
    organisations = sa.select(Organisation.id).where(
        sa.or_(
            sa.func.lower(Organisation.name).contains(word, autoescape=True),
            sa.func.lower(Organisation.short_name).contains(word, autoescape=True),
        )
    )
    in_organisation = sa.select(Recipient.round_id).where(Recipient.organisation_id.in_(organisations))
    return sa.or_(Round.id.in_(in_text), Round.id.in_(in_organisation))


def search_query(query: str = "", status: RoundStatus | None = None) -> sa.Select:
    """Public rounds, newest first, whose title, case number or an invited organisation's name
    contains every word of ``query`` (case-insensitive, Swedish letters included): filtered and
    sorted in SQL, to be paged (``core.paging``)."""
    select = _listed_query()
    if status is not None:
        select = select.where(Round.status == status)
    for word in search_words(query):
        select = select.where(_matches(word))
    return select.order_by(Round.sent_on.desc(), Round.id.desc())


def search_rounds(query: str = "", status: RoundStatus | None = None, *, page: int = 1, size: int = 25):
    """One page of ``search_query``, with the count of all that match."""
    return paginate(search_query(query, status), page=page, size=size)


def feed_rounds(size: int) -> list[Round]:
    """The public rounds behind the feed's newest ``size`` entries: the newest opened and the
    newest with feedback published, each cut at ``size`` in SQL."""
    size = page_size(size)
    opened = db.session.scalars(
        _listed_query()
        .where(Round.opened_at.is_not(None))
        .order_by(Round.opened_at.desc(), Round.id.desc())
        .limit(size)
    ).all()
    answered = db.session.scalars(
        _listed_query()
        .where(Round.assessment_final_at.is_not(None))
        .order_by(Round.assessment_final_at.desc(), Round.id.desc())
        .limit(size)
    ).all()
    return list({r.id: r for r in [*opened, *answered]}.values())


def public_version(recipient: Recipient) -> AnswerVersion | None:
    """The version of ``recipient``'s answer the public sees: the latest submitted one. A version
    being corrected after a reopen is a draft and never shown."""
    return recipient.latest_submitted


@dataclass
class PublicAnswer:
    recipient: Recipient
    version: AnswerVersion

    @property
    def organisation(self) -> Organisation:
        return self.recipient.organisation

    @property
    def is_confidential(self) -> bool:
        return self.version.secrecy_ground is not None

    def comment_on(self, measure_id=None, focus_area_id=None) -> MeasureComment | None:
        comment = self.version.comment_on(measure_id=measure_id, focus_area_id=focus_area_id)
        return None if comment is None or comment.is_empty else comment

    @property
    def documents(self) -> list[Document]:
        return list(self.version.documents)


def public_answers(round_: Round) -> list[PublicAnswer]:
    """Every submitted answer of ``round_``, by organisation name."""
    answers = []
    for recipient in round_.recipients:
        version = public_version(recipient)
        if version is not None:
            answers.append(PublicAnswer(recipient, version))
    return sorted(answers, key=lambda a: fold(a.organisation.name))


ANSWERS_PAGE_SIZE = 20
# About how many places for comments a page of answers may show: an answer of a round with 60
# measures has 60 or more, so such a round shows a few answers a page, not 20 (1,200 comments,
# 820 KB of HTML and 80 ms of a worker for the load test's round).
COMMENTS_PER_PAGE = 300


def answers_page_size(round_: Round) -> int:
    """How many answers a page of ``round_``'s public page shows: ``ANSWERS_PAGE_SIZE``, fewer
    when each answer can hold many comments (each focus area's and each measure's), so that a
    page holds about ``COMMENTS_PER_PAGE`` however large the structure. Reads the loaded
    structure (``get_public_round_with_structure_or_404``)."""
    places = sum(1 + len(area.measures) for area in round_.focus_areas)
    return max(1, min(ANSWERS_PAGE_SIZE, COMMENTS_PER_PAGE // max(places, 1)))


def _structure():
    """What the round page reads of a round besides its answers."""
    return (
        selectinload(Round.focus_areas).selectinload(FocusArea.measures),
        selectinload(Round.documents),
        selectinload(Round.recipients).options(
            selectinload(Recipient.organisation), Recipient.with_answers()
        ),
    )


def _answered(round_: Round) -> sa.Select:
    """``round_``'s bodies that have answered, joined to their organisations."""
    return (
        sa.select(Recipient)
        .join(Organisation, Organisation.id == Recipient.organisation_id)
        .where(Recipient.round_id == round_.id, Recipient.has_submitted)
    )


def _answer_order():
    """The order of the public answers: by organisation name as the database lowers and
    collates it, then by recipient."""
    return (sa.func.lower(Organisation.name), Recipient.id)


def answer_pages(round_: Round, size: int) -> dict[int, int]:
    """On which page of ``public_answers_page`` each answered recipient's answer is: numbered in
    SQL in the page query's own order (Python's ``lower()`` and sort differ from the database's
    collation, and a link would lead to the wrong page)."""
    place = sa.func.row_number().over(order_by=_answer_order())
    numbered = _answered(round_).with_only_columns(Recipient.id, place, maintain_column_froms=True)
    return {recipient_id: (number - 1) // size + 1 for recipient_id, number in db.session.execute(numbered)}


def public_answers_page(round_: Round, page: int = 1, size: int | None = None):
    """One page of ``round_``'s submitted answers, by organisation name (``answers_page_size``
    of them unless ``size``), each with its versions and files and the comments of the version
    the public sees: the count and the page in SQL, so the round page does not grow with the
    number of answers outside the page, nor with a draft being corrected."""
    result = paginate(
        _answered(round_).order_by(*_answer_order()),
        page=page,
        size=size or answers_page_size(round_),
        options=(
            selectinload(Recipient.organisation),
            selectinload(Recipient.answer)
            .selectinload(Answer.versions)
            .selectinload(AnswerVersion.documents),
        ),
    )
    result.items = [PublicAnswer(r, public_version(r)) for r in result.items]
    if result.items:
        db.session.scalars(
            sa.select(AnswerVersion)
            .where(AnswerVersion.id.in_([a.version.id for a in result.items]))
            .options(selectinload(AnswerVersion.comments))
        ).all()
    return result


def get_public_round_with_structure_or_404(round_id: int) -> Round:
    round_ = db.session.scalar(_listed_query().where(Round.id == round_id).options(*_structure()))
    if round_ is None:
        abort(404)
    return round_


def public_document_or_404(round_: Round, document_id: int) -> Document:
    """A file of ``round_`` that the public may download: one of the round's own documents, or
    one attached to the latest submitted version of an answer to it; never a confidential one,
    nor one of a confidential answer, a draft or an earlier version."""
    document = db.session.get(Document, document_id)
    if document is None or document.secrecy_ground is not None:
        abort(404)
    if document.round_id is not None:
        if document.round_id != round_.id:
            abort(404)
        return document
    version = document.version
    recipient = version.answer.recipient
    if (
        recipient.round_id != round_.id
        or public_version(recipient) is not version
        or version.secrecy_ground is not None
    ):
        abort(404)
    return document


def submitted_version_of_round_or_404(round_: Round, version_id: int) -> AnswerVersion:
    version = db.session.get(AnswerVersion, version_id)
    if version is None or not version.is_submitted or version.answer.recipient.round_id != round_.id:
        abort(404)
    return version


def comment_of_round_or_404(round_: Round, comment_id: int) -> MeasureComment:
    comment = db.session.get(MeasureComment, comment_id)
    if comment is None:
        abort(404)
    submitted_version_of_round_or_404(round_, comment.version_id)
    return comment


def document_of_round_or_404(round_: Round, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    if document.round_id is not None:
        if document.round_id != round_.id:
            abort(404)
    else:
        submitted_version_of_round_or_404(round_, document.version_id)
    return document


def answered_recipients(round_: Round) -> list[Recipient]:
    """The recipients of ``round_`` that have submitted an answer."""
    return [r for r in round_.recipients if r.latest_submitted is not None]


# The office's controls -------------------------------------------------------------------------
SECRECY_GROUND_MAX = 300


def set_public(round_: Round, listed: bool, *, actor) -> bool:
    """List ``round_`` in the public register or keep it out; returns whether anything changed.
    Only a change is stored as the officer's choice: saving what the installation's setting
    already gives leaves the round following the setting. A draft may be chosen in advance: it
    appears in the register once it has been sent."""
    if round_.is_chosen_for_register == listed:
        return False
    round_.register_choice = listed
    record(
        "round.made_public" if listed else "round.made_not_public",
        round_,
        actor=actor,
    )
    return True


def _describe(item) -> str:
    if isinstance(item, AnswerVersion):
        return f"svaret från {item.answer.recipient.organisation.name} (version {item.number})"
    if isinstance(item, MeasureComment):
        target = item.measure or item.focus_area
        organisation = item.version.answer.recipient.organisation.name
        return f"synpunkten på {target.label.lower()} från {organisation}"
    return f"filen {item.original_name}"


def mark_confidential(item, ground: str, *, round_: Round, actor) -> None:
    """Withhold ``item`` (an answer version, a comment or a document) from the public register on
    the legal ground ``ground``. Raises ``DomainError`` when the ground is missing or too long."""
    ground = " ".join((ground or "").split())
    if not ground:
        raise DomainError("Ange den rättsliga grunden för sekretessen, till exempel ”OSL 18 kap. 1 §”.")
    if len(ground) > SECRECY_GROUND_MAX:
        raise DomainError(f"Den rättsliga grunden får vara högst {SECRECY_GROUND_MAX} tecken.")
    previous = item.secrecy_ground
    item.secrecy_ground = ground
    record(
        "secrecy.marked",
        item,
        actor=actor,
        round_id=round_.id,
        what=_describe(item),
        ground=ground,
        previous=previous,
    )


def lift_secrecy(item, *, round_: Round, actor) -> None:
    if item.secrecy_ground is None:
        raise DomainError("Uppgiften är inte sekretessmarkerad.")
    previous = item.secrecy_ground
    item.secrecy_ground = None
    record(
        "secrecy.lifted",
        item,
        actor=actor,
        round_id=round_.id,
        what=_describe(item),
        previous=previous,
    )
