"""Reviewer queue: one item at a time, one click or one key per decision, the next item swapped in by htmx."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..domain import campaigns, duplicates, eligibility, scoring, tallies, weeks, workflow
from ..domain.catalog import FIELDS, INVALID_REASONS, RETURN_REASONS, STATUSES
from ..extensions import db
from ..i18n import moment
from ..models import Campaign, Initiative, ReviewTemplate, Role, Status, utcnow
from ..policy import roles_allowed
from ..web import is_htmx, render
from . import service
from .forms import (
    ClusterForm,
    DecisionForm,
    DeleteTemplateForm,
    PageForm,
    QueueFilterForm,
    QueuePageForm,
    SecondCheckForm,
    TemplateForm,
    first_error,
    score_form,
    versions_form,
)

bp = Blueprint("review", __name__, url_prefix="/review")
REVIEWERS = (Role.REVIEWER,)


def _campaign() -> Campaign:
    """The campaign running in the reviewer's scope; 404 when there is none."""
    campaign = campaigns.current(current_user.scope)
    if campaign is None:
        abort(404)
    return campaign


def _filters(form: QueueFilterForm | None = None) -> service.QueueFilter:
    """Queue filters from the query string (GET) or the hidden fields that carry them (POST)."""
    form = form or QueueFilterForm(formdata=request.values)
    status, unit_id, field = form.chosen()
    return service.queue_filter(current_user, _campaign(), status, unit_id, field)


def _filter_args(filters: service.QueueFilter) -> dict:
    args = {"status": filters.status if filters.status != Status.SUBMITTED else None,
            "unit": filters.unit.id if filters.unit else None, "field": filters.field}
    return {k: v for k, v in args.items() if v}


def _reviewable(initiative_id: int | None) -> Initiative:
    """An initiative the reviewer may see (else 404: ids from other units reveal nothing) and decide (else 403:
    a conflict of interest is visible to a reviewer of the scope, never decidable by them)."""
    initiative = policy.get_or_404(Initiative, initiative_id,
                                   lambda item: policy.can_view_initiative(current_user, item))
    policy.require(policy.can_review(current_user, initiative), 403)
    return initiative


def _item_context(initiative: Initiative, filters: service.QueueFilter, error: str | None = None) -> dict:
    checklist = eligibility.checklist(initiative, eligibility.rules_for(initiative.campaign))
    return dict(initiative=initiative, filters=filters, filter_args=_filter_args(filters), error=error,
                checklist=checklist, out_of_window=eligibility.fails_a_date_rule(checklist),
                checklist_states=eligibility.STATES,
                fragment=is_htmx(),  # the fragment shows the flashed messages; a whole page has them in base.html
                duplicates=duplicates.likely_duplicates(initiative), history=service.author_history(initiative),
                revisions=initiative.revisions, templates=service.templates(),
                next_item=service.neighbour(current_user, filters, initiative, forward=True),
                prev_item=service.neighbour(current_user, filters, initiative, forward=False),
                fields=FIELDS, statuses=STATUSES, invalid_reasons=INVALID_REASONS, return_reasons=RETURN_REASONS,
                reasons={**RETURN_REASONS, **INVALID_REASONS})


def _show(initiative: Initiative, filters: service.QueueFilter, error: str | None = None):
    response = render("review/item.html", "review/_item.html", **_item_context(initiative, filters, error))
    if is_htmx():
        response.headers["HX-Push-Url"] = url_for("review.item", initiative_id=initiative.id,
                                                  **_filter_args(filters))
    return response


def _flash_not_waiting(initiative: Initiative) -> None:
    """Someone was faster, or the form is stale or forged: the item is no longer waiting for a decision."""
    if initiative.decided_by is not None:
        flash(_("Sáng kiến #%(id)s đã được %(name)s quyết định lúc %(time)s; không ghi đè.", id=initiative.id,
                name=initiative.decided_by.full_name, time=moment(initiative.decided_at)), "warning")
    else:
        flash(_("Sáng kiến #%(id)s không còn chờ thẩm định (%(status)s); không ghi đè.", id=initiative.id,
                status=STATUSES[initiative.status]), "warning")


