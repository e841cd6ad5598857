"""The registry of certification bodies, their API keys, and the results they send."""

import hashlib
import re
import secrets

from sqlalchemy import select

from service import clock
from service.errors import Conflict, Forbidden, InvalidData, NotFound, Unauthorized
from service.models import Certification, CertificationBody, Engagement, db

from . import messages
from .context import Actor, record

KEY_PREFIX = "lpcb_"  # tells a body's key from a user's bearer token at a glance
REGISTRARS = frozenset({"national_management", "admin"})
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MESSAGE = "certification_result"
OUTCOMES = ("passed", "more_material", "failed")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _require_registrar(actor: Actor) -> None:
    if not actor.roles & REGISTRARS:
        raise Forbidden("only national management keeps the registry of certification bodies")


def list_bodies(actor: Actor) -> list[CertificationBody]:
    """Return the bodies: everyone may see the active ones (to hand materials over)."""
    stmt = select(CertificationBody).order_by(CertificationBody.code)
    if not actor.roles & REGISTRARS:
        stmt = stmt.where(CertificationBody.active.is_(True))
    return list(db.session.scalars(stmt))


def get_body(actor: Actor, code: str) -> CertificationBody:
    body = next((b for b in list_bodies(actor) if b.code == code), None)
    if body is None:
        raise NotFound(f"certification body {code!r} does not exist")
    return body


def _issue_key(body: CertificationBody) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    body.api_key_hash, body.key_issued_at = _digest(key), clock.now()
    return key


def create_body(actor: Actor, fields: dict) -> tuple[CertificationBody, str]:
    """Register a body; its API key is shown this once (only its hash is kept)."""
    _require_registrar(actor)
    code = fields["code"]
    if not CODE.match(code):
        raise InvalidData("the code is not valid", {"code": ["lower-case letters, digits, -"]})
    if db.session.scalar(select(CertificationBody.id).where(CertificationBody.code == code)):
        raise Conflict(f"body {code!r} exists already", {"code": ["already taken"]})
    body = CertificationBody(code=code, name=fields["name"],
                             contact_email=fields.get("contact_email"), active=True,
                             created_by=actor.username, created_at=clock.now())
    key = _issue_key(body)
    db.session.add(body)
    record("certification_body_created", actor, body=code)
    db.session.commit()
    return body, key


def rotate_key(actor: Actor, code: str) -> tuple[CertificationBody, str]:
    """Issue a new key; the old one stops working at once."""
    _require_registrar(actor)
    body = get_body(actor, code)
    key = _issue_key(body)
    record("certification_body_key_issued", actor, body=code)
    db.session.commit()
    return body, key


def set_active(actor: Actor, code: str, active: bool) -> CertificationBody:
    _require_registrar(actor)
    body = get_body(actor, code)
    body.active = active
    record("certification_body_activated" if active else "certification_body_deactivated",
           actor, body=code)
    db.session.commit()
    return body


def body_for_header(header: str) -> CertificationBody | None:
    """Return the body whose key the Authorization header carries (None: not a body's key)."""
    if not header.lower().startswith("bearer ") or not header[7:].strip().startswith(KEY_PREFIX):
        return None
    body = db.session.scalar(select(CertificationBody).where(
        CertificationBody.api_key_hash == _digest(header[7:].strip())))
    if body is None or not body.active:
        raise Unauthorized("the certification body's key is invalid or revoked")
    return body


def _payload(payload) -> dict:
    """Return the result a body sent, checked field by field."""
    if not isinstance(payload, dict):
        raise InvalidData("the payload must be an object", {"payload": ["expected an object"]})
    errors = {}
    if payload.get("outcome") not in OUTCOMES:
        errors["payload.outcome"] = [f"one of {', '.join(OUTCOMES)}"]
    for name, limit in (("note", 4000), ("certificate_no", 100)):
        value = payload.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors[f"payload.{name}"] = [f"text of at most {limit} characters"]
    if errors:
        raise InvalidData("the certification result is invalid", errors)
    return {k: payload[k] for k in ("outcome", "note", "certificate_no") if k in payload}


def deliver_result(body: CertificationBody, name: str, correlation_key, payload):
    """Deliver a body's result; a body may answer only for materials handed to it."""
    if name != MESSAGE:
        raise Forbidden(f"a certification body may send only {MESSAGE!r} messages")
    result = _payload(payload)
    key = str(correlation_key or "")
    engagement = db.session.get(Engagement, int(key)) if key.isdigit() and len(key) < 10 \
        else None
    waiting = engagement is not None and db.session.scalar(select(Certification.id).where(
        Certification.engagement_id == engagement.id, Certification.body_id == body.id,
        Certification.status == "submitted"))
    if not waiting:
        raise NotFound(f"no certification handed to {body.code} awaits a result for {key!r}")
    actor = Actor(None, f"cert:{body.code}", None, True, frozenset())
    return messages.correlate(actor, MESSAGE, key, result)
