"""Commendation for organizers (shortlist, judging rounds, awards, certificates) and the public gallery."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..domain import campaigns, uploads
from ..domain.catalog import FIELDS, STATUSES
from ..extensions import db
from ..models import Attachment, Award, Campaign, Feature, Initiative, PairwiseRound, Role
from ..policy import public, roles_allowed, signed_in
from ..web import is_htmx, render
from . import forms, service

bp = Blueprint("awards", __name__)
ORGANIZERS = (Role.ORGANIZER,)
JUDGES = (Role.ORGANIZER, Role.REVIEWER)


def _campaign() -> Campaign:
    campaign = campaigns.current(current_user.scope)
    if campaign is None:
        abort(404)
    return campaign


def _managed(initiative_id: int) -> Initiative:
    """An initiative of the organizer's subtree (404 outside it)."""
    return policy.get_or_404(Initiative, initiative_id, lambda item: policy.can_manage_unit(current_user, item.unit))


def _award(award_id: int) -> Award:
    """An award of an initiative of the organizer's subtree (404 outside it)."""
    return policy.get_or_404(Award, award_id,
                             lambda award: policy.can_manage_unit(current_user, award.initiative.unit))


def _certificate_award(award_id: int) -> Award:
    """A standing award its organizers or its recipient may see (404 for anyone else)."""
    return policy.get_or_404(Award, award_id, lambda award: award.revoked_at is None and (
        policy.can_manage_unit(current_user, award.initiative.unit) or award.recipient_user_id == current_user.id))


def _round(round_id: int) -> PairwiseRound:
    return policy.get_or_404(PairwiseRound, round_id, lambda judging: policy.in_scope(current_user, judging.unit))


def _published(feature_id: int) -> Feature:
    return policy.get_or_404(Feature, feature_id, lambda row: row.published)


@bp.route("/awards/")
@roles_allowed(*ORGANIZERS)
def candidates():
    campaign = _campaign()
    query = forms.CandidateFilter(request.args)
    field, sector = query.field.data, query.sector.data
    unit = service.scope_unit(current_user, query.unit.data)
    found = service.candidate_page(current_user, campaign, field, sector, unit, query.page_number())
    filter_args = {k: v for k, v in {"field": field, "sector": sector, "unit": unit.id if unit else None}.items()
                   if v}  # the pager's links keep the filters
    return render("awards/candidates.html", campaign=campaign, items=found.items, found=found,
                  filter_args=filter_args, fields=FIELDS, field=field, sector=sector, unit=unit,
                  children=service.child_units(current_user.scope or campaign.unit), statuses=STATUSES)


@bp.route("/awards/<int:initiative_id>/shortlist", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def shortlist(initiative_id: int):
    initiative = _managed(initiative_id)
    form = forms.ShortlistForm()
    if form.validate():
        try:
            if form.only_note.data:
                service.save_note(current_user, initiative, form.note.data)
            else:
                service.toggle_shortlist(current_user, initiative, form.note.data)
            db.session.commit()
        except service.AwardProblem as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
    for message in forms.messages(form):
        flash(message, "error")
    if is_htmx():
        return render("awards/_candidate_row.html", "awards/_candidate_row.html", c=service.candidate(initiative),
                      statuses=STATUSES)
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("awards.candidates"))


