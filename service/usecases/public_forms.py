"""The public pages' side of the public forms: their schemas for drawing, and sending them."""

import base64
import copy
import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from service.models import Center, db

from . import public

FORMS = {"inquiry": "inquiry.json", "center_application": "center_application.json"}
SUBMIT = {"inquiry": public.submit_inquiry,
          "center_application": public.submit_center_application}
HONEYPOT = public.HONEYPOT


def schema_of(kind: str) -> dict:
    """Return the form's schema; the inquiry's city is offered as a list of active centers."""
    path = Path(current_app.config["FORMS_DIR"]) / FORMS[kind]
    schema = json.loads(path.read_text("utf-8"))
    if kind == "inquiry" and isinstance(schema.get("properties", {}).get("center"), dict):
        centers = list(db.session.scalars(select(Center).where(
            Center.kind == "city", Center.status == "active").order_by(Center.code)))
        field = schema["properties"]["center"] = copy.deepcopy(schema["properties"]["center"])
        field.update({"enum": [c.code for c in centers],
                      "x-enum-titles": [c.name_zh for c in centers],
                      "x-enum-titles-en": [c.name_en for c in centers]})
    return schema


def submit(kind: str, address: str, data: dict, files=()) -> str:
    """Send a public form (rate-limited, honeypot checked by usecases/public.py)."""
    data = dict(data)
    if kind == "center_application" and files:
        data["documents"] = [{"filename": name, "content_base64":
                              base64.b64encode(content).decode("ascii")}
                             for name, content in files]
    return SUBMIT[kind](address, data)
