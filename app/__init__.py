"""Sáng kiến: application factory."""
from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import DEV_SECRET_KEY, INSTANCE_DIR, Config


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder=None, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or Config)
    os.makedirs(app.instance_path, exist_ok=True)
    production_like = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and production_like and not app.testing:
        app.logger.warning("SECRET_KEY is the development default: set it before serving real users.")

    from .extensions import babel, compress, csrf, db, init_limiter, login_manager, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    compress.init_app(app)
    init_limiter(app)
    login_manager.init_app(app)

    from . import i18n, navigation, web
    babel.init_app(app, locale_selector=i18n.get_locale, timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    i18n.init_app(app)
    web.init_app(app)
    navigation.init_app(app)

    from .admin.routes import bp as admin_bp
    from .auth import service as _auth_service  # noqa: F401  (registers the user loader)
    from .auth.routes import bp as auth_bp
    from .awards.routes import bp as awards_bp
    from .dashboard.routes import bp as dashboard_bp
    from .inbox.routes import bp as inbox_bp
    from .main.routes import bp as main_bp
    from .programmes.routes import bp as programmes_bp
    from .review.routes import bp as review_bp
    from .submissions.routes import bp as submissions_bp
    from .support.routes import bp as support_bp
    for blueprint in (main_bp, auth_bp, submissions_bp, review_bp, dashboard_bp, admin_bp, awards_bp, programmes_bp,
                      inbox_bp, support_bp):
        app.register_blueprint(blueprint)

    if app.config["MICROCACHE_ENTRIES"]:  # public pages answered from memory for their max-age (app/microcache.py)
        from .microcache import MicroCache
        app.wsgi_app = MicroCache(app.wsgi_app, app.config["MICROCACHE_ENTRIES"])  # type: ignore[method-assign]

    from . import cli, jobs  # jobs: committed deliveries are handed to the queue's worker
    cli.init_app(app)
    jobs.init_app(app)
    if not app.testing:
        _load_demo_clock(app)
    return app


def _load_demo_clock(app: Flask) -> None:
    """A seeded demo database carries its demo date (``app_settings.demo_date``): start the clock there."""
    from datetime import date

    from sqlalchemy.exc import SQLAlchemyError

    from . import clock
    from .extensions import db
    from .models import AppSetting
    with app.app_context():
        try:
            setting = db.session.get(AppSetting, "demo_date")
            value = setting.value if setting else None  # read before the rollback expires the row
        except SQLAlchemyError:  # not migrated yet: `make run` migrates, then starts again with the clock
            value = None
        finally:
            db.session.rollback()
            db.session.remove()
        clock.set_demo_date(date.fromisoformat(value) if value else None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - depends on driver
    """WAL lets readers and one writer work together; the busy timeout makes writers wait instead of failing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        try:  # SQL ranking by z-scores needs sqrt(), which builds without SQLite's math functions lack
            cursor.execute("SELECT sqrt(4)")
        except Exception:  # noqa: BLE001 - the driver's OperationalError
            import math
            dbapi_connection.create_function("sqrt", 1, lambda x: math.sqrt(x) if x is not None and x >= 0 else None,
                                             deterministic=True)
        cursor.close()
