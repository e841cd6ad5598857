"""CRM documents on disk: checked for size and type on the way in, streamed on the way out."""

import hashlib
import math
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from service import clock
from service.errors import InvalidData
from service.models import Document, db

KINDS = ("material", "report", "certificate", "contract", "qualification", "other")
# Extension -> (served content type, accepted leading bytes). The client's own content type is
# never trusted: a file is what its name and its first bytes both say it is.
OLE, ZIP = (b"\xd0\xcf\x11\xe0",), (b"PK\x03\x04",)
TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              ZIP),
    ".doc": ("application/msword", OLE),
    ".xls": ("application/vnd.ms-excel", OLE),
    ".txt": ("text/plain; charset=utf-8", None),
}


@dataclass(frozen=True)
class Upload:
    """A file as the client sent it."""

    filename: str
    content: bytes


def folder() -> Path:
    return Path(current_app.config.get("CRM_DOCUMENTS_DIR")
                or Path(current_app.instance_path) / "crm-documents")


def path_of(document: Document) -> Path:
    return folder() / document.stored_name


def check(upload: Upload) -> tuple[str, str]:
    """Return the clean file name and the content type to serve, or raise 422 on `file`."""
    name = Path((upload.filename or "").replace("\\", "/")).name.strip()[:255]
    # No larger than a request may be (MAX_UPLOAD_BYTES): one limit that the user can meet.
    limit = min(current_app.config.get("CRM_DOCUMENT_MAX_BYTES") or math.inf,
                current_app.config["MAX_CONTENT_LENGTH"])
    if not name or not upload.content:
        raise InvalidData("the file is empty", {"file": ["choose a file that is not empty"]})
    if len(upload.content) > limit:
        raise InvalidData("the file is too large", {"file": [f"at most {limit} bytes"]})
    suffix = Path(name).suffix.lower()
    if suffix not in TYPES:
        raise InvalidData("this type of file is not accepted",
                          {"file": [f"accepted: {', '.join(sorted(TYPES))}"]})
    content_type, magic = TYPES[suffix]
    if magic is None:
        try:
            text_ok = b"\0" not in upload.content and bool(upload.content.decode("utf-8"))
        except UnicodeDecodeError:
            text_ok = False
        if not text_ok:
            raise InvalidData("the file is not UTF-8 text", {"file": ["not a text file"]})
    elif not upload.content.startswith(magic):
        raise InvalidData("the file's content does not match its name",
                          {"file": [f"not a {suffix} file"]})
    return name, content_type


def store(upload: Upload, uploaded_by: str, kind: str = "material", *,
          customer_id: int | None = None, engagement_id: int | None = None,
          application_id: int | None = None) -> Document:
    """Check and write the bytes; the row commits with the caller's transaction."""
    if kind not in KINDS:
        raise InvalidData(f"unknown kind {kind!r}", {"kind": [f"one of {', '.join(KINDS)}"]})
    name, content_type = check(upload)
    document = Document(customer_id=customer_id, engagement_id=engagement_id,
                        application_id=application_id, kind=kind, filename=name,
                        content_type=content_type, size=len(upload.content),
                        sha256=hashlib.sha256(upload.content).hexdigest(),
                        stored_name=uuid.uuid4().hex, uploaded_by=uploaded_by,
                        created_at=clock.now())
    target = path_of(document)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(upload.content)
    db.session.add(document)
    return document


def discard(documents: list[Document]) -> None:
    """Remove the bytes of documents whose transaction did not commit."""
    for document in documents:
        path_of(document).unlink(missing_ok=True)
