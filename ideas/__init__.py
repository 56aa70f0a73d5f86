"""Ideenfenster: citizens' ideas for a town's digital strategy, from submission to council."""
import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from config import CONFIGS


def create_app(test_config: dict | None = None, config_name: str | None = None) -> Flask:
    app = Flask(__name__, instance_path=_instance_path(),
                template_folder="../templates", static_folder="../static")
    config_name = config_name or os.environ.get("IDEENFENSTER_CONFIG", "development")
    app.config.from_object(CONFIGS[config_name])
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _check_production(app)

    from ideas import cli, database, errors, headers, i18n, mail, search, templating  # noqa: F401
    from ideas.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Please log in to continue.")
    i18n.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    mail.init_app(app)
    cli.init_app(app)

    from ideas import api, auth, exports, moderation, pages, participation, strategy

    app.register_blueprint(participation.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(strategy.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(api.bp)
    from ideas import admin, totp  # accounts: two-factor login, administration
    app.register_blueprint(totp.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(pages.bp)
    return app


def _instance_path() -> str:
    from config import INSTANCE_DIR
    return str(INSTANCE_DIR)


def _check_production(app: Flask) -> None:
    if app.config.get("PRODUCTION"):
        key = app.config.get("SECRET_KEY") or ""
        if key in ("", "dev-only-not-secret") or len(key) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters "
                               "in production (e.g. python -c 'import secrets; print(secrets.token_hex(32))').")
