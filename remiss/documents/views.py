"""Downloading a document: only for those allowed to see what it belongs to
(``Document.visible_to``), always as an attachment, under its original (Swedish) name."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from remiss.documents import service
from remiss.documents.models import Document
from remiss.extensions import db

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.route("/<int:document_id>")
@login_required
def download(document_id: int):
    document = db.get_or_404(Document, document_id)
    if not document.visible_to(current_user):
        abort(404)
    return service.send(document)
