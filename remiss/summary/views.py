"""The summary of a round (sammanställning av remissvar): the page, the office's assessment,
the Excel file and all documents as a ZIP. Officers and managers read it; officers write the
assessment and download the documents; respondents never see it."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from urllib.parse import quote

import click
import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from remiss.answers.models import MeasurePosition
from remiss.core.access import officer_required, staff_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm
from remiss.core.text import plural
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.rounds.access import get_round_or_404
from remiss.summary import archive, export_job
from remiss.summary.area import NO_POSITION, WHOLE, Filters, load_part
from remiss.summary.compile import NO_ANSWER, compile_summary, stream_summary
from remiss.summary.forms import (
    ReportForm,
    TagForm,
    ThemeForm,
    ThemeRemoveForm,
    assessment_form_for,
    work_form_for,
)
from remiss.summary.models import Theme
from remiss.summary.report import (
    DOCX_MIMETYPE,
    ReportOptions,
    draft_intro,
    report_filename,
    round_bodies,
    stored_intro,
    write_report,
)
from remiss.summary.service import (
    add_theme,
    can_edit_assessment,
    merge_assessment,
    remove_theme,
    save_report_intro,
    tag_comments,
    text_hash,
)
from remiss.summary.xlsx import XLSX_MIMETYPE, export_filename, export_xlsx, safe_dnr, write_xlsx

# cli_group=None: the commands sit at the top level (``flask --app app export-summary``).
bp = Blueprint("summary", __name__, url_prefix="/rounds", cli_group=None)


def _round_page(round_id: int) -> str | None:
    """The round's own page, when the rounds area provides one."""
    if "rounds.show" in current_app.view_functions:
        return url_for("rounds.show", round_id=round_id)
    return None


@bp.route("/<int:round_id>/summary")
@staff_required
def show(round_id: int):
    """The summary, one focus area at a time (``?omrade=<id>``, the first by default) under the
    facts, the counts, every body's answer and the counts of every focus area: what the page
    loads grows with the area shown, not with the round's comments."""
    round_ = get_round_or_404(round_id)
    summary = stream_summary(round_)  # the head only: its comments are never read here
    part = request.args.get("omrade", "")
    if not part:
        first = next(iter(round_.focus_areas), None)
        part = str(first.id) if first else WHOLE
    try:
        page = load_part(round_, part, groups=False)
    except LookupError:
        abort(404)
    return render_template(
        "summary/show.html",
        summary=summary,
        page=page,
        round_page=_round_page(round_.id),
        can_edit=current_user.is_officer and can_edit_assessment(round_),
        **_structure(round_, summary),
    )


def _structure(round_, summary) -> dict:
    """What the pages need to speak of questions where the round asks them: the heading of its
    structure, its parts by id, and whether positions on the draft as a whole are worth showing
    (a question round whose bodies took none shows no position chart or column)."""
    took_position = any(r.answered and r.position != NO_ANSWER for r in summary.recipients)
    return {
        "structure_heading": round_.structure_heading,
        "areas": {str(a.id): a for a in round_.focus_areas},
        "asks_questions": round_.asks_questions,
        "lists_measures": round_.lists_measures,
        "show_positions": round_.lists_measures or took_position,
    }


@bp.route("/<int:round_id>/summary/assessment", methods=["GET", "POST"])
@officer_required
def assessment(round_id: int):
    round_ = get_round_or_404(round_id)
    if not can_edit_assessment(round_):
        flash("Remissen är avslutad. Bedömningen kan inte längre ändras.", "error")
        return redirect(url_for("summary.show", round_id=round_.id))
    form = assessment_form_for(round_)
    if form.validate_on_submit():
        try:
            # The same three-way merge as beside the comments: a text changed meanwhile by
            # another officer is neither overwritten nor lost.
            result = merge_assessment(round_, form.posted(round_), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("summary.show", round_id=round_.id))
        if result.conflicts:
            # Nothing is saved until the officer has chosen (one transaction, nothing half-saved);
            # the form keeps every text she wrote.
            db.session.rollback()
            for conflict in result.conflicts:
                form.base_of(conflict.key).data = text_hash(conflict.theirs)
            conflicts = {form.field_of(c.key).name: c for c in result.conflicts}
            return render_template(
                "summary/assessment.html", round_=round_, form=form, conflicts=conflicts
            ), 409
        db.session.commit()
        message = "Bedömningen är sparad." if result.changed else "Bedömningen är oförändrad."
        if result.merged:
            message += " Ändringar som en kollega sparat under tiden finns kvar."
        flash(message, "success")
        return redirect(url_for("summary.show", round_id=round_.id, _anchor="bedomning"))
    return render_template("summary/assessment.html", round_=round_, form=form, conflicts={})


