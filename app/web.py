"""Cross-cutting web plumbing: fingerprinted static files, security headers, htmx helpers, error pages, and the
input guards every route gets (integers the database can store, no NUL bytes)."""
from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
from pathlib import Path
from urllib.parse import parse_qsl

import brotli
from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from . import clock
from .extensions import db
from .fields import DB_INT_MAX, database_int, has_nul
from .policy import public

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ONE_YEAR = 365 * 24 * 3600
# What the service worker keeps for a visit with no signal (static/sw.js; the form page itself is cached per account).
OFFLINE_ASSETS = ("app.css", "app.js", "vendor/htmx-2.0.11.min.js", "icon-192.png")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _fingerprints() -> dict[str, str]:
    return {str(p.relative_to(STATIC_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in STATIC_DIR.rglob("*") if p.is_file()}


def is_htmx() -> bool:
    """An htmx request wanting a fragment. Restoring history (back button) needs the whole page."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(full: str, partial: str | None = None, status: int = 200, **context) -> Response:
    """Full page for a normal request, the partial for an htmx request (``Vary: HX-Request`` is added for all)."""
    template = partial if partial and is_htmx() else full
    return make_response(render_template(template, **context), status)


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that does not match (404) a number beyond the database's integer range."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class _DatabaseInts:
    """``get(..., type=int)`` / ``getlist(..., type=int)`` treat a number the database cannot store as missing,
    like any other value that is not a number (``?page=99999999999999999999`` is ignored, not a 500)."""

    def get(self, key, default=None, type=None):
        return super().get(key, default, database_int if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, database_int if type is int else type)


# Werkzeug's own stubs disagree between its dict mixins (``update``, ``get``, ``__hash__``): nothing of ours.
class DatabaseIntMultiDict(_DatabaseInts, ImmutableMultiDict):  # type: ignore[misc]
    pass


class DatabaseIntCombinedMultiDict(_DatabaseInts, CombinedMultiDict):  # type: ignore[misc]
    pass


class AppRequest(Request):
    parameter_storage_class = DatabaseIntMultiDict

    @cached_property
    def args(self) -> DatabaseIntMultiDict:
        """The query string with NUL bytes dropped: never typed by a person and refused by PostgreSQL, while a
        search box or an htmx hint should still answer. (Form fields report a NUL instead: app.fields.Form.)"""
        pairs = parse_qsl(self.query_string.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
        return self.parameter_storage_class([(key.replace("\x00", ""), value.replace("\x00", ""))
                                             for key, value in pairs])

    @cached_property
    def values(self) -> CombinedMultiDict:
        """``args`` and, except for GET, ``form`` (as in Werkzeug), with the same integer rule."""
        return DatabaseIntCombinedMultiDict([self.args] if self.method == "GET" else [self.args, self.form])


# A last resort when even the error page cannot be rendered (e.g. the database is down).
FALLBACK_500 = ('<!doctype html><html lang="vi"><meta charset="utf-8"><title>500</title><h1>500</h1>'
                '<p>Đã có lỗi ở máy chủ. Vui lòng thử lại sau ít phút.</p><p><a href="/">Về trang chủ</a></p>')


# Text assets are compressed once per process, at their first request, in both encodings (brotli at its best
# quality: it is done once), and then served from memory: never compressed again per request, and a client that
# only takes gzip gets gzip. The files are a few dozen KB in all. (Images are compressed already.)
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt"}
_PACKED: dict[str, dict[str, bytes]] = {}


def _packed(filename: str) -> dict[str, bytes]:
    found = _PACKED.get(filename)
    if found is None:  # two threads may both compress a file the first time: the same bytes, no harm
        raw = (STATIC_DIR / filename).read_bytes()
        found = {"br": brotli.compress(raw, quality=11), "gzip": gzip.compress(raw, compresslevel=9, mtime=0),
                 "identity": raw}
        _PACKED[filename] = found
    return found


def _packed_asset(filename: str, fingerprint: str) -> Response:
    """The asset in the best encoding the client accepts, with ``Content-Encoding`` set (so Flask-Compress leaves
    it alone) and ``Vary: Accept-Encoding`` for caches."""
    encoding = request.accept_encodings.best_match(["br", "gzip"]) or "identity"
    response = Response(_packed(filename)[encoding], mimetype=mimetypes.guess_type(filename)[0])
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{fingerprint}-{encoding}")
    response.make_conditional(request)
    return response


def _shared_cache_may_keep(response: Response) -> bool:
    """A public page as any anonymous visitor gets it: asked without a session (no language chosen, no token, no
    message waiting) and answered without starting one, so it holds nothing of one person. Signed-in pages, and any
    page that sets a cookie, stay private."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed
            and getattr(view, "policy", None) == "public" and not current_user.is_authenticated
            and not session and not session.modified and "Set-Cookie" not in response.headers)


def _cache_publicly(response: Response, seconds: int) -> None:
    """A short shared max-age, so that a reverse proxy or CDN absorbs a spike of visitors, and an ETag, so that a
    browser or proxy revalidates with If-None-Match and gets a 304 without the body. ``Vary: Cookie``: whoever holds
    a session (a language chosen, signed in) never gets the anonymous copy. (Flask-Compress then adds the encoding
    to the ETag and answers conditional requests for the compressed copies itself.)"""
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    response.vary.add("Cookie")
    response.add_etag()
    response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["demo_date"] = clock.demo_date  # shown on every page while the demo clock is on
    # Before any route is added: rules bind their converters when they are created.
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = AppRequest
    fingerprints = _fingerprints()

    def asset(filename: str) -> str:
        return url_for("asset", fingerprint=fingerprints.get(filename, "0"), filename=filename)

    @public
    def serve_asset(fingerprint: str, filename: str):
        if fingerprints.get(filename) != fingerprint:
            abort(404)
        if Path(filename).suffix in COMPRESSIBLE:
            response = _packed_asset(filename, fingerprint)
        else:
            response = send_from_directory(STATIC_DIR, filename, max_age=ONE_YEAR)
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.public = True
        return response

    app.add_url_rule("/s/<fingerprint>/<path:filename>", "asset", serve_asset)
    app.jinja_env.globals["asset"] = asset

    @public
    def service_worker():
        """static/sw.js from the site's root (its scope covers every page), told which files to keep offline."""
        assets = [asset(name) for name in OFFLINE_ASSETS]
        head = "var VERSION = {}, ASSETS = {}, NEW_FORM = {};\n".format(
            json.dumps(hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]), json.dumps(assets),
            json.dumps(url_for("submissions.new")))
        response = make_response(head + (STATIC_DIR / "sw.js").read_text(encoding="utf-8"))
        response.mimetype = "text/javascript"
        response.cache_control.no_cache = True  # a new deploy reaches every phone on its next visit
        return response

    @public
    def manifest():
        """The installable web app: name, icons, opens on the home page."""
        from flask_babel import gettext as _
        body = {"name": _("Sáng kiến"), "short_name": _("Sáng kiến"),
                "description": _("Tự hào trí tuệ lao động Việt Nam"),
                "start_url": url_for("main.home"), "scope": "/", "display": "standalone",
                "background_color": "#f6f7f9", "theme_color": "#b3261e",
                "icons": [{"src": asset(f"icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
                           "purpose": "any"} for size in (192, 512)]}
        response = make_response(json.dumps(body, ensure_ascii=False))
        response.mimetype = "application/manifest+json"
        response.cache_control.max_age = 86400
        return response

    app.add_url_rule("/sw.js", "service_worker", service_worker)
    app.add_url_rule("/manifest.webmanifest", "manifest", manifest)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: keep browsers on it
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html" and response.status_code != 204:  # a 204 says its own caching
            response.vary.add("HX-Request")
            if _shared_cache_may_keep(response):
                _cache_publicly(response, app.config["PUBLIC_CACHE_SECONDS"])
            else:
                response.cache_control.private = True
        return response

    @app.before_request
    def refuse_nul_in_path():
        if has_nul(request.path):  # never typed by a person, refused by PostgreSQL: a bad request
            abort(400)

    from flask_babel import gettext as _

    def messages() -> dict[int, str]:
        return {
            400: _("Yêu cầu không hợp lệ. Vui lòng kiểm tra lại đường dẫn hoặc nội dung đã nhập."),
            403: _("Bạn không có quyền thực hiện thao tác này."),
            404: _("Không tìm thấy trang hoặc dữ liệu bạn cần."),
            405: _("Trang này không nhận thao tác đó. Vui lòng quay lại và dùng nút trên trang."),
            413: _("Tệp gửi lên quá lớn."),
            429: _("Bạn đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại."),
            500: _("Đã có lỗi ở máy chủ. Dữ liệu chưa được lưu; vui lòng thử lại sau ít phút."),
        }

    def error_page(error: HTTPException, message: str | None = None) -> Response:
        code = error.code or 500
        response = render("errors/error.html", status=code, code=code,
                          message=message or messages().get(code) or _("Yêu cầu không thực hiện được."))
        for name, value in error.get_headers():  # e.g. Allow on 405, Retry-After on 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return error_page(error)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        # The failed request's changes must not leak into the next one on this connection.
        db.session.rollback()
        try:
            return error_page(error)
        except Exception:  # noqa: BLE001 - the page itself failed: answer without templates or database
            app.logger.exception("error page failed")
            return Response(FALLBACK_500, 500, mimetype="text/html")

    app.register_error_handler(CSRFError, lambda e: error_page(
        e, _("Phiên làm việc đã hết hạn. Vui lòng tải lại trang; dữ liệu đã lưu nháp không bị mất.")))
