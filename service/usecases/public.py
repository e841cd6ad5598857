"""Forms the public sends without signing in: a client's inquiry, a center application.

Each is rate-limited per address by a small in-process limiter, carries a honeypot field that
people never fill in, and is checked against its form in forms/ before anything is recorded.
"""

import base64
import binascii
import json
import threading
import uuid
from collections import deque
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from service import clock
from service.engine import validate_form
from service.errors import InvalidData, ServiceError
from service.models import Center, CenterApplication, db

from . import documents, messages, onboarding_centers
from .context import Actor

HONEYPOT = "website"
LIMIT, WINDOW = 5, timedelta(minutes=10)
MAX_DOCUMENTS = 8


class TooManyRequests(ServiceError):
    status, code = 429, "too_many_requests"


class _Limiter:
    """At most LIMIT submissions per address and form in WINDOW (per process)."""

    def __init__(self):
        self._hits: dict[tuple[str, str], deque] = {}
        self._lock = threading.Lock()

    def hit(self, address: str, form: str) -> None:
        now = clock.now()
        limit = current_app.config.get("PUBLIC_FORM_LIMIT", LIMIT)
        with self._lock:
            hits = self._hits.setdefault((address, form), deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= limit:
                raise TooManyRequests("too many submissions from your address: try again later")
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle addresses rather than grow without end
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - WINDOW}

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = _Limiter()


def _form(name: str) -> dict:
    return json.loads((Path(current_app.config["FORMS_DIR"]) / name).read_text("utf-8"))


def _checked(form: str, data) -> dict:
    if not isinstance(data, dict):
        raise InvalidData("the form must be an object", {"_": ["expected an object"]})
    errors = validate_form(_form(form), data)
    if errors:
        raise InvalidData("the form data is invalid", {k: [v] for k, v in errors.items()})
    return data


def _public(center: Center) -> Actor:
    """The actor of a public submission: nobody, in the center it is addressed to."""
    return Actor(None, onboarding_centers.PUBLIC_ACTOR, center.id, False, frozenset())


def submit_inquiry(address: str, data: dict) -> str:
    """Start the enterprise service flow for a client's inquiry; return its reference."""
    limiter.hit(address, "inquiry")
    data = dict(data or {})
    reference = f"inquiry-{uuid.uuid4().hex[:12]}"
    if data.pop(HONEYPOT, None):
        return reference  # a robot: answer as if accepted, record nothing
    inquiry = _checked("inquiry.json", data)
    center = db.session.scalar(select(Center).where(
        Center.code == inquiry["center"], Center.kind == "city", Center.status == "active"))
    if center is None:
        raise InvalidData("there is no such city center", {"center": ["unknown center"]})
    messages.correlate(_public(center), "client_inquiry", reference, inquiry)
    return reference


def _attachments(items) -> list[documents.Upload]:
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_DOCUMENTS:
        raise InvalidData("documents must be a list", {"documents": [f"at most {MAX_DOCUMENTS}"]})
    uploads = []
    for position, item in enumerate(items):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
            uploads.append(documents.Upload(str(item["filename"]), content))
        except (KeyError, TypeError, binascii.Error):
            raise InvalidData("a document is not readable", {f"documents.{position}": [
                "expected {filename, content_base64}"]}) from None
    return uploads


def submit_center_application(address: str, data: dict) -> str:
    """Start center onboarding for an application sent from the public form."""
    limiter.hit(address, "center_application")
    data = dict(data or {})
    reference = f"application-{uuid.uuid4().hex[:12]}"
    if data.pop(HONEYPOT, None):
        return reference
    uploads = _attachments(data.pop("documents", None))
    application = _checked("center_application.json", data)
    problems = onboarding_centers.check_identity(application)
    if problems:
        raise InvalidData("the application cannot be accepted",
                          {k: [v] for k, v in problems.items()})
    for upload in uploads:  # check every file before anything is recorded
        documents.check(upload)
    national = db.session.scalar(select(Center).where(Center.kind == "national"))
    started = messages.correlate(_public(national), "center_application", reference,
                                 application)
    row = db.session.scalar(select(CenterApplication).where(
        CenterApplication.instance_id == started[0].id))
    stored = []
    try:
        for upload in uploads:
            stored.append(documents.store(upload, "public", "qualification",
                                          application_id=row.id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        documents.discard(stored)
        raise
    return reference
