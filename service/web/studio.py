"""The process owner studio: process list, editor, version comparison, new and uploaded diagrams."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from service.errors import Conflict, InvalidData
from service.i18n import current_lang
from service.security import served_content, untrusted
from service.usecases import deployments, studio, studio_compare, studio_forms
from service.usecases.studio_templates import TEMPLATES

from . import studio_api, studio_form_editor  # noqa: F401  (their routes join the blueprint)
from .common import page_actor
from .studio_common import (
    bp,
    editor_strings,
    field_labels,
    owner_required,
    role_choices,
    type_labels,
)


@bp.route("/")
@owner_required
def index():
    """List every process with its versions, deployers and running instances."""
    return render_template("studio/index.html", entries=studio.catalogue(page_actor()),
                           templates=TEMPLATES)


@bp.route("/new", methods=["POST"])
@owner_required
def new_process():
    """Start a new process from a template, as my draft."""
    form = request.form
    try:
        draft = studio.new_from_template(page_actor(), form.get("key"), form.get("name"),
                                         form.get("template", "simple"))
    except (InvalidData, Conflict) as exc:
        return render_template("studio/index.html", entries=studio.catalogue(page_actor()),
                               templates=TEMPLATES, new_error=exc, new_form=form), exc.status
    return redirect(url_for(".edit_process", key=draft.key))


@bp.route("/upload", methods=["POST"])
@owner_required
def upload_diagram():
    """Take a BPMN file made elsewhere as my draft (a DMN file deploys at once)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidData("choose a file to upload", {"file": ["missing"]})
    try:
        key, notes = studio.upload(page_actor(), upload.filename, upload.read())
    except InvalidData as exc:
        return render_template("studio/index.html", entries=studio.catalogue(page_actor()),
                               templates=TEMPLATES, upload_error=exc), exc.status
    if "deployed" in notes or "unchanged" in notes:
        flash(_("Decision table %(key)s deployed.", key=key), "success")
        return redirect(url_for(".index"))
    if "made_executable" in notes:
        flash(_("The process was marked executable so that it can be deployed."), "info")
    return redirect(url_for(".edit_process", key=key))


def _editor_config(diagram) -> dict:
    forms = studio_forms.list_forms(page_actor())
    catalogue = deployments.list_processes()
    return {
        "key": diagram.key, "xml": diagram.content, "csrf": generate_csrf(),
        "lang": current_lang(),
        "roles": role_choices(current_lang()), "strings": editor_strings(),
        "forms": [{"name": f.name, "title": f.title} for f in forms],
        "processes": [v.key for v in catalogue if v.kind == "process"],
        "decisions": sorted({d for v in catalogue if v.kind == "decision"
                             for d in v.info.get("decisions", [])}),
        "urls": {
            "draft": url_for(".save_draft", key=diagram.key),
            "validate": url_for(".validate_diagram", key=diagram.key),
            "deploy": url_for(".deploy_diagram", key=diagram.key),
            "reload": url_for(".edit_process", key=diagram.key),
            "formEdit": url_for(".edit_form", name="__NAME__"),
            "formNew": url_for(".new_form"),
        },
    }


@bp.route("/processes/<key>/edit")
@owner_required
def edit_process(key):
    """Open my draft of a process, or a deployed version, in the modeler."""
    diagram = studio.open_diagram(page_actor(), key, request.args.get("version", type=int))
    return render_template("studio/editor.html", diagram=diagram,
                           config=_editor_config(diagram))


@bp.route("/processes/<key>/compare")
@owner_required
def compare_versions(key):
    """Show what changed between two versions, on the diagrams, and who could migrate."""
    comparison = studio_compare.compare(page_actor(), key, request.args.get("from", type=int),
                                        request.args.get("to", type=int))
    labels = field_labels()
    changes = [(kind, item, list(dict.fromkeys(labels.get(f, f) for f in item.fields)))
               for kind in ("added", "removed", "changed")
               for item in getattr(comparison.diff, kind)]
    # A lane whose only change is which tasks sit in it would paint the whole row: list it only.
    marked = [c.element_id for c in comparison.diff.changed
              if not (c.kind == "Lane" and c.fields == ("members",))]
    return render_template("studio/compare.html", c=comparison, changes=changes, marked=marked,
                           versions=deployments.versions_of(key),
                           running=deployments.instance_counts(key), type_labels=type_labels())


@bp.route("/processes/<key>/versions/<int:number>.bpmn")
@served_content
@owner_required
def download_version(key, number):
    """Download the XML of one deployed version."""
    studio.require_owner(page_actor())
    version = deployments.get_version(key, number)
    suffix = ".dmn" if version.kind == "decision" else ".bpmn"
    return untrusted(version.content, f"{version.key}-v{number}{suffix}")