def _start_page(round_, export: export_job.Export, params: dict | None = None, args: dict | None = None):
    """A large round's ``export`` is written by the worker process: the person starts it (a POST
    to ``export.start_endpoint``, with the same query string ``args``) and follows its progress;
    one already under way for them is shown instead."""
    running = export_job.find_export(round_, current_user, export, params)
    if running is not None:
        return redirect(url_for("tasks.show", job_id=running.id))
    return render_template(
        "tasks/start_export.html",
        round=round_,
        export=export,
        comments=export_job.comment_count(round_),
        start_url=url_for(export.start_endpoint, round_id=round_.id, **(args or {})),
        summary_url=url_for("summary.show", round_id=round_.id),
    )


def _start(round_, export: export_job.Export, params: dict | None, at_once_url: str):
    """Start ``export`` of a large round as a background job and show its progress page."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not export_job.needs_job(round_, export):
        return redirect(at_once_url)
    try:
        job = export_job.start_export(round_, current_user._get_current_object(), export, params)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("summary.show", round_id=round_.id))
    db.session.commit()
    return redirect(url_for("tasks.show", job_id=job.id))


@bp.route("/<int:round_id>/summary/export")
@staff_required
def export(round_id: int):
    round_ = get_round_or_404(round_id)
    if export_job.needs_job(round_, export_job.EXCEL):
        return _start_page(round_, export_job.EXCEL)
    # The comments are streamed from the database into the writer; only the finished
    # (compressed) file is held in memory: a few megabytes even for 200,000 comments.
    buffer = io.BytesIO()
    summary = export_xlsx(round_, buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=export_filename(summary),
        max_age=0,
    )


@bp.route("/<int:round_id>/summary/export/start", methods=["POST"])
@staff_required
def start_export(round_id: int):
    """Start the Excel export of a large round as a background job."""
    round_ = get_round_or_404(round_id)
    return _start(round_, export_job.EXCEL, None, url_for("summary.export", round_id=round_.id))


@bp.route("/<int:round_id>/summary/report", methods=["GET", "POST"])
@officer_required
def report(round_id: int):
    """The report's opening, drafted from the round's facts and edited here before export."""
    round_ = get_round_or_404(round_id)
    summary = compile_summary(round_)
    draft = draft_intro(summary, round_bodies(round_.id))
    stored = stored_intro(round_.id)
    form = ReportForm()
    if not form.is_submitted():
        form.intro.data = stored or draft
    editable = not round_.is_read_only
    if editable and form.validate_on_submit():
        text = form.intro.data or ""
        if request.form.get("reset") or text.strip() == draft.strip():
            text = ""  # the draft again: it follows the facts
        try:
            changed = save_report_intro(round_, text, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("summary.report", round_id=round_.id))
        db.session.commit()
        flash("Inledningen är sparad." if changed else "Inledningen är oförändrad.", "success")
        return redirect(url_for("summary.report", round_id=round_.id))
    status = 400 if form.errors else 200
    return (
        render_template(
            "summary/report.html",
            summary=summary,
            form=form,
            edited=stored is not None,
            editable=editable,
        ),
        status,
    )


def _report_args() -> tuple[bool, dict]:
    """Whether the report shows only the grouped points (``?urval=grupperat``), and that query."""
    grouped = request.args.get("urval") == "grupperat"
    return grouped, ({"urval": "grupperat"} if grouped else {})


@bp.route("/<int:round_id>/summary/report.docx")
@staff_required
def report_download(round_id: int):
    """The report as Word: every comment, or (``?urval=grupperat``) similar ones once. A large
    round's is written by the worker process (``export_job.WORD``)."""
    round_ = get_round_or_404(round_id)
    grouped, args = _report_args()
    if export_job.needs_job(round_, export_job.WORD):
        return _start_page(round_, export_job.WORD, export_job.report_params(grouped), args)
    buffer = io.BytesIO()
    summary = write_report(round_, buffer, ReportOptions(grouped=grouped))
    db.session.commit()  # similar-answer groups computed for it are kept
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=DOCX_MIMETYPE,
        as_attachment=True,
        download_name=report_filename(summary),
        max_age=0,
    )


