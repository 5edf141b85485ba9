"""The round's recipients: chosen in one go on a page of checkboxes grouped as the register
groups them (ticked to add, unticked to remove one that has not begun answering), a contact
address changed, the invitation sent again, an extension granted, an answer marked read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.core.text import plural
from remiss.core.time import format_date, utcnow
from remiss.extensions import db
from remiss.rounds import operations, service
from remiss.rounds.access import get_round_or_404, recipient_or_404
from remiss.rounds.forms import ContactForm, ExtensionForm, RecipientsForm
from remiss.rounds.models import Round
from remiss.rounds.views import actor, bp, refuse, require_post_form, table_place, to_round

ANCHOR = "remissinstanser"


def bodies(count: int) -> str:
    """``1 remissinstans``, ``3 remissinstanser``."""
    return plural(count, "remissinstans", "remissinstanser")


def _refuse_unless_changeable(round_: Round):
    if not round_.recipients_changeable:
        flash("Remissinstanser kan bara väljas medan remissen är ett utkast eller öppen.", "error")
        return to_round(round_, ANCHOR)
    return None


def _form(organisations, *, posted: bool = True) -> RecipientsForm:
    form = RecipientsForm() if posted else RecipientsForm(formdata=None)
    form.organisations.choices = [(str(o.id), o.name) for o in organisations]
    return form


def _page(round_: Round, organisations, form, chosen_ids=None, *, selected_group=None, status=200):
    groups = service.recipient_groups(round_, organisations, chosen_ids)
    chosen = [c for g in groups for c in g.choices if c.chosen]
    return (
        render_template(
            "rounds/recipients.html",
            round=round_,
            form=form,
            groups=groups,
            chosen=sorted(chosen, key=lambda c: c.organisation.name.casefold()),
            selected_group=selected_group,
        ),
        status,
    )


def _saved_message(round_: Round, added, removed) -> str:
    parts = []
    if added:
        parts.append(f"{bodies(len(added))} lades till")
    if removed:
        parts.append(f"{len(removed)} togs bort" if added else f"{bodies(len(removed))} togs bort")
    text = ", ".join(parts) + "."
    if any(r.invited_at for r in added):
        text += (
            " Remissen är öppen, så "
            + ("den som lades till är inbjuden" if len(added) == 1 else "de som lades till är inbjudna")
            + " nu."
        )
    return text


@bp.route("/<int:round_id>/recipients", methods=["GET", "POST"])
@officer_required
def recipients(round_id: int):
    """Choose the round's recipients in one go. "Välj hela gruppen" (a submit button, for when
    JavaScript is off; ``static/js/recipients.js`` ticks the group in the page instead) brings the
    page back with the group ticked and nothing saved; "Spara" adds the newly ticked and removes
    the unticked in one transaction."""
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_changeable(round_):
        return refused
    organisations = service.choosable_organisations(round_)
    if request.method == "GET":
        return _page(round_, organisations, _form(organisations, posted=False))
    form = _form(organisations)
    if not form.validate_on_submit():
        valid = {o.id for o in organisations}
        posted = {int(v) for v in form.organisations.data or [] if v.isascii() and v.isdigit()} & valid
        return _page(round_, organisations, form, posted, status=422)
    chosen_ids = {int(v) for v in form.organisations.data or []}
    if form.select_group.data:
        groups = service.recipient_groups(round_, organisations, chosen_ids)
        group = next((g for g in groups if g.name == form.select_group.data), None)
        if group is None:
            form.organisations.errors.append("Välj en grupp i listan.")
            return _page(round_, organisations, form, chosen_ids, status=422)
        chosen_ids |= {c.organisation.id for c in group.choices}
        return _page(round_, organisations, form, chosen_ids, selected_group=group.name)
    wanted = [o for o in organisations if o.id in chosen_ids]
    try:
        added, removed = operations.choose_recipients(round_, wanted, by=actor(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        form.organisations.errors.append(error.message)
        return _page(round_, service.choosable_organisations(round_), form, chosen_ids, status=422)
    if not added and not removed:
        flash("Inget ändrades: samma remissinstanser som förut.", "info")
    else:
        db.session.commit()
        flash(_saved_message(round_, added, removed), "success")
    return redirect(url_for("rounds.recipients", round_id=round_.id))


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_recipient(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    if not round_.contacts_editable:
        flash("En avslutad remiss kan inte ändras.", "error")
        return to_round(round_, ANCHOR)
    form = ContactForm(obj=recipient)
    if form.validate_on_submit():
        try:
            operations.change_contact(recipient, form.contact_email.data, by=actor())
        except DomainError as error:
            return refuse(round_, error, ANCHOR)
        db.session.commit()
        flash(f"Kontaktadressen för {recipient.organisation.name} är sparad.", "success")
        return to_round(round_, ANCHOR)
    return render_template(
        "rounds/recipient_form.html", round=round_, recipient=recipient, form=form, place=table_place()
    )


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/remove", methods=["POST"])
@officer_required
def remove_recipient(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    require_post_form()
    name = recipient.organisation.name
    try:
        operations.remove_recipient(recipient, by=actor())
    except DomainError as error:
        return refuse(round_, error, ANCHOR)
    db.session.commit()
    flash(f"{name} är borttagen som remissinstans.", "success")
    return to_round(round_, ANCHOR)


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/invite", methods=["POST"])
@officer_required
def resend_invitation(round_id: int, recipient_id: int):
    """The invitation again, with a fresh personal link: for a body that has nobody with an
    account yet (the round page offers it there)."""
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    require_post_form()
    try:
        operations.resend_invitation(recipient, by=actor(), now=utcnow())
    except DomainError as error:
        return refuse(round_, error, ANCHOR)
    db.session.commit()
    flash(
        f"Inbjudan till {recipient.organisation.name} skickas igen till {recipient.contact_email}, "
        "med en ny personlig länk.",
        "success",
    )
    return to_round(round_, ANCHOR)


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/extension", methods=["GET", "POST"])
@officer_required
def extension(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    if not round_.extensions_allowed:
        flash("Anstånd kan bara ges medan remissen är öppen.", "error")
        return to_round(round_, ANCHOR)
    form = ExtensionForm(obj=recipient)
    if not form.is_submitted():
        form.reason.data = recipient.extension_reason
    if form.validate_on_submit():
        try:
            operations.grant_extension(
                recipient, form.extended_deadline.data, form.reason.data, by=actor(), now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            form.extended_deadline.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                f"{recipient.organisation.name} har anstånd till "
                f"{format_date(recipient.extended_deadline, 'long')}.",
                "success",
            )
            return to_round(round_, ANCHOR)
    return render_template(
        "rounds/extension.html", round=round_, recipient=recipient, form=form, place=table_place()
    )


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/read", methods=["POST"])
@officer_required
def mark_read(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    require_post_form()
    try:
        newly_read = operations.mark_answer_read(recipient, by=actor(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        if newly_read:
            db.session.commit()
            flash(f"Svaret från {recipient.organisation.name} är markerat som läst.", "success")
    if request.form.get("back") == "start":
        return redirect(url_for("rounds.dashboard"))
    return to_round(round_, ANCHOR)