@bp.route("/awards/<int:initiative_id>/award", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def award_form(initiative_id: int):
    initiative = _managed(initiative_id)
    form = forms.AwardForm()
    if form.validate_on_submit():
        try:
            made = service.grant(current_user, initiative, form.level_id.data, form.recipients.data,
                                 form.decision_number.data, form.decision_date.data)
            db.session.commit()
            flash(_("Đã ghi %(n)s khen thưởng.", n=len(made)), "success")
            return redirect(url_for("awards.award_form", initiative_id=initiative.id))
        except service.AwardProblem as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
    return render("awards/award_form.html", initiative=initiative, levels=service.levels_in_use(initiative.campaign),
                  recipients=service.recipients(initiative), awards=service.active_awards(initiative),
                  errors=forms.messages(form), form=form, statuses=STATUSES)


@bp.route("/awards/levels", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def levels():
    """Award levels of the campaign: name, issuer and quota (blank quota: no limit)."""
    campaign = _campaign()
    policy.require(policy.can_manage_unit(current_user, campaign.unit), 403)
    form = forms.LevelForm()
    if form.validate_on_submit():
        try:
            service.save_level(campaign, form.level_id.data, form.name.data, form.issuer.data, form.quota.data)
            db.session.commit()
            flash(_("Đã lưu hình thức khen thưởng."), "success")
            return redirect(url_for("awards.levels"))
        except service.AwardProblem as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
    return render("awards/levels.html", campaign=campaign, levels=service.levels_in_use(campaign),
                  errors=forms.messages(form), form=form)


@bp.route("/awards/grants/<int:award_id>/revoke", methods=["POST"])
@roles_allowed(*ORGANIZERS)
def revoke(award_id: int):
    award = _award(award_id)
    service.revoke(current_user, award)
    db.session.commit()
    flash(_("Đã thu hồi khen thưởng của %(name)s.", name=award.recipient_name), "info")
    return redirect(url_for("awards.award_form", initiative_id=award.initiative_id))


@bp.route("/awards/list")
@roles_allowed(*ORGANIZERS)
def award_list():
    campaign = _campaign()
    awards = service.award_list(campaign, current_user)
    export = forms.AwardListExport(request.args).format.data
    if export == "xlsx":
        return Response(service.annex_xlsx(campaign, awards),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="khen-thuong-{campaign.slug}.xlsx"'})
    if export == "csv":
        return Response(service.annex_csv(awards), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="khen-thuong-{campaign.slug}.csv"'})
    return render("awards/list.html", campaign=campaign, awards=awards, fields=FIELDS)


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
    form = forms.RoundForm()
    if form.is_submitted():
        policy.require(current_user.role in (Role.ORGANIZER, Role.ADMIN), 403)
        if form.validate():
            try:
                judging = service.create_round(current_user, campaign, form.name.data or "")
                db.session.commit()
                return redirect(url_for("awards.round_page", round_id=judging.id))
            except service.AwardProblem as problem:
                form.form_errors.append(str(problem))
        for message in forms.messages(form):
            flash(message, "error")
    return render("awards/rounds.html", rounds=service.rounds(current_user, campaign))


@bp.route("/awards/rounds/<int:round_id>")
@roles_allowed(*JUDGES)
def round_page(round_id: int):
    judging = _round(round_id)
    return render("awards/round.html", judging=judging, pair=service.next_pair(judging, current_user),
                  ranking=service.round_ranking(judging), votes=len(service.votes(judging)))


@bp.route("/awards/rounds/<int:round_id>/vote", methods=["POST"])
@roles_allowed(*JUDGES)
def round_vote(round_id: int):
    judging = _round(round_id)
    form = forms.VoteForm()
    if form.validate():
        try:
            service.vote(judging, current_user, form.first.data, form.second.data, form.winner.data)
            db.session.commit()
        except service.AwardProblem as problem:
            form.form_errors.append(str(problem))
    for message in forms.messages(form):
        flash(message, "error")
    return redirect(url_for("awards.round_page", round_id=judging.id))


@bp.route("/awards/<int:initiative_id>/feature", methods=["GET", "POST"])
@roles_allowed(*ORGANIZERS)
def feature_form(initiative_id: int):
    initiative = _managed(initiative_id)
    existing = service.feature_of(initiative)
    form = forms.FeatureForm()
    if form.is_submitted():
        if form.unpublish.data and existing:
            service.unpublish(existing)
            db.session.commit()
            flash(_("Đã gỡ khỏi trang sáng kiến tiêu biểu."), "info")
            return redirect(url_for("awards.candidates"))
        if form.validate():
            try:
                row = service.feature(current_user, initiative, form.story.data)
                db.session.commit()
                flash(_("Đã đăng lên trang sáng kiến tiêu biểu."), "success")
                return redirect(url_for("awards.gallery_item", feature_id=row.id))
            except service.AwardProblem as problem:
                db.session.rollback()
                form.form_errors.append(str(problem))
    elif existing:
        form.story.data = existing.story
    return render("awards/feature_form.html", initiative=initiative, existing=existing, form=form,
                  errors=forms.messages(form))


@bp.route("/gallery")
@public
def gallery():
    query = forms.GalleryFilter(request.args)
    campaign = campaigns.current()
    unit = service.any_unit(query.unit.data)
    return render("awards/gallery.html", "awards/_gallery_items.html", features=service.gallery(query.field.data, unit),
                  fields=FIELDS, field=query.field.data, unit=unit,
                  children=service.child_units(campaign.unit) if campaign else [])


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
