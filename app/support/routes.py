"""Support pages: the obstacle log (vướng mắc) between a grassroots union and the unit above, the public FAQ of
return reasons, and each union's gap-closing list (page and chat text)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..domain import campaigns, obstacles
from ..domain.catalog import STATUSES
from ..extensions import db
from ..models import Obstacle, Unit, User
from ..policy import public, signed_in
from ..web import render
from . import service
from .forms import AssignForm, ListQuery, ObstacleForm, PageQuery, ReplyForm, ResolveForm

bp = Blueprint("support", __name__, url_prefix="/support")


def _obstacle(obstacle_id: int) -> Obstacle:
    return policy.get_or_404(Obstacle, obstacle_id, allowed=lambda found: policy.can_view_obstacle(current_user,
                                                                                                 found))


@bp.route("/")
@signed_in
def index():
    """Obstacles both ways: those the user's union raised and those raised below the units the user answers for."""
    policy.require(policy.may_use_support(current_user), 403)
    query = ListQuery(request.args, meta={"csrf": False})
    status, page = query.chosen_status(), query.page_number()
    listing = service.obstacle_list(policy.obstacles_clause(current_user), status, page)
    return render("support/index.html", listing=listing, chosen=status, page=page, statuses=obstacles.STATUSES,
                  raising=policy.raising_unit(current_user), is_overdue=obstacles.is_overdue)


def _new_form(unit: Unit, source=None) -> ObstacleForm:
    form = ObstacleForm(source) if source is not None else ObstacleForm(campaign_id=service.default_campaign_id(unit))
    form.campaign_id.choices = service.campaign_choices(unit)
    return form