@bp.route("/")
@roles_allowed(*REVIEWERS)
def queue():
    form = QueuePageForm(formdata=request.args)
    filters = _filters(form)
    page = form.page_number()
    items = service.queue(current_user, filters, limit=50, offset=(page - 1) * 50)
    top = policy.top_unit(current_user, filters.campaign.unit)
    return render("review/queue.html", items=items, filters=filters, filter_args=_filter_args(filters),
                  shown_unit=filters.unit or top or filters.campaign.unit,
                  tally=service.counts(filters, current_user), children=service.child_units(top), page=page,
                  fields=FIELDS, statuses=STATUSES)


@bp.route("/start")
@roles_allowed(*REVIEWERS)
def start():
    filters = _filters()
    first = service.queue(current_user, filters, limit=1)
    if not first:
        flash(_("Không còn sáng kiến nào chờ thẩm định trong phạm vi của bạn."), "info")
        return redirect(url_for("review.queue", **_filter_args(filters)))
    return redirect(url_for("review.item", initiative_id=first[0].id, **_filter_args(filters)))


@bp.route("/<int:initiative_id>")
@roles_allowed(*REVIEWERS)
def item(initiative_id: int):
    return _show(_reviewable(initiative_id), _filters())


@bp.route("/<int:initiative_id>/decide", methods=["POST"])
@roles_allowed(*REVIEWERS)
def decide(initiative_id: int):
    initiative = _reviewable(initiative_id)
    filters = _filters()
    form = DecisionForm()
    if not form.validate():
        return _show(initiative, filters, error=first_error(form))
    decision = service.Decision(word=form.decision.data or "", version=form.version.data,
                                reason=form.reason_code(), message=form.message.data or "",
                                template_id=form.template_id.data)
    try:
        service.decide(current_user, initiative, decision)
        db.session.commit()
        flash(_("Đã ghi quyết định “%(status)s” cho #%(id)s.", status=STATUSES[initiative.status],
                id=initiative.id), "success")
    except service.DecisionError as problem:
        return _show(initiative, filters, error=str(problem))
    except (workflow.AlreadyDecided, workflow.TransitionNotAllowed):
        db.session.rollback()  # a race lost at write time leaves the transaction unusable; nothing was written
        _flash_not_waiting(initiative)  # read again after the rollback: who decided, and when
    upcoming = service.neighbour(current_user, filters, initiative, forward=True)
    if upcoming is None:
        flash(_("Đã hết sáng kiến chờ thẩm định trong bộ lọc này."), "info")
        target = url_for("review.queue", **_filter_args(filters))
        if is_htmx():
            response = render("review/_empty.html")
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)
    if is_htmx():
        return _show(upcoming, filters)
    return redirect(url_for("review.item", initiative_id=upcoming.id, **_filter_args(filters)))


@bp.route("/<int:initiative_id>/cluster", methods=["GET", "POST"])
@roles_allowed(*REVIEWERS)
def cluster(initiative_id: int):
    """Mark several submitted initiatives invalid as duplicates of one, after a preview."""
    lead = policy.get_or_404(Initiative, initiative_id, lambda item: policy.can_view_initiative(current_user, item))
    form = ClusterForm()
    step = form.step.data if request.method == "POST" and form.validate() else None
    chosen = service.cluster_members(current_user, lead, form.ids.data) if step else []
    if step and not chosen:
        flash(_("Hãy chọn ít nhất một sáng kiến trùng."), "warning")
        step = None
    if step == "commit":
        versions = versions_form(chosen)
        if versions.validate():
            return _mark_duplicates(lead, [(item, versions[f"v{item.id}"].data) for item in chosen])
        step = "preview"  # a commit without the versions its preview showed: show the preview again
    return render("review/cluster.html", lead=lead, pairs=service.cluster_candidates(current_user, lead),
                  chosen=chosen, preview=step == "preview", statuses=STATUSES)


def _mark_duplicates(lead: Initiative, seen: list[tuple[Initiative, int]]):
    try:
        marked = service.mark_duplicates(current_user, lead, seen)
        db.session.commit()
    except workflow.AlreadyDecided as race:
        db.session.rollback()  # all or nothing
        flash(_("Sáng kiến #%(id)s vừa được người khác quyết định; không có gì được ghi. Hãy xem lại.",
                id=race.initiative_id), "warning")
        return redirect(url_for("review.cluster", initiative_id=lead.id))
    flash(_("Đã đánh dấu %(n)s sáng kiến không hợp lệ vì trùng với #%(id)s.", n=len(marked), id=lead.id),
          "success")
    return redirect(url_for("review.queue"))


