"""Comments on tasks, read with the instance's history."""

from sqlalchemy import select

from service import clock
from service.errors import InvalidData
from service.models import Comment, db

from .context import Actor, record
from .instances import get as get_instance
from .tasks import get as get_task

MAX_LENGTH = 4000


def add(actor: Actor, task_id: str, body: str) -> Comment:
    """Add a comment to a task the actor may see."""
    task = get_task(actor, task_id)
    body = (body or "").strip()
    if not body:
        raise InvalidData("the comment is empty", {"body": ["write something"]})
    if len(body) > MAX_LENGTH:
        raise InvalidData("the comment is too long", {"body": [f"at most {MAX_LENGTH} characters"]})
    comment = Comment(instance_id=task.instance_id, task_id=task.id, author_id=actor.id,
                      author=actor.username, body=body, created_at=clock.now())
    db.session.add(comment)
    record("comment_added", actor, get_instance(actor, task.instance_id), task.id)
    db.session.commit()
    return comment


def of_instance(actor: Actor, instance_id: int) -> list[Comment]:
    """Return the comments of an instance the actor may see, oldest first."""
    instance = get_instance(actor, instance_id)
    return list(db.session.scalars(select(Comment).where(Comment.instance_id == instance.id)
                                   .order_by(Comment.id)))
