"""Downloading a document: only for those allowed to see what it belongs to, always as an
attachment, under its original (Swedish) name."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from remiss.documents import service
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds.access import can_see_round

bp = Blueprint("documents", __name__, url_prefix="/documents")


def can_download(user, document: Document) -> bool:
    if document.round is not None:
        return can_see_round(user, document.round)
    recipient = document.version.answer.recipient
    if user.is_staff:
        return True
    # A respondent: its own organisation's files, but never the files of another body.
    return user.is_respondent and recipient.organisation_id == user.organisation_id


@bp.route("/<int:document_id>")
@login_required
def download(document_id: int):
    document = db.get_or_404(Document, document_id)
    if not can_download(current_user, document):
        abort(404)
    return service.send(document)
