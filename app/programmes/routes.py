"""Eligibility rules, where organizers see and change them: the programme's (admins create and edit programmes
and their rules) and a campaign's own extra rules (the organizers of the campaign's unit)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..domain import eligibility
from ..extensions import db
from ..models import Campaign, EligibilityRule, Programme, Role
from ..policy import roles_allowed
from ..web import render
from . import service
from .forms import ProgrammeForm, RuleForm

bp = Blueprint("programmes", __name__, url_prefix="/admin")
ORGANIZERS = (Role.ORGANIZER,)


def _programme(programme_id: int) -> Programme:
    return policy.get_or_404(Programme, programme_id)


def _campaign(campaign_id: int) -> Campaign:
    """A campaign the organizer takes part in (run in their subtree or above it); 404 otherwise."""
    return policy.get_or_404(Campaign, campaign_id, allowed=lambda c: policy.takes_part_in(current_user, c))


def _owner_url(rule: EligibilityRule) -> str:
    if rule.campaign_id is not None:
        return url_for("programmes.campaign_rules", campaign_id=rule.campaign_id)
    return url_for("programmes.programme", programme_id=rule.programme_id)


@bp.route("/programmes")
@roles_allowed(*ORGANIZERS)
def index():
    return render("programmes/index.html", programmes=service.programmes(),
                  may_manage=policy.can_manage_programmes(current_user))


@bp.route("/programmes/new", methods=["GET", "POST"])
@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def programme_form(programme_id: int | None = None):
    programme = _programme(programme_id) if programme_id else None
    policy.require(policy.can_manage_programmes(current_user), 403)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            saved = service.save_programme(programme, form.to_data())
        except service.SlugTaken as taken:
            form.slug.errors.append(str(taken))
        else:
            db.session.commit()
            flash(_("Đã lưu chương trình."), "success")
            return redirect(url_for("programmes.programme", programme_id=saved.id))
    return render("programmes/programme_form.html", form=form, programme=programme)


@bp.route("/programmes/<int:programme_id>")
@roles_allowed(*ORGANIZERS)
def programme(programme_id: int):
    found = _programme(programme_id)
    return render("programmes/programme.html", programme=found, rules=service.rules_of(programme_id=found.id),
                  campaigns=service.campaigns_in(found), kinds=eligibility.KINDS,
                  editable=policy.can_manage_programmes(current_user))


def _rule_page(form: RuleForm, back: str, owner: str, rule: EligibilityRule | None = None):
    return render("programmes/rule_form.html", form=form, back=back, owner=owner, rule=rule)


@bp.route("/programmes/<int:programme_id>/rules/new", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def new_programme_rule(programme_id: int):
    found = _programme(programme_id)
    policy.require(policy.can_manage_programmes(current_user), 403)
    form = RuleForm()
    back = url_for("programmes.programme", programme_id=found.id)
    if form.validate_on_submit():
        service.add_rule(form.to_data(), programme_id=found.id)
        db.session.commit()
        flash(_("Đã thêm điều kiện."), "success")
        return redirect(back)
    return _rule_page(form, back, found.name)


@bp.route("/campaigns/<int:campaign_id>/rules")
@roles_allowed(*ORGANIZERS)
def campaign_rules(campaign_id: int):
    campaign = _campaign(campaign_id)
    inherited = service.rules_of(programme_id=campaign.programme_id) if campaign.programme_id else []
    return render("programmes/campaign_rules.html", campaign=campaign, inherited=inherited,
                  rules=service.rules_of(campaign_id=campaign.id), kinds=eligibility.KINDS,
                  editable=policy.can_manage_unit(current_user, campaign.unit))


@bp.route("/campaigns/<int:campaign_id>/rules/new", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def new_campaign_rule(campaign_id: int):
    campaign = _campaign(campaign_id)
    policy.require(policy.can_manage_unit(current_user, campaign.unit), 403)
    form = RuleForm()
    back = url_for("programmes.campaign_rules", campaign_id=campaign.id)
    if form.validate_on_submit():
        service.add_rule(form.to_data(), campaign_id=campaign.id)
        db.session.commit()
        flash(_("Đã thêm điều kiện."), "success")
        return redirect(back)
    return _rule_page(form, back, campaign.name)


def _editable_rule(rule_id: int) -> EligibilityRule:
    """A rule the user may read (else 404), and change (else 403)."""
    rule = policy.get_or_404(EligibilityRule, rule_id, allowed=lambda r: policy.can_view_rule(current_user, r))
    policy.require(policy.can_edit_rule(current_user, rule), 403)
    return rule


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def edit_rule(rule_id: int):
    rule = _editable_rule(rule_id)
    form = RuleForm(obj=rule)
    back = _owner_url(rule)
    if form.validate_on_submit():
        service.update_rule(rule, form.to_data())
        db.session.commit()
        flash(_("Đã lưu điều kiện."), "success")
        return redirect(back)
    owner = db.session.get(Campaign, rule.campaign_id) if rule.campaign_id else \
        db.session.get(Programme, rule.programme_id)
    return _rule_page(form, back, owner.name if owner else "", rule)


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def delete_rule(rule_id: int):
    """A delete button (the CSRF token, checked for every POST, is all it sends)."""
    rule = _editable_rule(rule_id)
    back = _owner_url(rule)
    service.delete_rule(rule)
    db.session.commit()
    flash(_("Đã xóa điều kiện."), "info")
    return redirect(back)
