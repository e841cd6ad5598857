"""Small helpers the staff, guest and public pages share."""

from flask import request

from service.errors import ServiceError


def is_htmx() -> bool:
    """Return whether htmx sent this request (it wants a fragment, not a redirect page)."""
    return request.headers.get("HX-Request") == "true"


def attempt(use_case, *args, **kwargs):
    """Run a use case; return (result, None), or (None, error) when the caller got it wrong."""
    try:
        return use_case(*args, **kwargs), None
    except ServiceError as exc:
        if exc.status >= 500 or exc.status in (401, 403, 404, 409, 410):
            raise  # refused outright: the error page says why
        return None, exc


def field_errors(error: ServiceError | None) -> dict[str, str]:
    """Return {field path: message} from an InvalidData's details."""
    if error is None or not isinstance(error.details, dict):
        return {}
    errors = {}
    for path, message in error.details.items():
        if isinstance(message, list):
            message = message[0] if message else ""
        errors[str(path)] = str(message)
    return errors
