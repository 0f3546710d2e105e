from __future__ import annotations

import time
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..domain import accounts
from ..domain.units import search_grassroots
from ..extensions import csrf, db, limiter
from ..fields import Form
from ..models import Role, User, utcnow
from ..policy import STAFF_ROLES, get_or_404, helps_union, public, roles_allowed, signed_in
from ..web import is_htmx, render
from . import service
from .forms import ChangePasswordForm, LanguageForm, LoginForm, NextQuery, RegisterForm, UnitSearchQuery

F = TypeVar("F", bound=Form)

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would hand logged-in users to a phishing page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def _query(form_class: type[F]) -> F:
    """A form over the query string (nothing is changed by a GET, so no CSRF token)."""
    return form_class(request.args, meta={"csrf": False})


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on login: nothing from before login (e.g. a planted value) carries over.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    session["seen_at"] = int(time.time())
    # Staff sessions end when idle: a remember-me cookie would bring them back, so only members get one.
    login_user(user, remember=remember and user.role not in STAFF_ROLES)


def _end_session() -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    session["_remember"] = "clear"  # Flask-Login deletes the remember-me cookie too


@bp.before_app_request
def end_idle_staff_sessions():
    """Staff accounts can decide, score and manage whole districts: after STAFF_IDLE_MINUTES without a
    request (a shared office computer left open) the session ends. Members keep their long sessions."""
    if request.endpoint == "asset" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get("seen_at")
    idle_limit = current_app.config["STAFF_IDLE_MINUTES"] * 60
    if (current_user.role in STAFF_ROLES and idle_limit and isinstance(seen, int)
            and now - seen > idle_limit):
        _end_session()
        flash(_("Phiên đăng nhập đã hết hạn vì quá %(minutes)s phút không thao tác. Vui lòng đăng nhập lại.",
                minutes=current_app.config["STAFF_IDLE_MINUTES"]), "warning")
        back = request.full_path.rstrip("?") if request.method == "GET" and not is_htmx() else None
        target = url_for("auth.login", next=back)
        if is_htmx():  # a poll or a partial: htmx sends the whole page to the login form
            response = make_response("", 204)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)
    if not isinstance(seen, int) or now - seen >= 60:  # once a minute is precise enough
        session["seen_at"] = now
    return None


@bp.after_app_request
def no_store_for_signed_in_users(response):
    """Pages and files for a signed-in user (names, figures, exports) are never kept by a browser cache or a
    proxy, where the next person at a shared computer could find them. Static assets keep their long cache;
    anonymous public pages keep their headers."""
    if request.endpoint != "asset" and current_user.is_authenticated:
        response.cache_control.no_store = True
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.expires = None
    return response


