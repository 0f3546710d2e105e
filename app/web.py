"""Cross-cutting web plumbing: fingerprinted static files, security headers, htmx helpers, error pages."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, abort, make_response, render_template, request, send_from_directory, url_for
from flask_wtf.csrf import CSRFError

from .policy import public

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ONE_YEAR = 365 * 24 * 3600
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


def init_app(app: Flask) -> None:
    fingerprints = _fingerprints()

    def asset(filename: str) -> str:
        return url_for("asset", fingerprint=fingerprints.get(filename, "0"), filename=filename)

    @public
    def serve_asset(fingerprint: str, filename: str):
        if fingerprints.get(filename) != fingerprint:
            abort(404)
        response = send_from_directory(STATIC_DIR, filename, max_age=ONE_YEAR)
        response.cache_control.immutable = True
        response.cache_control.public = True
        return response

    app.add_url_rule("/s/<fingerprint>/<path:filename>", "asset", serve_asset)
    app.jinja_env.globals["asset"] = asset

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: keep browsers on it
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            response.cache_control.private = True
        return response

    def error_page(code: int, message: str):
        return render("errors/error.html", code=code, message=message), code

    from flask_babel import gettext as _

    app.register_error_handler(403, lambda e: error_page(403, _("Bạn không có quyền thực hiện thao tác này.")))
    app.register_error_handler(404, lambda e: error_page(404, _("Không tìm thấy trang hoặc dữ liệu bạn cần.")))
    app.register_error_handler(CSRFError, lambda e: error_page(
        400, _("Phiên làm việc đã hết hạn. Vui lòng tải lại trang; dữ liệu đã lưu nháp không bị mất.")))
    app.register_error_handler(413, lambda e: error_page(413, _("Tệp gửi lên quá lớn.")))
    app.register_error_handler(429, lambda e: error_page(
        429, _("Bạn đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại.")))
