"""The JSON REST API v1: one blueprint per resource, documented at /api/v1/openapi.json."""

from flask_smorest import Api

from .errors_doc import ErrorResponsesPlugin
from .links import LinksPlugin
from .schemas import ErrorSchema


class EnvelopeApi(Api):
    """The Api whose documented errors are the service's {code, message, details} envelope."""

    ERROR_SCHEMA = ErrorSchema
    # Each operation lists its own error statuses (errors_doc.py) instead of a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None


def register_api(app) -> Api:
    """Create the Api, register every resource blueprint, and return it."""
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = EnvelopeApi(app, spec_kwargs={"info": {"description": "LinkPass Flow REST API"},
                                      "extra_plugins": [ErrorResponsesPlugin(), LinksPlugin()]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    from . import auth, instances, messages, org, processes, tasks

    for module in (auth, processes, instances, tasks, messages, org):
        api.register_blueprint(module.bp)
    from . import monitor  # the admin monitor (docs/MONITOR.md)
    api.register_blueprint(monitor.bp)
    from . import certification_bodies, customers, public  # the CRM (docs/PROCESS-CONVENTIONS.md)
    for module in (customers, certification_bodies, public):
        api.register_blueprint(module.bp)
    return api
