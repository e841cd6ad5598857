"""The studio's form editor: JSON Schema on the left, a live preview by the inbox's renderer."""

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.errors import InvalidData
from service.i18n import current_lang
from service.usecases import studio, studio_forms

from . import formkit
from .common import page_actor
from .studio_common import bp, owner_required


def _pretty(schema) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2)


@bp.route("/forms")
@owner_required
def list_forms():
    """List every form: files of forms/ and forms edited here, with the processes using them."""
    return render_template("studio/forms.html", forms=studio_forms.list_forms(page_actor()))


@bp.route("/forms/new")
@owner_required
def new_form():
    """Open the form editor on a starter schema."""
    studio.require_owner(page_actor())
    return render_template("studio/form_editor.html", entry=None, name="",
                           text=_pretty(studio_forms.STARTER), preview=_preview(
                               _pretty(studio_forms.STARTER)))


@bp.route("/forms/<name>")
@owner_required
def edit_form(name):
    """Open the form editor on an existing form."""
    entry = studio_forms.get_form(page_actor(), name)
    text = _pretty(entry.schema) if entry.schema is not None else "{}"
    return render_template("studio/form_editor.html", entry=entry, name=entry.name, text=text,
                           preview=_preview(text))


@bp.route("/forms/save", methods=["POST"])
@owner_required
def save_form():
    """Store the edited form; processes pick it up when next deployed."""
    name, text = request.form.get("name", ""), request.form.get("schema", "")
    try:
        row = studio_forms.save_form(page_actor(), name, text)
    except InvalidData as exc:
        return render_template("studio/form_editor.html", entry=None, name=name, text=text,
                               preview=_preview(text), save_error=exc), exc.status
    flash(_("Form %(name)s saved. Deploy the processes that use it to put it in service.",
            name=row.name), "success")
    return redirect(url_for(".edit_form", name=row.name))


@bp.route("/forms/<name>/revert", methods=["POST"])
@owner_required
def revert_form(name):
    """Drop the studio's edit so the file of forms/ counts again."""
    studio_forms.revert_form(page_actor(), name)
    flash(_("The studio's edit of %(name)s was dropped.", name=name), "info")
    return redirect(url_for(".list_forms"))


def _preview(text: str) -> dict:
    """Return what the preview shows: the fields the inbox would draw, or why it cannot."""
    try:
        schema = studio_forms.parse_schema(text)
    except InvalidData as exc:
        return {"error": exc.message}
    lang = current_lang()
    return {"schema": schema, "title": formkit.form_title(schema, lang),
            "fields": formkit.build(schema, {}, {}, lang)}


@bp.route("/forms/preview", methods=["POST"])
@owner_required
def preview_form():
    """Draw the schema being edited with the inbox's form renderer (htmx partial)."""
    return render_template("studio/_form_preview.html",
                           preview=_preview(request.form.get("schema", "")))