@bp.route("/obstacles/new", methods=["GET", "POST"])
@signed_in
def new():
    unit = policy.raising_unit(current_user)
    policy.require(unit is not None, 403)
    assert unit is not None
    form = _new_form(unit, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        obstacle = service.raise_obstacle(unit, current_user, form.title.data, form.body.data,
                                          form.campaign_id.data or None)
        db.session.commit()
        flash(_("Đã gửi vướng mắc lên %(unit)s.", unit=obstacle.answer_unit.name), "success")
        return redirect(url_for("support.detail", obstacle_id=obstacle.id))
    return render("support/new.html", status=400 if form.errors else 200, form=form, unit=unit,
                  due=obstacles.default_due())


def _assign_form(obstacle: Obstacle, source=None) -> AssignForm:
    if source is not None:
        form = AssignForm(source)
    else:
        form = AssignForm(owner_id=obstacle.owner_id or 0, due_date=obstacle.due_date)
    form.owner_id.choices = [(0, _("— Chưa có người phụ trách —"))] + [
        (person.id, person.full_name) for person in obstacles.owner_choices(obstacle, current_user)
        if policy.may_own_obstacle(person, obstacle)]
    return form


def _detail(obstacle: Obstacle, status: int = 200, **forms) -> Response:
    answering = policy.can_answer_obstacle(current_user, obstacle)
    raising = policy.can_follow_up_obstacle(current_user, obstacle)
    context = {
        "answer_form": forms.get("answer_form") or (ReplyForm(formdata=None) if answering else None),
        "assign_form": forms.get("assign_form") or (_assign_form(obstacle) if answering else None),
        "followup_form": forms.get("followup_form") or (ReplyForm(formdata=None) if raising else None),
        "resolve_form": forms.get("resolve_form") or (ResolveForm(formdata=None) if raising else None),
    }
    return render("support/detail.html", status=status, obstacle=obstacle, replies=service.thread(obstacle),
                  campaign=service.campaign_of(obstacle),
                  statuses=obstacles.STATUSES, overdue=obstacles.is_overdue(obstacle),
                  problem=forms.get("problem"), **context)


@bp.route("/obstacles/<int:obstacle_id>")
@signed_in
def detail(obstacle_id: int):
    return _detail(_obstacle(obstacle_id))


def _step(obstacle: Obstacle, step: Callable[[], object], done: str, form_name: str, form):
    """Run one step of the loop and commit it with its notifications; a refused step (its status does not allow
    it) is explained on the page, with what was typed, and writes nothing."""
    try:
        step()
    except obstacles.ObstacleRefused as refused:
        db.session.rollback()
        return _detail(obstacle, 200, problem=refused.message, **{form_name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("support.detail", obstacle_id=obstacle.id))


def _written_step(obstacle_id: int, allowed: Callable[[User, Obstacle], bool],
                  form_class: type[ReplyForm] | type[ResolveForm], form_name: str,
                  run: Callable[[Obstacle, User, str], object], done: str):
    """A step that carries a text (answer, follow-up, resolve): allowed for this user, its form valid (else the page
    again with what was typed), then run and committed by ``_step``."""
    obstacle = _obstacle(obstacle_id)
    policy.require(allowed(current_user, obstacle), 403)
    form = form_class(request.form)
    if not form.validate():
        return _detail(obstacle, 400, **{form_name: form})
    return _step(obstacle, lambda: run(obstacle, current_user, form.body.data or ""), done, form_name, form)


@bp.route("/obstacles/<int:obstacle_id>/answer", methods=["POST"])
@signed_in
def answer(obstacle_id: int):
    return _written_step(obstacle_id, policy.can_answer_obstacle, ReplyForm, "answer_form", service.answer,
                         _("Đã gửi câu trả lời; người nêu vướng mắc đã được báo."))


@bp.route("/obstacles/<int:obstacle_id>/followup", methods=["POST"])
@signed_in
def followup(obstacle_id: int):
    return _written_step(obstacle_id, policy.can_follow_up_obstacle, ReplyForm, "followup_form", service.follow_up,
                         _("Đã gửi câu hỏi thêm; cấp trên đã được báo."))


@bp.route("/obstacles/<int:obstacle_id>/resolve", methods=["POST"])
@signed_in
def resolve(obstacle_id: int):
    return _written_step(obstacle_id, policy.can_follow_up_obstacle, ResolveForm, "resolve_form", service.resolve,
                         _("Đã đánh dấu vướng mắc là đã giải quyết."))


@bp.route("/obstacles/<int:obstacle_id>/assign", methods=["POST"])
@signed_in
def assign(obstacle_id: int):
    """Change the owner and the due date; ``take`` makes the user the owner (an obstacle nobody owns yet)."""
    obstacle = _obstacle(obstacle_id)
    policy.require(policy.can_answer_obstacle(current_user, obstacle), 403)
    source = request.form.copy()
    if source.get("take"):
        source["owner_id"] = str(current_user.id)
        source.setdefault("due_date", obstacle.due_date.isoformat())
    form = _assign_form(obstacle, source)
    if not form.validate():
        return _detail(obstacle, 400, assign_form=form)
    owner = db.session.get(User, form.owner_id.data) if form.owner_id.data else None
    if owner is not None and not policy.may_own_obstacle(owner, obstacle):  # pragma: no cover - the choices say so
        return _detail(obstacle, 400, assign_form=form)
    return _step(obstacle, lambda: service.assign(obstacle, current_user, owner, form.due_date.data),
                 _("Đã cập nhật người phụ trách và hạn trả lời."), "assign_form", form)


@bp.route("/faq")
@public
def faq():
    """The most common return reasons of the current campaign, each with a worked example (no login, cacheable)."""
    campaign = campaigns.current()
    return render("support/faq.html", reasons=service.return_reasons(campaign), campaign=campaign)


def _gap_unit(unit_id: int) -> Unit:
    return policy.get_or_404(Unit, unit_id, allowed=lambda unit: policy.can_view_gap(current_user, unit))


@bp.route("/units/<int:unit_id>/gap")
@signed_in
def gap(unit_id: int):
    unit = _gap_unit(unit_id)
    page = PageQuery(request.args, meta={"csrf": False}).page_number()
    return render("support/gap.html", gap=service.gap_list(unit, page), statuses=STATUSES,
                  required=service.REQUIRED_COUNT)


@bp.route("/units/<int:unit_id>/gap.txt")
@signed_in
def gap_text(unit_id: int):
    unit = _gap_unit(unit_id)
    body = service.gap_text(service.gap_list(unit, 1, service.TEXT_LIMIT))
    return Response(body, mimetype="text/plain")
