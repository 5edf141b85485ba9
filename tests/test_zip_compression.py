"""The tracker's ZIP files (the summary's archive of a round, the register's archive of public
answers) store Word, Excel and OpenDocument files as they are – they are ZIP containers already,
and deflating them again costs time and saves nothing – and deflate the rest (PDF, the lists)."""

from __future__ import annotations

import io
import zipfile

from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.summary.archive import write_zip
from tests import files
from tests.factories import make_round


def test_containers_are_stored_and_the_rest_deflated_and_both_read_back_whole(app):
    contents = {
        "Remissförslag.pdf": files.pdf("Förslag till handlingsplan"),
        "Missiv.docx": files.docx(),
        "Bilaga.odt": files.odt(),
    }
    with app.app_context():
        round_ = make_round()
        for name, data in contents.items():
            document = documents.store(
                io.BytesIO(data), name, kind=DocumentKind.APPENDIX, allowed=documents.ROUND_DOCUMENT_TYPES
            )
            document.round = round_
            db.session.add(document)
        db.session.commit()
        out = io.BytesIO()
        write_zip(round_, out)

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.testzip() is None
        by_name = {info.filename.rsplit("/", 1)[-1]: info for info in archive.infolist()}
        for name, data in contents.items():
            info = by_name[name]
            assert archive.read(info) == data
            expected = zipfile.ZIP_DEFLATED if name.endswith(".pdf") else zipfile.ZIP_STORED
            assert info.compress_type == expected, name
        # The manifest is text: deflated.
        others = [info for name, info in by_name.items() if name not in contents]
        assert others and all(info.compress_type == zipfile.ZIP_DEFLATED for info in others)
