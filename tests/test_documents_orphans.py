"""Files that no row refers to – a partial upload of a killed worker, a file stored in a
transaction that never committed – are removed once they are a day old, by the daily job and by
``flask --app app remove-orphan-files``; files of documents and young files are never touched."""

from __future__ import annotations

import io
import os
import time

from remiss.documents import service
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from tests import files
from tests.factories import make_round

DAY = 24 * 3600


def _age(path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_only_old_files_without_a_row_are_removed(app, runner):
    with app.app_context():
        round_ = make_round()
        kept = service.store(
            io.BytesIO(files.pdf()), "Förslag.pdf", kind=DocumentKind.DRAFT, allowed=(service.PDF,)
        )
        kept.round_id = round_.id
        db.session.add(kept)
        db.session.commit()
        kept_path = service.path_of(kept)
        folder = kept_path.parent.parent
    # What a killed worker leaves behind: a partial file and a whole file nobody refers to.
    partial = folder / "ab" / "abcdef.part"
    orphan = folder / "cd" / ("cd" + "0" * 30)
    young = folder / "ef" / ("ef" + "1" * 30)
    for path in (partial, orphan, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 half")
    for path in (partial, orphan, kept_path):
        _age(path, 2 * DAY)
    _age(young, 3600)

    result = runner.invoke(args=["remove-orphan-files", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert partial.exists() and orphan.exists()  # a dry run removes nothing
    assert "Skulle ta bort" in result.output

    result = runner.invoke(args=["remove-orphan-files"])
    assert result.exit_code == 0, result.output
    assert "2 filer utan dokument togs bort" in result.output
    assert not partial.exists() and not orphan.exists()
    assert kept_path.exists(), "a document's own file was removed"
    assert young.exists(), "a file that may belong to an upload under way was removed"


def test_nothing_to_do_without_an_upload_folder(app):
    with app.app_context():
        report = service.remove_orphan_files()
    assert report.removed == [] and report.kept_young == 0
