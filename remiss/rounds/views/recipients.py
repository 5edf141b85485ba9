"""The round's recipients: add one by one or a whole group, change a contact address, remove
one that has not begun answering, send the invitation again, grant an extension, mark an
answer read."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.core.forms import choices
from remiss.core.time import format_date, utcnow
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds import operations
from remiss.rounds.access import get_round_or_404, recipient_or_404
from remiss.rounds.forms import ContactForm, ExtensionForm, GroupForm, RecipientForm
from remiss.rounds.models import Recipient, Round
from remiss.rounds.views import actor, bp, refuse, require_post_form, to_round

ANCHOR = "remissinstanser"


def _available_organisations(round_: Round) -> list[Organisation]:
    """Active organisations not yet recipients of ``round_``: what the officer can pick."""
    invited = {r.organisation_id for r in round_.recipients}
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.name)
    ).all()
    return [o for o in organisations if o.id not in invited]


def _offer(form: RecipientForm, available: list[Organisation]) -> RecipientForm:
    form.organisation_id.choices = choices(
        ((str(o.id), f"{o.name} ({o.email})") for o in available), blank="Välj organisation"
    )
    return form


def _recipient_page(round_: Round, form=None, group_form=None, status=200):
    available = _available_organisations(round_)
    form = _offer(form or RecipientForm(formdata=None), available)
    groups = sorted({o.group for o in available if o.group})
    if group_form is None:
        group_form = GroupForm(formdata=None)
    group_form.group.choices = choices(((g, g) for g in groups), blank="Välj grupp")
    return (
        render_template(
            "rounds/recipients.html",
            round=round_,
            form=form,
            group_form=group_form,
            groups=groups,
            available=available,
        ),
        status,
    )


def _added_message(round_: Round, added: list[Recipient]) -> str:
    names = ", ".join(r.organisation.name for r in added)
    text = f"Tillagd som remissinstans: {names}." if len(added) == 1 else f"Tillagda: {names}."
    if any(r.invited_at for r in added):
        text += " Remissen är öppen, så de är inbjudna nu."
    return text


def _refuse_unless_changeable(round_: Round):
    if not round_.recipients_changeable:
        flash("Remissinstanser kan bara läggas till medan remissen är ett utkast eller öppen.", "error")
        return to_round(round_, ANCHOR)
    return None


@bp.route("/<int:round_id>/recipients", methods=["GET", "POST"])
@officer_required
def recipients(round_id: int):
    """Pick organisations one by one (POST here) or a whole group (``add_group``)."""
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_changeable(round_):
        return refused
    if request.method == "GET":
        return _recipient_page(round_)
    form = _offer(RecipientForm(), _available_organisations(round_))
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation_id.data))
        try:
            added = operations.add_recipients(
                round_, [organisation], by=actor(), contact_email=form.contact_email.data, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            form.organisation_id.errors.append(error.message)
        else:
            db.session.commit()
            flash(_added_message(round_, added), "success")
            return redirect(url_for("rounds.recipients", round_id=round_.id))
    return _recipient_page(round_, form=form, status=422)


@bp.route("/<int:round_id>/recipients/group", methods=["POST"])
@officer_required
def add_group(round_id: int):
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_changeable(round_):
        return refused
    form = GroupForm()
    if form.validate_on_submit():
        invited = {r.organisation_id for r in round_.recipients}
        members = db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.group == form.group.data, Organisation.active.is_(True))
            .order_by(Organisation.name)
        ).all()
        new = [o for o in members if o.id not in invited]
        if not members:
            form.group.errors.append("Välj en grupp i listan.")
        elif not new:
            form.group.errors.append("Alla organisationer i gruppen är redan remissinstanser.")
        else:
            try:
                added = operations.add_recipients(round_, new, by=actor(), now=utcnow())
            except DomainError as error:
                db.session.rollback()
                form.group.errors.append(error.message)
            else:
                db.session.commit()
                flash(_added_message(round_, added), "success")
                return redirect(url_for("rounds.recipients", round_id=round_.id))
    return _recipient_page(round_, group_form=form, status=422)


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
    return render_template("rounds/recipient_form.html", round=round_, recipient=recipient, form=form)


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
    return render_template("rounds/extension.html", round=round_, recipient=recipient, form=form)


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
