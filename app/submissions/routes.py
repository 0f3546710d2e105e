"""Members and support teams submit initiatives; nothing typed is lost on a weak connection."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..domain import campaigns, eligibility, uploads, workflow
from ..domain.catalog import FIELDS, INVALID_REASONS, RETURN_REASONS, STATUSES
from ..extensions import db
from ..models import Attachment, Initiative, Role, Status
from ..policy import roles_allowed, signed_in
from ..web import render
from . import service
from .forms import InitiativeForm, PageForm, SimilarForm, SubmitDraftForm, UnionFilterForm, WithdrawForm

bp = Blueprint("submissions", __name__, url_prefix="/initiatives")
AUTHORS = (Role.MEMBER, Role.HELPER, Role.REVIEWER, Role.ORGANIZER)


def _visible(initiative_id: int) -> Initiative:
    """The initiative, if the signed-in user may see it; 404 otherwise."""
    return policy.get_or_404(Initiative, initiative_id, lambda item: policy.can_view_initiative(current_user, item))


def _visible_attachment(attachment_id: int, thumbnail: bool = False) -> Attachment:
    return policy.get_or_404(Attachment, attachment_id, lambda item: (not thumbnail or item.has_thumbnail)
                             and policy.can_view_initiative(current_user, item.initiative))


def _form(initiative: Initiative | None) -> InitiativeForm:
    """The initiative form with the choices of the person typing (a helper's union members, the collectives)."""
    form = InitiativeForm()
    form.offer_choices(*service.author_choices(current_user, initiative))
    return form


def _render_form(form: InitiativeForm, initiative: Initiative | None):
    rules = service.form_rules(current_user, initiative)
    return render("submissions/form.html", form=form, initiative=initiative,
                  is_helper=current_user.role == Role.HELPER,
                  rules=rules, evidence_rules=eligibility.evidence_rules(rules),
                  action_url=url_for("submissions.edit", initiative_id=initiative.id) if initiative and initiative.id
                  else url_for("submissions.new"),
                  autosave_url=url_for("submissions.autosave", initiative_id=initiative.id)
                  if initiative and initiative.id else url_for("submissions.autosave_new"))


def _already_submitted(initiative_id: int):
    flash(_("Sáng kiến này đã được gửi trước đó."), "info")
    return redirect(url_for("submissions.detail", initiative_id=initiative_id))


def _save(form: InitiativeForm, initiative: Initiative | None):
    """Shared by the new and edit pages: save as draft, and submit when asked and complete."""
    if form.action.data == "add_author":
        form.authors.append_entry()
        return _render_form(form, initiative)
    if not form.validate():  # too long, wrong type: nothing saved, everything typed shown again
        return _render_form(form, initiative)
    submitting = form.action.data == "submit"
    try:
        saved = service.save(form.to_data(), current_user, initiative, submitting=submitting)
    except service.AlreadySaved as race:  # a double click or a retry already submitted it
        return redirect(url_for("submissions.detail", initiative_id=race.initiative.id))
    except service.SubmissionError as problem:
        db.session.rollback()
        form.author_id.errors = [str(problem)]
        return _render_form(form, initiative if initiative and initiative.id else None)
    except workflow.AlreadyDecided as race:  # submitted by someone else meanwhile: nothing of this request is kept
        db.session.rollback()
        return _already_submitted(race.initiative_id)
    db.session.commit()
    if saved.submitted:
        flash(_("Đã gửi sáng kiến “%(title)s”. Bạn sẽ nhận được kết quả thẩm định tại đây.",
                title=saved.initiative.title), "success")
        return redirect(url_for("submissions.detail", initiative_id=saved.initiative.id))
    form.show_saved(saved)
    if submitting or saved.upload_errors:
        flash(_("Đã lưu nháp. Vui lòng sửa các mục báo lỗi bên dưới rồi gửi lại."), "warning")
        return _render_form(form, saved.initiative)
    flash(_("Đã lưu nháp."), "success")
    return redirect(url_for("submissions.edit", initiative_id=saved.initiative.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(Role.MEMBER, Role.HELPER)
def new():
    if current_user.unit is None:
        abort(403)
    form = _form(None)
    if request.method == "GET":
        form.submit_key.data = secrets.token_urlsafe(24)
        return _render_form(form, None)
    existing = service.by_key(form.submit_key.data)
    if existing is not None:
        policy.require(policy.can_view_initiative(current_user, existing))
        if not policy.can_edit_initiative(current_user, existing):
            return _already_submitted(existing.id)
    return _save(form, existing)


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(initiative_id: int):
    initiative = _visible(initiative_id)
    if not policy.can_edit_initiative(current_user, initiative):
        if request.method == "POST":
            return _already_submitted(initiative.id)
        abort(403)
    form = _form(initiative)
    if request.method == "GET":
        form.fill_from(initiative)
        return _render_form(form, initiative)
    return _save(form, initiative)


@bp.route("/autosave", methods=["POST"], endpoint="autosave_new")
@bp.route("/<int:initiative_id>/autosave", methods=["POST"])
@signed_in
def autosave(initiative_id: int | None = None):
    """htmx saves the draft while the user types; the answer is a one-line status."""
    form = InitiativeForm()
    initiative = _visible(initiative_id) if initiative_id else service.by_key(form.submit_key.data)
    if initiative is not None:
        policy.require(policy.can_view_initiative(current_user, initiative))
        if not policy.can_edit_initiative(current_user, initiative):
            return render("submissions/_autosave.html", state="locked")
    elif current_user.role not in (Role.MEMBER, Role.HELPER, Role.ADMIN) or current_user.unit is None:
        abort(403)  # who may start a draft: the same people as on the new-initiative page
    form.offer_choices(*service.author_choices(current_user, initiative))
    if not form.validate():
        return render("submissions/_autosave.html", state="invalid")
    try:
        saved = service.save(form.to_data(), current_user, initiative, autosave=True)
    except service.AlreadySaved:
        return render("submissions/_autosave.html", state="locked")
    except service.SubmissionError:
        db.session.rollback()
        return render("submissions/_autosave.html", state="invalid")
    db.session.commit()
    response = render("submissions/_autosave.html", state="saved", initiative=saved.initiative)
    if initiative is None:
        # A reload now opens the saved draft instead of an empty form.
        response.headers["HX-Replace-Url"] = url_for("submissions.edit", initiative_id=saved.initiative.id)
    return response


@bp.route("/<int:initiative_id>")
@signed_in
def detail(initiative_id: int):
    initiative = _visible(initiative_id)
    editable = policy.can_edit_initiative(current_user, initiative)
    return render("submissions/detail.html", initiative=initiative, editable=editable,
                  problems=service.precheck(initiative) if editable else [],
                  can_withdraw=policy.can_withdraw(current_user, initiative),
                  can_undo_withdraw=policy.can_undo_withdraw(current_user, initiative),
                  fields=FIELDS, statuses=STATUSES, reasons={**RETURN_REASONS, **INVALID_REASONS})


@bp.route("/<int:initiative_id>/submit", methods=["POST"])
@signed_in
def submit(initiative_id: int):
    """Submit a complete draft from its page (e.g. after the support team's pre-check)."""
    initiative = _visible(initiative_id)
    if not policy.can_edit_initiative(current_user, initiative):
        return _already_submitted(initiative.id)
    problems = service.precheck(initiative)
    if not SubmitDraftForm().confirm_original.data:
        problems.append(_("Vui lòng xác nhận cam đoan trước khi gửi."))
    if problems:
        for problem in problems:
            flash(problem, "error")
        return redirect(url_for("submissions.detail", initiative_id=initiative.id))
    try:
        service.submit(initiative, current_user)
        db.session.commit()
    except workflow.AlreadyDecided:
        db.session.rollback()
        return _already_submitted(initiative.id)
    flash(_("Đã gửi sáng kiến “%(title)s”. Bạn sẽ nhận được kết quả thẩm định tại đây.", title=initiative.title),
          "success")
    return redirect(url_for("submissions.detail", initiative_id=initiative.id))


@bp.route("/<int:initiative_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(initiative_id: int):
    """Withdrawing asks first: the button leads to this page (no JavaScript needed), its form withdraws."""
    initiative = _visible(initiative_id)
    policy.require(policy.can_withdraw(current_user, initiative), 403)
    if request.method == "GET":
        return render("submissions/withdraw.html", initiative=initiative, statuses=STATUSES)
    form = WithdrawForm()
    try:
        if form.validate():  # a version no page shows counts as out of date, like one a decision overtook
            workflow.transition(initiative, Status.WITHDRAWN, current_user, expected_version=form.version.data)
            db.session.commit()
            flash(_("Đã rút sáng kiến. Nếu rút nhầm, bấm “Hoàn tác” bên dưới."), "info")
            return redirect(url_for("submissions.detail", initiative_id=initiative.id))
    except workflow.AlreadyDecided:
        db.session.rollback()
    flash(_("Sáng kiến vừa được thẩm định nên không rút được. Hãy xem kết quả bên dưới."), "warning")
    return redirect(url_for("submissions.detail", initiative_id=initiative.id))


@bp.route("/<int:initiative_id>/undo-withdraw", methods=["POST"])
@signed_in
def undo_withdraw(initiative_id: int):
    """Back to the status the withdrawal left (submitted: the same place in the queue; returned)."""
    initiative = _visible(initiative_id)
    policy.require(policy.can_undo_withdraw(current_user, initiative), 403)
    form = WithdrawForm()
    back_to = workflow.withdrawn_from(initiative)
    try:
        if form.validate() and back_to is not None:
            workflow.transition(initiative, back_to, current_user, expected_version=form.version.data)
            db.session.commit()
            flash(_("Đã hoàn tác: sáng kiến trở lại trạng thái “%(status)s”.", status=str(STATUSES[back_to])),
                  "success")
            return redirect(url_for("submissions.detail", initiative_id=initiative.id))
    except workflow.AlreadyDecided:
        db.session.rollback()
    flash(_("Không hoàn tác được vì sáng kiến vừa thay đổi. Hãy xem trạng thái bên dưới."), "warning")
    return redirect(url_for("submissions.detail", initiative_id=initiative.id))


@bp.route("/mine")
@roles_allowed(*AUTHORS)
def mine():
    page = PageForm(request.args, meta={"csrf": False}).page_number()
    initiatives, more = service.mine(current_user, page)
    return render("submissions/mine.html", initiatives=initiatives, page=page, more=more, statuses=STATUSES,
                  reasons={**RETURN_REASONS, **INVALID_REASONS})


@bp.route("/union")
@roles_allowed(Role.HELPER)
def union():
    query = UnionFilterForm(request.args, meta={"csrf": False})
    status, page = query.chosen_status(), query.page_number()
    initiatives, more, counts = service.of_union(current_user.unit_id, status, page)
    checks = service.prechecks([item for item in initiatives if item.status in policy.EDITABLE])
    rows = [(item, checks.get(item.id)) for item in initiatives]
    return render("submissions/union.html", rows=rows, counts=counts, status=status, page=page, more=more,
                  statuses=STATUSES)


@bp.route("/similar")
@signed_in
def similar():
    """The "already submitted" hint under the title while typing (htmx partial)."""
    form = SimilarForm(request.args, meta={"csrf": False})
    campaign = campaigns.current(current_user.unit) if current_user.unit else None
    matches = service.similar(form.typed(), current_user, campaign.id if campaign else None, form.exclude.data)
    return render("submissions/_similar.html", "submissions/_similar.html", matches=matches, statuses=STATUSES)


@bp.route("/attachments/<int:attachment_id>")
@signed_in
def attachment(attachment_id: int):
    item = _visible_attachment(attachment_id)
    # Named and typed as what the content really is: "x.html" holding a PDF downloads as "x.pdf".
    return send_from_directory(uploads.upload_dir(), item.stored_name, as_attachment=True,
                               download_name=uploads.download_name(item), mimetype=item.content_type)


@bp.route("/attachments/<int:attachment_id>/thumb")
@signed_in
def thumbnail(attachment_id: int):
    item = _visible_attachment(attachment_id, thumbnail=True)
    return send_from_directory(uploads.upload_dir(), uploads.thumbnail_name(item), mimetype="image/jpeg",
                               max_age=3600)
