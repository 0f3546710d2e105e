"""Commendation for organizers (shortlist, judging rounds, awards, certificates) and the public gallery."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..domain import campaigns, uploads
from ..domain.catalog import FIELDS, STATUSES
from ..extensions import db
from ..models import Attachment, Award, AwardLevel, Feature, Initiative, PairwiseRound, Role, Unit
from ..policy import public, roles_allowed, signed_in
from ..web import is_htmx, render
from . import service

bp = Blueprint("awards", __name__)
ORGANIZERS = (Role.ORGANIZER,)
JUDGES = (Role.ORGANIZER, Role.REVIEWER)


def _campaign():
    campaign = campaigns.current(current_user.scope)
    policy.require(campaign is not None)
    return campaign


def _managed(initiative_id: int) -> Initiative:
    """An initiative of the organizer's subtree (404 outside it)."""
    initiative = db.session.get(Initiative, initiative_id)
    policy.require(initiative is not None and policy.can_manage_unit(current_user, initiative.unit))
    return initiative


def _scope_unit(unit_id: int | None) -> Unit | None:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and policy.in_scope(current_user, unit) else None


@bp.route("/awards/")
@roles_allowed(*ORGANIZERS)
def candidates():
    campaign = _campaign()
    field = request.args.get("field") if request.args.get("field") in FIELDS else None
    sector = request.args.get("sector") if request.args.get("sector") in service.SECTORS else None
    unit = _scope_unit(request.args.get("unit", type=int))
    scope = current_user.scope or campaign.unit
    children = list(db.session.scalars(select(Unit).where(Unit.parent_id == scope.id).order_by(Unit.name)))
    return render("awards/candidates.html", campaign=campaign, items=service.candidates(
        current_user, campaign, field, sector, unit), fields=FIELDS, field=field, sector=sector, unit=unit,
        children=children, statuses=STATUSES)


@bp.route("/awards/<int:initiative_id>/shortlist", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def shortlist(initiative_id: int):
    initiative = _managed(initiative_id)
    note = request.form.get("note")
    try:
        if request.form.get("only_note"):
            service.save_note(current_user, initiative, note)
        else:
            service.toggle_shortlist(current_user, initiative, note)
        db.session.commit()
    except service.AwardProblem as problem:
        db.session.rollback()
        flash(str(problem), "error")
    if is_htmx():
        candidate = service.as_candidates(initiative.campaign, [initiative])[0]
        return render("awards/_candidate_row.html", "awards/_candidate_row.html", c=candidate, statuses=STATUSES)
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("awards.candidates"))


