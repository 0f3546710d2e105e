from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..domain.units import search_grassroots
from ..extensions import db, limiter
from ..models import Role
from ..policy import login_required, public
from ..web import is_htmx, render
from . import service
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would hand logged-in users to a phishing page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def _start_session(user) -> None:
    # A fresh session on login: nothing from before login (e.g. a planted value) carries over.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user, remember=False)


def _login_account_key() -> str:
    return service.login_rate_key(request.form.get("identifier", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], key_func=_login_account_key,
               methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.identifier.data, form.password.data)
        if user is not None:
            _start_session(user)
            if form.remember.data:
                login_user(user, remember=True)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Số điện thoại/email hoặc mật khẩu không đúng."))
    return render("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required()
def logout():
    # Rotating the token ends this session and any copy of its cookie, on every device.
    current_user.rotate_session_token()
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.unit_query.data = request.args.get("unit_query", "")
    searching = request.method == "POST" and request.form.get("action") == "search"
    if not searching and form.validate_on_submit():
        phone_taken, email_taken = service.login_taken(form.phone.data, form.email.data)
        # A member the support team entered initiatives for (no password yet) takes over that account.
        claimable = service.claimable(form.phone.data, form.selected_unit) if phone_taken else None
        if phone_taken and claimable is None:
            form.phone.errors.append(_("Số điện thoại này đã có tài khoản. Hãy đăng nhập."))
        if email_taken:
            form.email.errors.append(_("Email này đã có tài khoản."))
        if not email_taken and (claimable is not None or not phone_taken):
            if claimable is not None:
                user = service.claim(claimable, full_name=form.full_name.data, password=form.password.data,
                                     email=form.email.data, position=form.position.data)
            else:
                user = service.create_user(full_name=form.full_name.data, role=Role.MEMBER,
                                           unit=form.selected_unit, password=form.password.data,
                                           phone=form.phone.data, email=form.email.data,
                                           position=form.position.data)
            db.session.commit()
            _start_session(user)
            flash(_("Chào mừng %(name)s! Tài khoản đã được tạo.", name=user.full_name), "success")
            return redirect(url_for("main.home"))
    query = form.unit_query.data or ""
    units = search_grassroots(query) if query.strip() else []
    return render("auth/register.html", form=form, units=units, query=query,
                  selected=form.selected_unit)


@bp.route("/units/search")
@public
def unit_search():
    """Grassroots union picker: the htmx partial, or the registration page with results without JS."""
    query = request.args.get("unit_query", "")
    if not is_htmx():
        return redirect(url_for("auth.register", unit_query=query))
    units = search_grassroots(query) if query.strip() else []
    return render("auth/_unit_options.html", units=units, query=query, selected=None,
                  selected_id=request.args.get("unit_id", type=int))


@bp.route("/lang", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
