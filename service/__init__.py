"""LinkPass Flow: create_app is the one composition root."""

import os

from flask import Flask
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from service import config as config_module

migrate = Migrate()
csrf = CSRFProtect()


def create_app(config: dict | None = None) -> Flask:
    """Build the app from defaults, then the environment (or the given test mapping)."""
    instance_path = os.environ.get("INSTANCE_PATH", str(config_module.ROOT / "instance"))
    app = Flask(__name__, instance_path=instance_path)
    config_module.load(app, config)

    from service import cli, i18n, ops, security
    from service.api import register_api
    from service.auth import login_manager
    from service.engine import Engine, Limits
    from service.errors import register_error_handlers
    from service.input_guard import refuse_unstorable_text
    from service.models import db
    from service.roles import lane_names
    from service.usecases import crm_services
    from service.web import register_web

    # Before any route: an id in a URL beyond the database's INTEGER is simply not found (404),
    # instead of overflowing the driver (500).
    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    app.before_request(refuse_unstorable_text)  # after the CSRF check
    app.extensions["engine"] = Engine(lanes=lane_names(),
                                      limits=Limits(**config_module.script_limits(app.config)),
                                      hot_runs=app.config["HOT_RUNS"],
                                      sandbox_processes=app.config["SANDBOX_PROCESSES"])
    crm_services.register(app.extensions["engine"])
    register_api(app)
    app.register_blueprint(ops.bp)
    i18n.init_app(app)
    register_web(app)
    register_error_handlers(app)
    cli.init_app(app)
    _exempt_api_from_csrf(app)
    return app


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: a non-negative integer that fits a 32-bit INTEGER column.

    A larger number names no row: it is answered 404 as it is matched, whatever the method
    (the base converter's refusal would let the router answer 405 for some methods).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.max:
            raise NotFound()
        return number


def _exempt_api_from_csrf(app) -> None:
    """API calls authenticate with bearer tokens, never cookies, so CSRF does not apply."""
    for blueprint in app.blueprints.values():
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)
