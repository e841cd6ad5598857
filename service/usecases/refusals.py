"""Steps and input that would leave task data the service cannot keep: refuse them, named."""

import json

from service import clock
from service.engine import TaskFailed
from service.errors import InvalidData
from service.models import Incident, Instance, db

from .context import Actor, engine, record


def json_bytes(text: str) -> int:
    """Return the bytes of JSON text in UTF-8."""
    return len(text) if text.isascii() else len(text.encode())


def check_input(data, field: str = "data") -> None:
    """Refuse submitted data larger than task data may be (422 before anything runs)."""
    size = json_bytes(json.dumps(data, default=str, ensure_ascii=False))
    cap = engine().limits.data
    if size > cap:
        raise InvalidData(f"the {field} is {size:,} bytes of JSON, over the {cap:,} byte "
                          "limit (TASK_DATA_MAX_BYTES)", {field: [f"at most {cap:,} bytes"]})


class StepRefused(InvalidData):
    """A step whose outcome cannot be saved: it is rolled back, the instance goes to error."""

    code = "step_refused"

    def __init__(self, failure: TaskFailed):
        super().__init__(f"the step was not saved: {failure}",
                         {"element_id": failure.element_id, "limit": failure.limit})
        self.failure = failure


def refuse(instance_id: int, actor: Actor, refused: StepRefused) -> None:
    """Roll the step back, then put the instance in error with an incident (committed)."""
    db.session.rollback()
    instance = db.session.get(Instance, instance_id)
    if instance is None:  # the step started it: nothing to keep, the caller gets the 422
        return
    failure, now = refused.failure, clock.now()
    instance.status, instance.updated_at = "error", now
    db.session.add(Incident(instance_id=instance.id, element_id=failure.element_id,
                            task_id=failure.task_id, message=str(failure), created_at=now))
    record("incident", actor, instance, failure.task_id, element_id=failure.element_id,
           message=str(failure), limit=failure.limit)
    db.session.commit()