@bp.route("/<int:round_id>/summary/report.docx/start", methods=["POST"])
@staff_required
def start_report(round_id: int):
    """Start the Word report of a large round as a background job."""
    round_ = get_round_or_404(round_id)
    grouped, args = _report_args()
    at_once = url_for("summary.report_download", round_id=round_.id, **args)
    return _start(round_, export_job.WORD, export_job.report_params(grouped), at_once)


def _attachment(name: str) -> str:
    """A Content-Disposition for a name with Swedish letters (RFC 6266 / 5987), as send_file does."""
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    simple = simple.replace("\\", "").replace('"', "")
    return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.route("/<int:round_id>/summary/documents")
@officer_required
def documents(round_id: int):
    round_ = get_round_or_404(round_id)
    entries = archive.round_archive_entries(round_)
    name = f"Remisshandlingar {safe_dnr(round_.dnr)} {local_today():%Y-%m-%d}.zip"
    response = Response(archive.stream_zip(round_, entries), mimetype="application/zip")
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.cli.command("export-summary")
@click.argument("round_id", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The .xlsx file to write; by default the usual name in the current folder.",
)
def export_summary_command(round_id: int, output: Path | None) -> None:
    """Write a round's summary (sammanställning av remissvar) to an Excel file."""
    try:
        summary = stream_summary(round_id)
    except LookupError:
        raise click.ClickException(f"Det finns ingen remiss med id {round_id}.") from None
    output = output or Path(export_filename(summary))
    with open(output, "wb") as stream:
        write_xlsx(summary, stream)
    click.echo(
        f"Sammanställningen av {summary.round.dnr} ({summary.counts.answered} av "
        f"{summary.counts.invited} svar) är sparad i {output}."
    )


@bp.cli.command("export-report")
@click.argument("round_id", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The .docx file to write; by default the usual name in the current folder.",
)
@click.option("--grouped", is_flag=True, help="Similar comments once, with the bodies that sent them.")
def export_report_command(round_id: int, output: Path | None, grouped: bool) -> None:
    """Write a round's report (redovisning av remissvar) to a Word file."""
    buffer = io.BytesIO()
    try:
        summary = write_report(round_id, buffer, ReportOptions(grouped=grouped))
    except LookupError:
        raise click.ClickException(f"Det finns ingen remiss med id {round_id}.") from None
    db.session.commit()
    output = output or Path(report_filename(summary))
    output.write_bytes(buffer.getvalue())
    click.echo(f"Redovisningen av remissvaren för {summary.round.dnr} är sparad i {output}.")


# The page beside the comments: one focus area (or the whole) at a time -----------------------------
def _filters() -> Filters:
    def number(name: str) -> int | None:
        value = request.args.get(name, "")
        return int(value) if value.isdigit() and len(value) < 12 else None

    position = request.args.get("stallning", "")
    if position not in {p.value for p in MeasurePosition} | {NO_POSITION}:
        position = ""
    return Filters(body=number("instans"), position=position, theme=number("tema"))


def _filter_args(filters: Filters) -> dict:
    args = {}
    if filters.body:
        args["instans"] = filters.body
    if filters.position:
        args["stallning"] = filters.position
    if filters.theme:
        args["tema"] = filters.theme
    return args


def _work_texts(page) -> dict[str, tuple[str, str]]:
    round_ = page.round
    if page.area is None:
        return {
            "round": ("Stadsledningskontorets bedömning av förslaget som helhet", round_.assessment or ""),
            "changes": ("Genomförda förändringar i förslaget", round_.assessment_changes or ""),
        }
    return {
        item.key: (f"Stadsledningskontorets bedömning av {item.heading.lower()}", item.assessment)
        for item in page.items
    }


