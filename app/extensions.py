"""Extension singletons, bound to the app in ``create_app``."""
import logging

from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.middleware.proxy_fix import ProxyFix

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app: Flask) -> None:
    """Rate limits count per client address: trust X-Forwarded-For only when a proxy is declared (PROXY_FIX),
    since any client can send that header; and say so when counts are not shared between worker processes."""
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    limiter.init_app(app)
    # Tests and the single-process development server (`make run`) are fine with memory://.
    if (app.config["RATELIMIT_STORAGE_URI"].startswith("memory://") and not app.testing
            and not app.config.get("DEVELOPMENT")):
        logging.getLogger(__name__).warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker process counts login attempts on its own, so with "
            "several workers the limits are that many times looser. Set it to a Redis URL (redis://host:6379).")
