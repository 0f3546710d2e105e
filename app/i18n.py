"""Locale choice and locale-aware formatting (Vietnamese first: 1.032 and 31/05/2022)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_decimal, format_percent


def get_locale() -> str:
    if not has_request_context():  # commands and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if isinstance(lang, str) and lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value)


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%")


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, "dd/MM/yyyy")


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(number=number, percent=percent, day=day, moment=moment)
    app.jinja_env.globals["get_locale"] = get_locale
