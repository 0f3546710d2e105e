"""Organizer pages, scoped to the organizer's subtree: campaigns, peak periods, targets, units, users, the giao
ban and sơ kết reports."""
from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import clock, policy
from ..domain import accounts, digest, obstacles, ranking, reports, weeks
from ..domain import periods as period_rules
from ..domain.catalog import ROLES
from ..domain.units import create_unit
from ..domain.units import root as units_root
from ..extensions import db
from ..fields import Form
from ..models import Campaign, Period, Role, Unit, User
from ..policy import roles_allowed
from ..web import render
from . import service
from .forms import (
    CampaignForm,
    ParentQuery,
    PeriodForm,
    ReportQuery,
    SummaryQuery,
    TargetImportForm,
    UnitEditForm,
    UnitForm,
    UnitQuery,
    UserForm,
    UserQuery,
    targets_form,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
Q = TypeVar("Q", bound=Form)
ORGANIZERS = (Role.ORGANIZER,)


def _query(form_class: type[Q], source: MultiDict | None = None) -> Q:
    """A form over the query string (or ``request.values``): a page's filters, read without a CSRF token."""
    return form_class(request.args if source is None else source, meta={"csrf": False})


def _campaign(campaign_id: int) -> Campaign:
    return policy.get_or_404(Campaign, campaign_id, allowed=lambda c: c in service.campaigns_for(current_user))


def _managed_unit(unit_id: int | None, default: Unit | None) -> Unit:
    """The unit asked for (else ``default``), inside the organizer's subtree."""
    chosen = unit_id if unit_id else (default.id if default is not None else None)
    return policy.get_or_404(Unit, chosen, allowed=lambda unit: policy.in_scope(current_user, unit))


def _campaign_unit(campaign: Campaign, unit_id: int | None) -> Unit:
    """A unit of the campaign inside the organizer's scope; by default the top of what they manage."""
    scope = current_user.scope
    default = scope if scope and campaign.unit.contains(scope) else campaign.unit
    unit = _managed_unit(unit_id, default)
    policy.require(campaign.unit.contains(unit))
    return unit


@bp.route("/")
@roles_allowed(*ORGANIZERS)
def index():
    return render("admin/index.html", campaigns=service.campaigns_for(current_user))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def campaign_form(campaign_id: int | None = None):
    campaign = _campaign(campaign_id) if campaign_id else None
    if campaign is not None:
        policy.require(policy.can_manage_unit(current_user, campaign.unit), 403)
    form = CampaignForm(obj=campaign)
    form.unit_id.choices = [(u.id, u.name) for u in service.organizable_units(current_user)]
    form.offer_programmes(service.programme_choices())
    if form.validate_on_submit():
        policy.get_or_404(Unit, form.unit_id.data, allowed=lambda unit: policy.can_manage_unit(current_user, unit),
                          status=403)
        data = service.CampaignData(name=form.name.data, slug=form.slug.data, description=form.description.data,
                                    start_date=form.start_date.data, end_date=form.end_date.data,
                                    goal=form.goal.data, unit_id=form.unit_id.data,
                                    programme_id=form.programme_id.data)
        try:
            service.save_campaign(campaign, data)
        except service.SlugTaken as taken:
            form.slug.errors.append(str(taken))
        else:
            db.session.commit()
            flash(_("Đã lưu chiến dịch."), "success")
            return redirect(url_for("admin.index"))
    return render("admin/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>/freeze", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def freeze(campaign_id: int):
    campaign = _campaign(campaign_id)
    policy.require(policy.can_manage_unit(current_user, campaign.unit), 403)
    if campaign.ranking_frozen_at:
        ranking.unfreeze(campaign)
        flash(_("Đã mở lại bảng xếp hạng trực tiếp."), "info")
    else:
        ranking.freeze(campaign)
        flash(_("Đã chốt bảng xếp hạng; trang công khai hiển thị bảng đã chốt."), "success")
    db.session.commit()
    return redirect(url_for("admin.index"))


def _managed_period(period_id: int) -> Period:
    """A period run inside the organizer's subtree (else 404: ids of other units reveal nothing)."""
    return policy.get_or_404(Period, period_id, allowed=lambda p: policy.can_manage_period(current_user, p.unit))


@bp.route("/campaigns/<int:campaign_id>/periods")
@roles_allowed(*ORGANIZERS)
def periods(campaign_id: int):
    campaign = _campaign(campaign_id)
    return render("admin/periods.html", campaign=campaign, periods=service.periods_of(campaign, current_user),
                  state_of=period_rules.status, kinds=period_rules.KINDS, measures=period_rules.MEASURES)


def _period_form(campaign: Campaign, period: Period | None):
    form = PeriodForm(obj=period)
    form.unit_id.choices = [(u.id, u.name) for u in service.period_units(campaign, current_user)]
    if period is None and not form.is_submitted():
        scope = current_user.scope
        form.unit_id.data = scope.id if scope and campaign.unit.contains(scope) else campaign.unit_id
    if form.is_submitted() and form.unit_id.data is not None:
        # Which unit may run it is the policy's answer, given before anything else (as for a campaign's unit).
        policy.get_or_404(Unit, form.unit_id.data, status=403,
                          allowed=lambda unit: policy.can_manage_period(current_user, unit))
    if form.validate_on_submit():
        data = service.PeriodData(name=form.name.data, kind=form.kind.data, unit_id=form.unit_id.data,
                                  start_date=form.start_date.data, end_date=form.end_date.data, goal=form.goal.data,
                                  measure=form.measure.data, description=form.description.data or "")
        try:
            service.save_period(campaign, period, data, current_user)
        except service.PeriodProblem as problem:
            for name, message in problem.problems.items():
                getattr(form, name).errors.append(message)
        else:
            db.session.commit()
            flash(_("Đã lưu đợt cao điểm."), "success")
            return redirect(url_for("admin.periods", campaign_id=campaign.id))
    return render("admin/period_form.html", form=form, campaign=campaign, period=period)


@bp.route("/campaigns/<int:campaign_id>/periods/new", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def new_period(campaign_id: int):
    return _period_form(_campaign(campaign_id), None)


@bp.route("/periods/<int:period_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def edit_period(period_id: int):
    period = _managed_period(period_id)
    return _period_form(period.campaign, period)


@bp.route("/periods/<int:period_id>/close", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def close_period(period_id: int):
    """Keep the final figures and ranking of an ended period (the period page and the archive show them)."""
    period = _managed_period(period_id)
    try:
        period_rules.close(period)
    except period_rules.NotClosable as refusal:
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(_("Đã chốt kết quả của đợt; trang của đợt và trang lưu trữ hiển thị kết quả đã chốt."), "success")
    return redirect(url_for("admin.periods", campaign_id=period.campaign_id))


@bp.route("/campaigns/<int:campaign_id>/targets", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def targets(campaign_id: int):
    campaign = _campaign(campaign_id)
    parent = _campaign_unit(campaign, _query(UnitQuery, request.values).unit.data)
    children = service.children(parent, with_collectives=False)
    values = service.targets_of(campaign, [parent.id] + [c.id for c in children])
    form = targets_form([(c.id, c.name) for c in children], values)
    error = None
    if form.is_submitted():
        policy.require(policy.can_manage_unit(current_user, parent), 403)
        if form.validate():
            try:
                service.set_targets(campaign, parent, form.counts(), form.confirm_exceed.data)
                db.session.commit()
                flash(_("Đã lưu chỉ tiêu."), "success")
                return redirect(url_for("admin.targets", campaign_id=campaign.id, unit=parent.id))
            except service.TargetProblem as problem:
                db.session.rollback()
                error = str(problem)
        else:
            error = form.first_error()
    return render("admin/targets.html", campaign=campaign, parent=parent, children=children, values=values,
                  form=form, error=error, import_form=TargetImportForm(),
                  children_total=sum(values.get(c.id, 0) for c in children),
                  editable=policy.can_manage_unit(current_user, parent))


@bp.route("/campaigns/<int:campaign_id>/targets/import", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def import_targets(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = TargetImportForm()
    upload = form.file.data
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Hãy chọn tệp CSV."), "error")
        return redirect(url_for("admin.targets", campaign_id=campaign.id))
    try:
        text = upload.read(2 * 1024 * 1024).decode("utf-8-sig")
        count = service.import_targets(current_user, campaign, text, form.confirm_exceed.data)
        db.session.commit()
        flash(_("Đã nhập %(n)s chỉ tiêu.", n=count), "success")
    except UnicodeDecodeError:
        flash(_("Tệp phải là CSV mã hóa UTF-8."), "error")
    except service.TargetProblem as problem:
        db.session.rollback()
        flash(str(problem), "error")
    return redirect(url_for("admin.targets", campaign_id=campaign.id))


@bp.route("/units", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def units():
    parent = _managed_unit(_query(ParentQuery, request.values).parent.data,
                           policy.top_unit(current_user, units_root()))
    form = UnitForm()
    if form.validate_on_submit():
        if service.unit_by_code(form.code.data):
            form.code.errors.append(_("Mã đơn vị đã tồn tại."))
        else:
            create_unit(form.name.data, form.code.data, form.kind.data, parent, form.member_count.data)
            db.session.commit()
            flash(_("Đã thêm đơn vị."), "success")
            return redirect(url_for("admin.units", parent=parent.id))
    children = service.children(parent)
    up = parent.parent if policy.in_scope(current_user, parent.parent) else None
    return render("admin/units.html", parent=parent, children=children, form=form, up=up)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def edit_unit(unit_id: int):
    """Rename a unit, update its member count (used for the per-100-members ranking), name its leader in charge
    and staff adviser."""
    unit = _managed_unit(unit_id, None)
    policy.require(current_user.scope is None or unit.id != current_user.scope.id, 403)  # one's own unit: from above
    form = UnitEditForm(obj=unit)
    if request.method == "GET":
        form.leader_login.data = unit.leader.login_name if unit.leader else ""
        form.adviser_login.data = unit.adviser.login_name if unit.adviser else ""
    if form.validate_on_submit():
        try:
            people = service.people_in_charge(current_user, unit, {"leader_login": form.leader_login.data,
                                                                   "adviser_login": form.adviser_login.data})
        except service.PersonNotFound as problem:
            for name, message in problem.problems.items():
                getattr(form, name).errors.append(message)
        else:
            service.update_unit(unit, form.name.data, form.member_count.data)
            service.set_in_charge(unit, people["leader_login"], people["adviser_login"])
            db.session.commit()
            flash(_("Đã lưu đơn vị."), "success")
            return redirect(url_for("admin.units", parent=unit.parent_id))
    return render("admin/unit_form.html", status=400 if form.errors else 200, form=form, unit=unit)


def _user_form(person: User | None = None) -> UserForm:
    form = UserForm(obj=person) if person is not None and request.method == "GET" else UserForm()
    if person is not None and request.method == "GET":
        form.unit_code.data = person.unit.code if person.unit else ""
        form.scope_code.data = person.scope_unit.code if person.scope_unit else ""
    form.role.choices = [(code, label) for code, label in form.role.choices
                         if policy.can_assign_role(current_user, code)]
    return form


def _save_user(form: UserForm, person: User | None) -> User | None:
    """Check the typed account with the shared account rules inside the organizer's reach; create or update it.

    Returns None (with the problems on the form's fields) when something is wrong.
    """
    data = accounts.AccountData(full_name=form.full_name.data, role=form.role.data, phone=form.phone.data,
                                email=form.email.data, unit_code=form.unit_code.data,
                                scope_code=form.scope_code.data, password=form.password.data)
    checked = accounts.check(data, within=lambda unit: policy.in_scope(current_user, unit),
                             may_assign=lambda role: policy.can_assign_role(current_user, role), existing=person)
    for name, message in checked.problems.items():
        getattr(form, name).errors.append(message)
    if checked.problems:
        return None
    return accounts.update(person, checked) if person else accounts.create(checked, created_by=current_user)


@bp.route("/users", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def users():
    form = _user_form()
    if form.validate_on_submit() and _save_user(form, None) is not None:
        db.session.commit()
        flash(_("Đã tạo tài khoản."), "success")
        return redirect(url_for("admin.users"))
    search = _query(UserQuery)
    valid = search.validate()
    query = (search.q.data or "") if valid else ""
    page = (search.page.data or 1) if valid else 1
    people, more = service.users_in_scope(current_user, query, page)
    return render("admin/users.html", form=form, people=people, query=query, roles=ROLES, page=page, more=more,
                  manageable={p.id for p in people if policy.can_manage_account(current_user, p)})


def _managed_person(user_id: int) -> User:
    """An account of the organizer's subtree that they may change (not themselves, not a higher role)."""
    person = policy.get_or_404(User, user_id, allowed=lambda found: policy.account_in_reach(current_user, found))
    policy.require(policy.can_manage_account(current_user, person), 403)
    return person


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def edit_user(user_id: int):
    person = _managed_person(user_id)
    form = _user_form(person)
    if form.validate_on_submit() and _save_user(form, person) is not None:
        db.session.commit()
        flash(_("Đã cập nhật tài khoản %(name)s.", name=person.full_name), "success")
        return redirect(url_for("admin.users"))
    return render("admin/user_form.html", form=form, person=person)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def toggle_user(user_id: int):
    person = _managed_person(user_id)
    service.toggle_active(person)
    db.session.commit()
    flash(_("Đã cập nhật tài khoản %(name)s.", name=person.full_name), "info")
    return redirect(url_for("admin.users"))


@bp.route("/campaigns/<int:campaign_id>/digest.txt")
@roles_allowed(*ORGANIZERS)
def digest_text(campaign_id: int):
    """The weekly digest as plain text: a few hundred bytes to read on a phone or paste into Zalo."""
    campaign = _campaign(campaign_id)
    unit = _campaign_unit(campaign, _query(UnitQuery).unit.data)
    body = digest.compose(campaign, unit, weeks.week_start(min(clock.today(), campaign.end_date)))
    return Response(body, mimetype="text/plain")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/campaigns/<int:campaign_id>/report")
@roles_allowed(*ORGANIZERS)
def report(campaign_id: int):
    """The giao ban of any week, month or range of days, for a unit of the organizer's subtree."""
    campaign = _campaign(campaign_id)
    query = _query(ReportQuery)
    query.validate()
    unit = _campaign_unit(campaign, query.unit.data)
    default = min(clock.today(), campaign.end_date)
    problems = query.problems
    if problems:  # said on the page, over the current week's report
        span = reports.week_of(default)
    else:
        span = reports.span_of(query.chosen_kind, query.day.data or query.week.data, query.start.data,
                               query.end.data, default)
    data = service.report(campaign, unit, span)
    export = query.format.data
    filename = f"giao-ban-{campaign.slug}-{span.kind}-{span.first:%Y-%m-%d}"
    if export == "csv" and not problems:
        return _download(service.report_csv(data), "text/csv", f"{filename}.csv")
    if export == "xlsx" and not problems:
        return _download(service.report_xlsx(data), XLSX, f"{filename}.xlsx")
    return render("admin/report.html", status=400 if problems else 200, report=data, problems=problems,
                  kinds=reports.KINDS, open_obstacles=obstacles.open_for(unit))


@bp.route("/campaigns/<int:campaign_id>/summary")
@roles_allowed(*ORGANIZERS)
def summary(campaign_id: int):
    """The sơ kết of the campaign or of one of its periods, for a unit of the organizer's subtree: a page to
    print, an XLSX workbook, a PDF."""
    campaign = _campaign(campaign_id)
    query = _query(SummaryQuery)
    query.validate()
    period = None
    if query.period.data:
        period = policy.get_or_404(Period, query.period.data, allowed=lambda p: p.campaign_id == campaign.id)
    # A period's sơ kết is about its unit, or the part of it the organizer manages.
    default = period.unit if period is not None and policy.in_scope(current_user, period.unit) else None
    unit = _campaign_unit(campaign, query.unit.data or (default.id if default else None))
    if period is not None:
        if unit.contains(period.unit):
            unit = period.unit  # a period run below the unit asked for: about its own unit (inside the reach)
        policy.require(period.unit.contains(unit))
    data = service.summary(campaign, unit, period)
    filename = f"so-ket-{campaign.slug}" + (f"-dot-{period.id}" if period else "") + f"-{unit.code}"
    if query.format.data == "xlsx":
        return _download(service.summary_xlsx(data), XLSX, f"{filename}.xlsx")
    if query.format.data == "pdf":
        return _download(service.summary_pdf(data), "application/pdf", f"{filename}.pdf")
    return render("admin/summary.html", summary=data, periods=service.summary_periods(campaign, unit))