@bp.route("/scoring")
@roles_allowed(*REVIEWERS)
def scoring_queue():
    page = PageForm(formdata=request.args).page_number()
    items, more = service.scoring_queue(current_user, _campaign(), page)
    return render("review/scoring.html", items=items, page=page, more=more, fields=FIELDS)


@bp.route("/<int:initiative_id>/score", methods=["GET", "POST"])
@roles_allowed(*REVIEWERS)
def score(initiative_id: int):
    initiative = _reviewable(initiative_id)
    policy.require(initiative.status in tallies.VALID_STATUSES, 404)
    criteria = service.rubric(initiative.campaign)
    mine = service.score_of(current_user, initiative)
    form = score_form(criteria)
    if mine is None and form.validate_on_submit():
        points = {c.code: form[f"c_{c.code}"].data for c in criteria}
        service.save_score(current_user, initiative, points, form.comment.data or "")
        db.session.commit()
        flash(_("Đã lưu điểm."), "success")
        return redirect(url_for("review.score", initiative_id=initiative.id))
    # Others' scores stay hidden until this reviewer has scored: no anchoring.
    scores = scoring.scores_of([initiative.id])[initiative.id] if mine else []
    aggregate = scoring.aggregates(initiative.campaign_id, [initiative.id])[initiative.id] if mine else None
    return render("review/score.html", initiative=initiative, form=form, criteria=criteria, mine=mine,
                  scores=scores, aggregate=aggregate, fields=FIELDS)


@bp.route("/stats")
@roles_allowed(*REVIEWERS)
def stats():
    campaign = _campaign()
    scope = current_user.scope or campaign.unit
    now = utcnow()
    return render("review/stats.html", campaign=campaign, scope=scope,
                  today=service.decisions_since(current_user, now.replace(hour=0, minute=0, second=0,
                                                                          microsecond=0)),
                  week=service.decisions_since(current_user, weeks.week_start_at(now)),
                  tally=service.counts(service.QueueFilter(campaign=campaign), current_user),
                  rates=service.invalid_rates(campaign, scope), helpers=service.helper_rates(campaign, current_user))


@bp.route("/second-check", methods=["GET", "POST"])
@roles_allowed(*REVIEWERS)
def second_check():
    """A second look at a random sample of invalid decisions made by others (DESIGN §10)."""
    campaign = _campaign()
    if request.method == "POST":
        form = SecondCheckForm()
        valid = form.validate()
        initiative = _reviewable(form.initiative_id.data)
        if not valid:  # not one of the page's two buttons, or no usable version: nothing to record
            abort(400)
        agree = form.outcome.data == "confirm"
        try:
            service.second_check(current_user, initiative, agree, form.version.data)
            db.session.commit()
            flash(_("Đã xác nhận quyết định không hợp lệ.") if agree
                  else _("Đã mở lại #%(id)s; sáng kiến trở lại hàng đợi.", id=initiative.id), "success")
        except (service.DecisionError, workflow.AlreadyDecided):
            db.session.rollback()
            flash(_("Sáng kiến #%(id)s vừa thay đổi; không có gì được ghi.", id=initiative.id), "warning")
        return redirect(url_for("review.second_check"))
    checked, reopened = service.second_check_totals(campaign)
    return render("review/second_check.html", items=service.second_check_sample(current_user, campaign),
                  checked=checked, reopened=reopened, reasons=INVALID_REASONS)


@bp.route("/templates", methods=["GET", "POST"])
@roles_allowed(Role.REVIEWER, Role.ORGANIZER)
def templates():
    form, delete = TemplateForm(), DeleteTemplateForm()
    if delete.validate_on_submit() and delete.delete.data:
        template = policy.get_or_404(ReviewTemplate, delete.delete.data,
                                     lambda found: policy.can_delete_template(current_user, found), status=403)
        service.delete_template(template)
        db.session.commit()
        flash(_("Đã xóa lời nhắn mẫu."), "info")
        return redirect(url_for("review.templates"))
    if form.validate_on_submit():
        service.add_template(current_user, form.reason_code.data, form.body.data)
        db.session.commit()
        flash(_("Đã thêm lời nhắn mẫu."), "success")
        return redirect(url_for("review.templates"))
    items = service.templates()
    return render("review/templates.html", form=form, items=items, reasons=RETURN_REASONS,
                  deletable={t.id for t in items if policy.can_delete_template(current_user, t)})
