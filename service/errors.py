"""One error hierarchy, one JSON envelope: {code, message, details}."""

from flask import jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from service.models import db


class ServiceError(Exception):
    """Base of every error a caller can cause; carries its HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details=None):
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class InvalidData(ServiceError):
    status, code = 422, "invalid"


def envelope(code: str, message: str, details=None, status: int = 400):
    """Answer with the JSON envelope, or with an error page for a browser outside the API."""
    if not request.path.startswith("/api/") and request.accept_mimetypes.accept_html:
        page = render_template("web/error.html", code=code, message=message, status=status)
        return page, status
    response = jsonify({"code": code, "message": message, "details": details or {}})
    response.status_code = status
    return response


# Deadlock and serialization failure: PostgreSQL aborted one of two racing transactions.
LOST_RACE_STATES = ("40P01", "40001")


def is_lost_race(error: BaseException) -> bool:
    """Tell whether the database aborted this transaction for racing another one."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in LOST_RACE_STATES


def register_error_handlers(app) -> None:
    """Answer every error with the JSON envelope."""

    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        return envelope(error.code, error.message, error.details, error.status)

    @app.errorhandler(StaleDataError)
    def handle_lost_race(error: StaleDataError):
        # Another request changed the instance between our read and our write.
        db.session.rollback()
        return envelope("conflict", "the instance changed meanwhile; reload and try again",
                        {}, 409)

    @app.errorhandler(DBAPIError)
    def handle_lost_connection(error: DBAPIError):
        if is_lost_race(error):  # PostgreSQL rolled the whole transaction back: nothing changed
            db.session.rollback()
            return envelope("conflict", "the instance changed meanwhile; reload and try again",
                            {}, 409)
        # A connection broken by a database restart (no pre-ping, config.py): the pool has
        # dropped it and every older one, so the same request succeeds when sent again.
        if not error.connection_invalidated:
            raise error
        db.session.rollback()
        response = make_response(envelope("unavailable",
                                          "the database connection was reset; retry", {}, 503))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        details = {}
        data = getattr(error, "data", None)  # flask-smorest/webargs validation messages
        if isinstance(data, dict) and "messages" in data:
            details = data["messages"]
            return envelope("invalid", "the request is invalid", details, 422)
        code = (error.name or "error").lower().replace(" ", "_")
        return envelope(code, error.description or error.name, details, error.code or 500)
