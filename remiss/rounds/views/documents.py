"""The round's documents: upload (a new one, or a corrected one that replaces a current one),
and delete while the round is a draft. Once sent, documents are records and stay."""

from __future__ import annotations

from flask import abort, flash

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db
from remiss.rounds import operations
from remiss.rounds.access import get_round_or_404
from remiss.rounds.forms import document_form
from remiss.rounds.models import Round
from remiss.rounds.views import actor, bp, refuse, require_post_form, to_round


def _document_or_404(round_: Round, document_id: int) -> Document:
    document = db.get_or_404(Document, document_id)
    if document.round_id != round_.id:
        abort(404)
    return document


@bp.route("/<int:round_id>/documents", methods=["POST"])
@officer_required
def upload_document(round_id: int):
    round_ = get_round_or_404(round_id)
    form = document_form(round_)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return to_round(round_, "dokument")
    replaces = _document_or_404(round_, int(form.replaces.data)) if form.replaces.data else None
    try:
        document = operations.add_document(
            round_, form.file.data, DocumentKind(form.kind.data), by=actor(), replaces=replaces
        )
    except DomainError as error:
        return refuse(round_, error, "dokument")
    db.session.commit()
    if (
        document.kind is DocumentKind.DRAFT
        and round_.structure_editable
        and document.original_name.lower().endswith(".docx")
    ):
        replacing = f" och ersätter {replaces.original_name}" if replaces is not None else ""
        flash(
            f"{document.original_name} är uppladdad{replacing}. Under Struktur kan du låta tjänsten "
            "föreslå remissens struktur från dokumentets rubriker och listor.",
            "success",
        )
        return to_round(round_, "struktur")
    if replaces is None:
        flash(f"{document.original_name} är uppladdad.", "success")
    else:
        flash(f"{document.original_name} är uppladdad och ersätter {replaces.original_name}.", "success")
    return to_round(round_, "dokument")


@bp.route("/<int:round_id>/documents/<int:document_id>/remove", methods=["POST"])
@officer_required
def remove_document(round_id: int, document_id: int):
    round_ = get_round_or_404(round_id)
    document = _document_or_404(round_, document_id)
    require_post_form()
    name = document.original_name
    try:
        operations.remove_document(document, by=actor())
    except DomainError as error:
        return refuse(round_, error, "dokument")
    db.session.commit()
    flash(f"{name} är borttagen.", "success")
    return to_round(round_, "dokument")