@bp.route("/<int:round_id>/summary/arbeta", methods=["GET", "POST"])
@officer_required
def work(round_id: int):
    """Every comment of one focus area (``?del=<id>``; the first by default, ``helhet`` for the
    draft as a whole) beside the office's assessment of it."""
    round_ = get_round_or_404(round_id)
    part = request.args.get("del", "")
    if not part:
        first = next(iter(round_.focus_areas), None)
        part = str(first.id) if first else WHOLE
    filters = _filters()
    try:
        page = load_part(round_, part, filters)
    except LookupError:
        abort(404)
    db.session.commit()  # similar-answer groups computed for this page are kept
    texts = _work_texts(page)
    form = work_form_for(texts)
    conflicts = []
    status = 200
    if form.validate_on_submit():
        if not round_.assessment_editable:
            flash("Bedömningen kan inte ändras nu.", "error")
            return redirect(_work_url(round_.id, part, **_filter_args(filters)))
        try:
            result = merge_assessment(round_, form.posted(texts), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(_work_url(round_.id, part, **_filter_args(filters)))
        if result.conflicts:
            db.session.rollback()  # nothing saved until the officer has chosen
        else:
            db.session.commit()
        if not result.conflicts:
            message = "Bedömningen är sparad." if result.changed else "Bedömningen är oförändrad."
            if result.merged:
                message += " Ändringar som en kollega sparat under tiden finns kvar."
            flash(message, "success")
            return redirect(_work_url(round_.id, part, **_filter_args(filters)))
        # Both changed the same text: show both; the next save takes what the officer keeps.
        conflicts = result.conflicts
        for conflict in conflicts:
            form.base_field(conflict.key).data = text_hash(conflict.theirs)
            form.text_field(conflict.key).data = conflict.yours
        page = load_part(round_, part, filters)
        status = 409
    elif form.errors:
        status = 400
    return (
        render_template(
            "summary/work.html",
            page=page,
            form=form,
            conflicts={c.key: c for c in conflicts},
            tag_form=TagForm(formdata=None),
            theme_form=ThemeForm(formdata=None),
            remove_form=ThemeRemoveForm(formdata=None),
            filter_args=_filter_args(filters),
            positions=[(p.value, p.label) for p in MeasurePosition]
            + [(NO_POSITION, "Utan ställningstagande")],
            themes_editable=round_.is_sent and not round_.is_read_only,
            editable=round_.assessment_editable,
            whole=WHOLE,
            work_url=lambda part, **args: _work_url(round_.id, part, args.pop("_anchor", None), **args),
            structure_heading=round_.structure_heading,
            areas={str(a.id): a for a in round_.focus_areas},
            asks_questions=round_.asks_questions,
            lists_measures=round_.lists_measures,
        ),
        status,
    )


def _work_url(round_id: int, part: str, anchor: str | None = None, **args) -> str:
    return url_for("summary.work", round_id=round_id, _anchor=anchor or None, **{"del": part}, **args)


def _back(round_, part: str | None, anchor: str | None = None):
    part = part if part and (part == WHOLE or part.isdigit()) else WHOLE
    return redirect(url_for("summary.work", round_id=round_.id, **{"del": part}, _anchor=anchor or None))


@bp.route("/<int:round_id>/summary/teman", methods=["POST"])
@officer_required
def theme_add(round_id: int):
    round_ = get_round_or_404(round_id)
    form = ThemeForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(round_, form.part.data)
    try:
        theme = add_theme(round_, form.name.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(round_, form.part.data, "teman")
    db.session.commit()
    flash(f"Temat ”{theme.name}” är tillagt.", "success")
    return _back(round_, form.part.data, "teman")


@bp.route("/<int:round_id>/summary/teman/ta-bort", methods=["POST"])
@officer_required
def theme_remove(round_id: int):
    round_ = get_round_or_404(round_id)
    form = ThemeRemoveForm()
    if not form.validate_on_submit():
        abort(400)
    theme = db.session.get(Theme, form.theme.data)
    if theme is None or theme.round_id != round_.id:
        abort(404)
    try:
        remove_theme(round_, theme, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(round_, form.part.data, "teman")
    db.session.commit()
    flash("Temat är borttaget.", "success")
    return _back(round_, form.part.data, "teman")


@bp.route("/<int:round_id>/summary/teman/markera", methods=["POST"])
@officer_required
def tag(round_id: int):
    """The themes of one comment, or of a group of similar comments at once."""
    round_ = get_round_or_404(round_id)
    form = TagForm()
    form.themes.choices = [
        (t.id, t.name) for t in db.session.scalars(sa.select(Theme).where(Theme.round_id == round_.id))
    ]
    if not form.validate_on_submit():
        flash(
            "Markeringen kunde inte sparas: " + " ".join(e for es in form.errors.values() for e in es),
            "error",
        )
        return _back(round_, form.part.data)
    try:
        count = tag_comments(
            round_,
            [int(i) for i in form.comments.data.split(",")],
            form.themes.data or [],
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(round_, form.part.data, form.anchor.data)
    db.session.commit()
    flash(
        "Temana är sparade" + (f" för {plural(count, 'synpunkt', 'synpunkter')}." if count > 1 else "."),
        "success",
    )
    return _back(round_, form.part.data, form.anchor.data)
