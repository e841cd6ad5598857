"""Outgoing mail for the organisation: queued in the notifications outbox, sent by its sender."""

from service import clock
from service.models import Notification, User, db


def queue(user: User, kind: str, subject: str, body: str) -> Notification:
    """Queue one message to the user for immediate sending; it commits with the use case."""
    mail = Notification(user_id=user.id, address=user.email, kind=kind, subject=subject,
                        body=body, status="queued", attempts=0, created_at=clock.now())
    db.session.add(mail)
    return mail
