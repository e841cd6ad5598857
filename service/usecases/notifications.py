"""Notifications: who hears about which task, reminders, escalations, preferences, the outbox."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from service import clock
from service.errors import InvalidData
from service.models import (
    Center,
    Event,
    GuestLink,
    Instance,
    Notification,
    NotificationCursor,
    NotificationPref,
    Task,
    TaskCandidate,
    TaskReminder,
    User,
    UserRole,
    db,
)

from . import dates, mailer, notify_text, runs
from .context import WORKER, Actor, record

log = logging.getLogger(__name__)
MODES = ("immediate", "digest", "off")
LANGUAGES = ("zh_CN", "en")
NOTIFY_ACTIONS = ("task_created", "task_assigned")
CURSOR = "task_events"
BATCH = 500


def preferences(user_id: int) -> NotificationPref:
    """Return the user's preferences (defaults when never saved)."""
    pref = db.session.get(NotificationPref, user_id)
    return pref or NotificationPref(user_id=user_id, mode="immediate", language="zh_CN")


def save_preferences(actor: Actor, mode: str, language: str) -> NotificationPref:
    """Choose immediate mails, a daily digest, or none; and the language of the mails."""
    errors = {}
    if mode not in MODES:
        errors["mode"] = [f"one of {', '.join(MODES)}"]
    if language not in LANGUAGES:
        errors["language"] = [f"one of {', '.join(LANGUAGES)}"]
    if errors or actor.id is None:
        raise InvalidData("the preferences are invalid", errors or {"user": ["sign in"]})
    pref = db.session.get(NotificationPref, actor.id)
    if pref is None:
        pref = NotificationPref(user_id=actor.id)
        db.session.add(pref)
    if mode == "digest" and pref.mode != "digest":
        pref.last_digest_at = clock.now()  # the first digest gathers from now on
    pref.mode, pref.language = mode, language
    db.session.commit()
    return pref


def outbox(actor: Actor, page: int = 1, per_page: int = 25) -> tuple[list[Notification], int]:
    """Return the mails addressed to the actor, newest first.

    In development (no MAIL_SERVER) an admin reads every mail, as a shared test mailbox; with
    a real mail server nobody reads another's mail here (it may hold a password link).
    """
    stmt = select(Notification)
    if not (actor.is_admin and not current_app.config.get("MAIL_SERVER")):
        stmt = stmt.where(Notification.user_id == actor.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Notification.id.desc())
                              .offset((max(page, 1) - 1) * per_page).limit(per_page))
    return list(rows), total


def _queue(user: User, kind: str, task: Task | None, key: str | None, **context) -> bool:
    """Write one mail for a user in their language, unless they opted out; return if queued."""
    pref = preferences(user.id)
    if pref.mode == "off" or not user.email:
        return False
    subject, body = notify_text.render(kind, pref.language, task=task, user=user, **context)
    db.session.add(Notification(
        user_id=user.id, address=user.email, kind=kind, task_id=task.id if task else None,
        dedupe_key=key, subject=subject, body=body, attempts=0, created_at=clock.now(),
        status="queued" if pref.mode == "immediate" or kind == "digest" else "digest"))
    return True


def queue_guest_link(link: GuestLink, task: Task, token: str) -> None:
    """Mail an outside party their link, in both languages (commits with the caller)."""
    subject, body = notify_text.guest_link(link, task, token)
    db.session.add(Notification(user_id=None, address=link.email, kind="guest_link",
                                task_id=task.id, subject=subject, body=body, status="queued",
                                attempts=0, created_at=clock.now()))


def recipients(task: Task) -> list[User]:
    """Return who works on a task: its assignee, else everyone it is offered to."""
    if task.assignee_id is not None:
        users = [db.session.get(User, task.assignee_id)]
    elif task.restricted:
        users = list(db.session.scalars(select(User).join(
            TaskCandidate, TaskCandidate.user_id == User.id).where(
            TaskCandidate.task_id == task.id)))
    elif task.role:
        users = list(db.session.scalars(select(User).join(
            UserRole, UserRole.user_id == User.id).where(
            UserRole.role == task.role, User.center_id == task.center_id)))
    else:
        users = []
    return [u for u in users if u is not None and u.active]


def presidents(center_id: int) -> list[User]:
    """Return the presidents overdue work escalates to in a center."""
    center = db.session.get(Center, center_id)
    role = "national_president" if center.is_national else "city_president"
    return list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == role, User.center_id == center_id,
                                          User.active.is_(True))))


def _existing(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.session.scalars(select(Notification.dedupe_key).where(
        Notification.dedupe_key.in_(keys))))