def _login_account_key() -> str:
    # The rate limiter asks before the view runs: the identifier as typed, any spelling counted as one account.
    return service.login_rate_key(LoginForm().identifier.data or "")


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
            _start_session(user, remember=form.remember.data)
            return redirect(_safe_next(_query(NextQuery).next.data))
        form.password.errors.append(_("Số điện thoại/email hoặc mật khẩu không đúng."))
    return render("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    # Rotating the token ends this session and any copy of its cookie, on every device.
    current_user.rotate_session_token()
    db.session.commit()
    _end_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.home"))


def _claim_code_problem(refusal: service.ClaimRefusal | None, typed: str) -> str | None:
    if not typed.strip():
        return _("Số điện thoại này đã được tổ hỗ trợ sáng kiến đăng ký cho bạn. Nhập mã nhận tài khoản do tổ "
                 "hỗ trợ đưa cho bạn.")
    if refusal is None:
        return None
    return {
        service.ClaimRefusal.NO_CODE: _("Chưa có mã nhận tài khoản cho số điện thoại này. Hãy xin tổ hỗ trợ "
                                        "sáng kiến của công đoàn cấp mã."),
        service.ClaimRefusal.EXPIRED: _("Mã nhận tài khoản đã hết hạn. Hãy xin tổ hỗ trợ sáng kiến mã mới."),
        service.ClaimRefusal.SPENT: _("Mã này đã bị khóa vì nhập sai quá nhiều lần. Hãy xin tổ hỗ trợ sáng "
                                      "kiến mã mới."),
        service.ClaimRefusal.WRONG: _("Mã nhận tài khoản không đúng. Kiểm tra lại 6 chữ số."),
    }.get(refusal)


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.unit_query.data = _query(UnitSearchQuery).unit_query.data or ""
    searching = request.method == "POST" and form.action.data == "search"
    asks_code = bool(form.claim_code.data)
    if not searching and form.validate_on_submit():
        phone_taken, email_taken = accounts.login_taken(form.phone.data, form.email.data)
        # A member the support team entered initiatives for (no password yet) takes over that account,
        # with the one-time code the support team gave them: knowing the phone and the union is not enough.
        claimable = service.claimable(form.phone.data, form.selected_unit) if phone_taken else None
        code_ok = False
        if phone_taken and claimable is None:
            form.phone.errors.append(_("Số điện thoại này đã có tài khoản. Hãy đăng nhập."))
        if email_taken:
            form.email.errors.append(_("Email này đã có tài khoản."))
        if claimable is not None and not email_taken:
            asks_code = True
            typed = form.claim_code.data or ""
            refusal = service.check_claim_code(claimable, typed) if typed.strip() else None
            problem = _claim_code_problem(refusal, typed)
            if problem:
                form.claim_code.errors.append(problem)
                db.session.commit()  # a wrong try counts, though nothing else is saved
            code_ok = problem is None
        if not email_taken and (code_ok or not phone_taken):
            if claimable is not None:
                user = service.claim(claimable, full_name=form.full_name.data, password=form.password.data,
                                     email=form.email.data, position=form.position.data)
            else:
                user = accounts.create_user(full_name=form.full_name.data, role=Role.MEMBER,
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
                  selected=form.selected_unit, asks_code=asks_code)


@bp.route("/account/claim-codes")
@roles_allowed(Role.HELPER)
def claim_codes():
    """The support team's list of members it entered who have not taken over their account yet."""
    return _claim_codes_page()


@bp.route("/account/claim-codes/<int:user_id>", methods=["POST"])
@roles_allowed(Role.HELPER)
def issue_claim_code(user_id: int):
    member = get_or_404(User, user_id, lambda member: helps_union(current_user, member.unit_id)
                        and service.claimable(member.phone or "", member.unit) is not None)
    code = service.issue_claim_code(member)
    db.session.commit()
    sent = service.send_claim_code_by_sms(member, code)
    return _claim_codes_page(issued=member, code=None if sent else code, sent=sent)


def _claim_codes_page(**issued):
    unit_id = current_user.unit_id if current_user.role == Role.HELPER else None
    members = service.unclaimed_members(unit_id) if unit_id else []
    return render("auth/claim_codes.html", members=members, now=utcnow(), **issued)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: f"password-change:{current_user.id}")
def change_password():
    """Every user changes their own password; other sessions end, this one stays logged in."""
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.set_password(form.password.data)
        user.rotate_session_token()  # every other session and remember-me cookie stops working
        db.session.commit()
        _start_session(user, remember=bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                                                       "remember_token"))))
        flash(_("Đã đổi mật khẩu. Các phiên đăng nhập trên thiết bị khác đã kết thúc."), "success")
        return redirect(url_for("auth.change_password"))
    return render("auth/change_password.html", form=form)


@bp.route("/units/search")
@public
def unit_search():
    """Grassroots union picker: the htmx partial, or the registration page with results without JS."""
    search = _query(UnitSearchQuery)
    query = search.unit_query.data or ""
    if not is_htmx():
        return redirect(url_for("auth.register", unit_query=query))
    units = search_grassroots(query) if query.strip() else []
    return render("auth/_unit_options.html", units=units, query=query, selected=None,
                  selected_id=search.unit_id.data)


def _from_this_site() -> bool:
    """Did a page of this site send the request? Browsers say so themselves, in headers no other site's page can
    set: ``Sec-Fetch-Site`` (current browsers), else ``Origin`` or ``Referer``. A request with none of them is not
    from a browser page, so no visitor can be tricked into it."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    sender = request.headers.get("Origin") or request.headers.get("Referer")
    if sender is None:
        return True
    parts = urlsplit(sender)
    return (parts.scheme, parts.netloc) == (request.scheme, request.host)


@bp.route("/lang", methods=["POST"])
@csrf.exempt
@public
def set_language():
    """Switch the language (kept in the session), from the switch in every page's menu.

    Public pages must not start a session for an anonymous visitor: the cookie would make them uncacheable (no
    shared cache may keep a page that set a cookie), and a CSRF token lives in the session. So the switch carries
    a token only for a signed-in user, and this view does the CSRF check itself (it is exempt from the global one):
    - signed in: the session's token, as on every other form (the switch then also guards the account's session);
    - anonymous: the browser's own word that a page of this site sent it (``_from_this_site``). A page elsewhere
      cannot switch a visitor's language; an anonymous session holds nothing else to protect.
    A GET would be simpler and is not an option: no GET changes state.
    """
    if current_user.is_authenticated:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as problem:
            raise CSRFError(problem.args[0]) from None
    elif not _from_this_site():
        abort(403)
    form = LanguageForm(meta={"csrf": False})
    if form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
    return redirect(_safe_next(form.next.data))
