"""Guest links: a signed, expiring, single-use link lets an outside party complete one task."""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from service import clock
from service.errors import Forbidden, InvalidData, NotFound, ServiceError
from service.models import GuestLink, Instance, Task, db

from . import attachments, client_refs, drafts, runs, tasks
from .access import can_reassign
from .context import Actor, record
from .inbox import process_names
from .instances import get as get_instance

SALT = "linkpass-guest-link"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LinkGone(ServiceError):
    """The link was valid once: it expired, was used, or its task is no longer open."""

    status, code = 410, "gone"


@dataclass
class GuestView:
    link: GuestLink
    task: Task
    instance: Instance
    process_name: str
    schema: dict
    values: dict
    plan: object = None  # the client's latest plan version, when the task is about one


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_of(link: GuestLink) -> str:
    """Return the link's token (the same every time: id and nonce, signed)."""
    return _serializer().dumps({"l": link.id, "n": link.nonce})


def create(actor: Actor, task_id: str, party: str, email: str | None = None,
           days: float | None = None) -> tuple[GuestLink, str]:
    """Create a link for an outside party to complete an open task; return it and its token."""
    task = tasks.get(actor, task_id)
    if task.status not in runs.OPEN:
        raise InvalidData(f"the task is {task.status}", {"task": ["the task is not open"]})
    if not (drafts.may_work_on(actor, task) or can_reassign(actor, task)):
        raise Forbidden("only who works on the task may send it to an outside party")
    party, email = (party or "").strip(), (email or "").strip() or None
    days = current_app.config["GUEST_LINK_DAYS"] if days is None else days
    errors = {}
    if not party or len(party) > 200:
        errors["party"] = ["a name of at most 200 characters"]
    if email is not None and (len(email) > 200 or not EMAIL.match(email)):
        errors["email"] = ["a valid e-mail address"]
    if not 0 < days <= 30:
        errors["days"] = ["between 1 and 30 days"]
    if errors:
        raise InvalidData("the guest link is invalid", errors)
    now = clock.now()
    link = GuestLink(task_id=task.id, nonce=secrets.token_urlsafe(24), party=party, email=email,
                     created_by_id=actor.id, created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(link)
    db.session.flush()
    token = token_of(link)
    record("guest_link_created", actor, get_instance(actor, task.instance_id), task.id,
           party=party, email=email, expires_at=link.expires_at.isoformat())
    if email:
        from .notifications import queue_guest_link  # notifications reads tasks and links

        queue_guest_link(link, task, token)
    db.session.commit()
    return link, token


def revoke(actor: Actor, link_id: int) -> GuestLink:
    """Withdraw a link that was not used yet."""
    link = db.session.get(GuestLink, link_id)
    if link is None:
        raise NotFound("the link does not exist")
    task = tasks.get(actor, link.task_id)
    if not (drafts.may_work_on(actor, task) or can_reassign(actor, task)):
        raise Forbidden("only who works on the task may withdraw its links")
    if link.used_at is None and link.revoked_at is None:
        link.revoked_at = clock.now()
        record("guest_link_revoked", actor, get_instance(actor, task.instance_id), task.id,
               party=link.party)
        db.session.commit()
    return link


def open_(token: str) -> GuestView:
    """Check a token and return the one form it opens; refuse anything else."""
    try:
        payload = _serializer().loads(token or "")
        link = db.session.get(GuestLink, int(payload["l"]))
        nonce = str(payload["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("this link is not valid") from None
    if link is None or not secrets.compare_digest(link.nonce, nonce):
        raise NotFound("this link is not valid")
    if link.revoked_at is not None:
        raise LinkGone("this link was withdrawn")
    if link.used_at is not None:
        raise LinkGone("this link was already used")
    if link.expires_at <= clock.now():
        raise LinkGone("this link has expired")
    task = db.session.get(Task, link.task_id)
    if task is None or task.status not in runs.OPEN:
        raise LinkGone("this form was already completed")
    instance = db.session.get(Instance, task.instance_id)
    schema = tasks.form_of(task, instance)["schema"]
    return GuestView(link, task, instance, process_names({task.process_key}).get(
        task.process_key, task.process_key), schema, tasks.data_of(task),
        client_refs.latest_plan(instance.id))


def guest_actor(link: GuestLink, task: Task) -> Actor:
    """Return the identity the audit log records for the outside party."""
    return Actor(None, f"guest:{link.email or link.party}"[:120], task.center_id, False,
                 frozenset())


def submit(token: str, data: dict, uploads: dict | None = None) -> Task:
    """Complete the link's task as the outside party; the link is used up with it."""
    view = open_(token)
    link, task = view.link, view.task
    actor = guest_actor(link, task)
    written = []
    try:
        stored = {}
        for path, upload in (uploads or {}).items():
            attachment = attachments.store(task.instance_id, task.id, actor.username, upload)
            written.append(attachment)
            stored[path] = attachments.reference(attachment)
        data = attachments.replace_pending(data, stored)
        # One statement marks the link used: of two simultaneous submissions only one passes.
        used = db.session.execute(update(GuestLink).where(
            GuestLink.id == link.id, GuestLink.used_at.is_(None)).values(used_at=clock.now())
            .execution_options(synchronize_session=False))
        if used.rowcount != 1:
            raise LinkGone("this link was already used")
        record("guest_link_used", actor, view.instance, task.id, party=link.party)
        drafts.discard_all(task.id)
        return tasks.finish(actor, task, data)
    except Exception:
        db.session.rollback()
        attachments.discard(written)
        raise