@bp.route("/awards/<int:initiative_id>/award", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def award_form(initiative_id: int):
    initiative = _managed(initiative_id)
    levels = service.levels(initiative.campaign)
    error = None
    chosen = request.form.getlist("recipients")
    if request.method == "POST":
        level = db.session.get(AwardLevel, request.form.get("level_id", type=int) or 0)
        try:
            decision_date = date.fromisoformat(request.form.get("decision_date", ""))
        except ValueError:
            decision_date = None
        try:
            if level is None:
                raise service.AwardProblem(_("Vui lòng chọn hình thức khen thưởng."))
            if decision_date is None:
                raise service.AwardProblem(_("Vui lòng nhập ngày quyết định."))
            made = service.grant(current_user, initiative, level, chosen, request.form.get("decision_number", ""),
                                 decision_date)
            db.session.commit()
            flash(_("Đã ghi %(n)s khen thưởng.", n=len(made)), "success")
            return redirect(url_for("awards.award_form", initiative_id=initiative.id))
        except service.AwardProblem as problem:
            db.session.rollback()
            error = str(problem)
    return render("awards/award_form.html", initiative=initiative, levels=[(lv, service.used(lv)) for lv in levels],
                  recipients=service.recipients(initiative), awards=service.active_awards(initiative), error=error,
                  chosen=chosen, form=request.form, statuses=STATUSES)


@bp.route("/awards/levels", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def levels():
    """Award levels of the campaign: name, issuer and quota (blank quota: no limit)."""
    campaign = _campaign()
    policy.require(policy.can_manage_unit(current_user, campaign.unit), 403)
    found = service.levels(campaign)
    error = None
    if request.method == "POST":
        try:
            service.save_level(campaign, request.form.get("level_id", type=int), request.form.get("name", ""),
                               request.form.get("issuer", ""), request.form.get("quota", ""))
            db.session.commit()
            flash(_("Đã lưu hình thức khen thưởng."), "success")
            return redirect(url_for("awards.levels"))
        except service.AwardProblem as problem:
            db.session.rollback()
            error = str(problem)
    return render("awards/levels.html", campaign=campaign, levels=[(lv, service.used(lv)) for lv in found],
                  error=error, form=request.form)


@bp.route("/awards/grants/<int:award_id>/revoke", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def revoke(award_id: int):
    award = db.session.get(Award, award_id)
    policy.require(award is not None and policy.can_manage_unit(current_user, award.initiative.unit))
    service.revoke(current_user, award)
    db.session.commit()
    flash(_("Đã thu hồi khen thưởng của %(name)s.", name=award.recipient_name), "info")
    return redirect(url_for("awards.award_form", initiative_id=award.initiative_id))


@bp.route("/awards/list")
@roles_allowed(*ORGANIZERS)
def award_list():
    campaign = _campaign()
    awards = service.award_list(campaign, current_user)
    export = request.args.get("format")
    if export == "xlsx":
        return Response(service.annex_xlsx(campaign, awards),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="khen-thuong-{campaign.slug}.xlsx"'})
    if export == "csv":
        return Response(service.annex_csv(awards), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="khen-thuong-{campaign.slug}.csv"'})
    return render("awards/list.html", campaign=campaign, awards=awards, fields=FIELDS)


def _certificate_award(award_id: int) -> Award:
    award = db.session.get(Award, award_id)
    allowed = award is not None and award.revoked_at is None and (
        policy.can_manage_unit(current_user, award.initiative.unit) or award.recipient_user_id == current_user.id)
    policy.require(allowed)
    return award


@bp.route("/awards/certificates/<int:award_id>")
@signed_in
def certificate(award_id: int):
    award = _certificate_award(award_id)
    return render("awards/certificate.html", award=award, lines=service.certificate_lines(award))


@bp.route("/awards/certificates/<int:award_id>.pdf")
@signed_in
def certificate_pdf(award_id: int):
    award = _certificate_award(award_id)
    return Response(service.certificate_pdf(award), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="bang-khen-{award.id}.pdf"'})


@bp.route("/awards/rounds", methods=["GET", "POST"])
@roles_allowed(*JUDGES)
def rounds():
    campaign = _campaign()
    if request.method == "POST":
        policy.require(current_user.role in (Role.ORGANIZER, Role.ADMIN), 403)
        try:
            judging = service.create_round(current_user, campaign, request.form.get("name", ""))
            db.session.commit()
            return redirect(url_for("awards.round_page", round_id=judging.id))
        except service.AwardProblem as problem:
            flash(str(problem), "error")
    found = db.session.scalars(select(PairwiseRound).where(PairwiseRound.campaign_id == campaign.id)
                               .order_by(PairwiseRound.id.desc())).all()
    return render("awards/rounds.html", rounds=[r for r in found if policy.in_scope(current_user, r.unit)])


def _round(round_id: int) -> PairwiseRound:
    judging = db.session.get(PairwiseRound, round_id)
    policy.require(judging is not None and policy.in_scope(current_user, judging.unit))
    return judging


@bp.route("/awards/rounds/<int:round_id>")
@roles_allowed(*JUDGES)
def round_page(round_id: int):
    judging = _round(round_id)
    pair = service.next_pair(judging, current_user)
    shown = [db.session.get(Initiative, i) for i in pair] if pair else []
    return render("awards/round.html", judging=judging, pair=shown, ranking=service.round_ranking(judging),
                  votes=len(service.votes(judging)))


@bp.route("/awards/rounds/<int:round_id>/vote", methods=["POST"])
@roles_allowed(*JUDGES)
def round_vote(round_id: int):
    judging = _round(round_id)
    try:
        service.vote(judging, current_user, request.form.get("first", type=int) or 0,
                     request.form.get("second", type=int) or 0, request.form.get("winner", type=int) or 0)
        db.session.commit()
    except service.AwardProblem as problem:
        flash(str(problem), "error")
    return redirect(url_for("awards.round_page", round_id=judging.id))


@bp.route("/awards/<int:initiative_id>/feature", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def feature_form(initiative_id: int):
    initiative = _managed(initiative_id)
    existing = db.session.scalar(select(Feature).where(Feature.initiative_id == initiative.id))
    error = None
    if request.method == "POST":
        if request.form.get("unpublish") and existing:
            existing.published = False
            db.session.commit()
            flash(_("Đã gỡ khỏi trang sáng kiến tiêu biểu."), "info")
            return redirect(url_for("awards.candidates"))
        try:
            row = service.feature(current_user, initiative, request.form.get("story", ""))
            db.session.commit()
            flash(_("Đã đăng lên trang sáng kiến tiêu biểu."), "success")
            return redirect(url_for("awards.gallery_item", feature_id=row.id))
        except service.AwardProblem as problem:
            db.session.rollback()
            error = str(problem)
    return render("awards/feature_form.html", initiative=initiative, existing=existing, error=error,
                  story=request.form.get("story", existing.story if existing else ""))


@bp.route("/gallery")
@public
def gallery():
    field = request.args.get("field") if request.args.get("field") in FIELDS else None
    campaign = campaigns.current()
    root = campaign.unit if campaign else None
    unit = db.session.get(Unit, request.args.get("unit", type=int) or 0)
    children = list(db.session.scalars(select(Unit).where(Unit.parent_id == root.id).order_by(Unit.name))) \
        if root else []
    return render("awards/gallery.html", "awards/_gallery_items.html", features=service.gallery(field, unit),
                  fields=FIELDS, field=field, unit=unit, children=children)


def _published(feature_id: int) -> Feature:
    row = db.session.get(Feature, feature_id)
    if row is None or not row.published:
        abort(404)
    return row


def _image_of(initiative: Initiative) -> Attachment | None:
    return next((a for a in initiative.attachments if a.has_thumbnail), None)


@bp.route("/gallery/<int:feature_id>")
@public
def gallery_item(feature_id: int):
    row = _published(feature_id)
    image = _image_of(row.initiative)
    return render("awards/gallery_item.html", feature=row, fields=FIELDS,
                  image_url=url_for("awards.gallery_image", feature_id=row.id, _external=True) if image else None)


@bp.route("/gallery/<int:feature_id>/image.jpg")
@public
def gallery_image(feature_id: int):
    """The featured initiative's photo thumbnail: public because the organizers chose to publish it."""
    image = _image_of(_published(feature_id).initiative)
    if image is None:
        abort(404)
    return send_from_directory(uploads.upload_dir(), uploads.thumbnail_name(image), mimetype="image/jpeg",
                               max_age=86400)