def scan_events(now) -> int:
    """Mail the people a new or reassigned task is offered or given to."""
    cursor = db.session.get(NotificationCursor, CURSOR)
    if cursor is None:
        cursor = NotificationCursor(name=CURSOR, last_event_id=0)
        db.session.add(cursor)
    events = list(db.session.scalars(select(Event).where(
        Event.id > cursor.last_event_id, Event.action.in_(NOTIFY_ACTIONS))
        .order_by(Event.id).limit(BATCH)))
    queued = 0
    settled = now - timedelta(seconds=current_app.config["NOTIFY_SETTLE_SECONDS"])
    for event in events:
        task = db.session.get(Task, event.task_id) if event.task_id else None
        if task is not None and task.status in runs.OPEN:
            queued += _notify_event(event, task)
        # Audit rows of a transaction still open may appear later with a lower id: the
        # cursor stays behind recent rows, and dedupe keys make reading them twice harmless.
        if event.created_at <= settled or len(events) == BATCH:
            cursor.last_event_id = event.id
    return queued


def _notify_event(event: Event, task: Task) -> int:
    if event.action == "task_assigned":
        name = (event.details or {}).get("assignee")
        users = list(db.session.scalars(select(User).where(User.username == name)))
        kind, keys = "assigned", {u.id: f"assigned:{event.id}" for u in users}
    else:
        # One mail per task and person, whether it is read while offered or once assigned.
        if task.assignee_id is not None:
            users, kind = [db.session.get(User, task.assignee_id)], "assigned"
        else:
            users, kind = recipients(task), "offered"
        keys = {u.id: f"task:{task.id}:{u.id}" for u in users if u is not None}
    done = _existing(list(keys.values()))
    return sum(_queue(u, kind, task, keys[u.id]) for u in users
               if u is not None and keys[u.id] not in done)


def remind(now) -> int:
    """Remind before the due time; when overdue, remind again and escalate to the president."""
    soon = now + timedelta(hours=current_app.config["REMIND_BEFORE_HOURS"])
    rows = db.session.execute(
        select(Task, TaskReminder).outerjoin(TaskReminder, TaskReminder.task_id == Task.id)
        .where(Task.status.in_(runs.OPEN), Task.due_at.is_not(None), Task.due_at <= soon,
               or_(TaskReminder.task_id.is_(None),
                   and_(TaskReminder.overdue_at.is_(None), Task.due_at < now)))
        .order_by(Task.due_at).limit(BATCH)).all()
    queued = 0
    for task, reminder in rows:
        if reminder is None:
            reminder = TaskReminder(task_id=task.id)
            db.session.add(reminder)
        overdue = task.due_at < now
        kind = "overdue" if overdue else "due_soon"
        users = recipients(task)
        keys = {u.id: f"{kind}:{task.id}:{u.id}" for u in users}
        done = _existing(list(keys.values()))
        queued += sum(_queue(u, kind, task, keys[u.id]) for u in users if keys[u.id] not in done)
        reminder.due_soon_at = reminder.due_soon_at or now
        if overdue:
            reminder.overdue_at = now
            queued += _escalate(task, users)
    return queued


def _escalate(task: Task, workers: list[User]) -> int:
    bosses = [u for u in presidents(task.center_id) if u not in workers]
    keys = {u.id: f"escalated:{task.id}:{u.id}" for u in bosses}
    done = _existing(list(keys.values()))
    queued = sum(_queue(u, "escalated", task, keys[u.id], workers=workers)
                 for u in bosses if keys[u.id] not in done)
    record("task_escalated", WORKER, db.session.get(Instance, task.instance_id), task.id,
           name=task.name, to=[u.username for u in bosses])
    return queued


def build_digests(now) -> int:
    """Once a day at DIGEST_HOUR, gather each digest reader's held mails into one."""
    local_now = dates.local(now)
    moment = local_now.replace(hour=current_app.config["DIGEST_HOUR"], minute=0, second=0,
                               microsecond=0)
    if local_now < moment:
        moment -= timedelta(days=1)
    user_ids = list(db.session.scalars(select(Notification.user_id).where(
        Notification.status == "digest").distinct()))
    built = 0
    for user_id in user_ids:
        pref = preferences(user_id)
        if pref.last_digest_at is not None and pref.last_digest_at >= moment:
            continue
        held = list(db.session.scalars(select(Notification).where(
            Notification.user_id == user_id, Notification.status == "digest")
            .order_by(Notification.id)))
        user = db.session.get(User, user_id)
        if _queue(user, "digest", None, None, held=held):
            built += 1
        for mail in held:
            mail.status, mail.sent_at = "digested", now
        if pref not in db.session:
            db.session.add(pref)
        pref.last_digest_at = now
    return built


def run() -> int:
    """Do the notifier's periodic work (called by the worker's tick); return mails handled."""
    total = 0
    for step in (scan_events, remind, build_digests, mailer.deliver):
        try:
            total += step(clock.now())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another worker queued the same mail first
        except Exception:
            # Mail must never stop timers from firing: log, and try again on the next tick.
            db.session.rollback()
            log.exception("notifications: %s failed", step.__name__)
    return total
