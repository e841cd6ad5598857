"""Files uploaded through task forms: kept under the instance folder, read by who sees it."""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from service import clock
from service.errors import InvalidData, NotFound
from service.models import Attachment, db

from .context import Actor
from .instances import get as get_instance

MAX_NAME = 255


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""

    filename: str
    content_type: str
    content: bytes


def _folder(instance_id: int) -> Path:
    root = current_app.config.get("ATTACHMENTS_DIR") or Path(current_app.instance_path) / \
        "attachments"
    return Path(root) / str(instance_id)


def reference(attachment: Attachment) -> dict:
    """Return what form data keeps of a stored file."""
    return {"attachment": attachment.id, "name": attachment.filename, "size": attachment.size,
            "type": attachment.content_type}


def store(instance_id: int, task_id: str | None, uploaded_by: str, upload: Upload) -> Attachment:
    """Write the bytes and add the row; the row commits with the caller's transaction."""
    name = Path(upload.filename.replace("\\", "/")).name.strip()[:MAX_NAME]
    if not name or not upload.content:
        raise InvalidData("the file is empty", {"file": ["choose a file that is not empty"]})
    attachment = Attachment(id=str(uuid.uuid4()), instance_id=instance_id, task_id=task_id,
                            filename=name, content_type=(upload.content_type or
                                                         "application/octet-stream")[:120],
                            size=len(upload.content),
                            sha256=hashlib.sha256(upload.content).hexdigest(),
                            uploaded_by=uploaded_by, created_at=clock.now())
    folder = _folder(instance_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / attachment.id).write_bytes(upload.content)
    db.session.add(attachment)
    return attachment


def discard(attachments: list[Attachment]) -> None:
    """Remove the bytes of files whose transaction did not commit."""
    for attachment in attachments:
        (_folder(attachment.instance_id) / attachment.id).unlink(missing_ok=True)


def replace_pending(data, stored: dict[str, dict]):
    """Put stored file references where the form parser left {"pending": path} markers."""
    if isinstance(data, dict):
        if set(data) == {"pending"} and data["pending"] in stored:
            return stored[data["pending"]]
        return {key: replace_pending(value, stored) for key, value in data.items()}
    if isinstance(data, list):
        return [replace_pending(value, stored) for value in data]
    return data


def open_(actor: Actor, attachment_id: str) -> tuple[Attachment, Path]:
    """Return a file the actor may read (its instance is visible to them) and its path."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("the file does not exist")
    get_instance(actor, attachment.instance_id)
    path = _folder(attachment.instance_id) / attachment.id
    if not path.is_file():
        raise NotFound("the file does not exist")
    return attachment, path


def of_instance(actor: Actor, instance_id: int) -> list[Attachment]:
    """Return the files of an instance the actor may see."""
    instance = get_instance(actor, instance_id)
    return list(db.session.scalars(select(Attachment).where(
        Attachment.instance_id == instance.id).order_by(Attachment.created_at)))
