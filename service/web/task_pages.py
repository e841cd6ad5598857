"""The task page: the form, save draft, complete; diagram, history, comments, files, guest links."""

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from service.i18n import current_lang
from service.security import served_content, untrusted_file
from service.usecases import attachments, comments, guest_links, task_work
from service.usecases.public_url import public_url

from . import formdata, formkit
from .blueprint import bp
from .common import login_required, page_actor
from .page_tools import attempt, field_errors, is_htmx


def uploads_of(posted: formdata.Posted) -> dict:
    """Read the posted files into the use cases' Upload values."""
    return {path: attachments.Upload(f.filename, f.mimetype, f.read())
            for path, f in posted.files.items()}


def render_task(view, values=None, error=None, status=200, link=None, link_error=None):
    """Draw the task page with the given form values and errors."""
    errors = field_errors(error)
    fields = formkit.build(view.schema, view.values if values is None else values, errors,
                           current_lang(), view.client.documents if view.client else None)
    known = set(_paths(fields))
    general = [message for path, message in errors.items() if path not in known]
    if error is not None and not errors:
        general.append(error.message)
    return render_template("web/task.html", view=view, task=view.task, fields=fields,
                           form_title=formkit.form_title(view.schema, current_lang()),
                           errors=errors, general_errors=general, new_link=link,
                           link_errors=field_errors(link_error), link_url=guest_url), status


def _paths(fields):
    for f in fields:
        yield f.path
        yield from _paths(f.children)
        for row in f.rows:
            yield from _paths(row)


def guest_url(link) -> str:
    """Return the link to hand to the guest: on the public address, whatever Host was sent."""
    return public_url(url_for("web.guest_form", token=guest_links.token_of(link)))


@bp.route("/tasks/<task_id>")
@login_required
def task_page(task_id):
    """Show a task: its form (or what was submitted), diagram, history and comments."""
    return render_task(task_work.view(page_actor(), task_id))


@bp.route("/tasks/<task_id>", methods=["POST"])
@login_required
def submit_task(task_id):
    """Save a draft, add or remove a row, or complete the task."""
    actor = page_actor()
    view = task_work.view(actor, task_id)
    posted = formdata.parse(view.schema, request.form, request.files, view.values)
    action, path = formdata.action(request.form)
    if action == "add_row":
        return render_task(view, formdata.add_row(posted.data, path))
    if action == "remove_row":
        return render_task(view, formdata.remove_row(posted.data, path))
    if action == "save_draft":
        _draft, error = attempt(task_work.save_draft, actor, task_id, posted.data,
                                uploads_of(posted))
        if error is not None:
            return render_task(view, posted.data, error, 422)
        flash(_("Draft saved."), "success")
        return redirect(url_for("web.task_page", task_id=task_id))
    task, error = attempt(task_work.complete, actor, task_id, posted.data, uploads_of(posted))
    if error is not None:
        return render_task(view, posted.data, error, 422)
    flash(_("“%(name)s” is completed.", name=task.name), "success")
    following = task_work.next_task_for(actor, task.instance_id)
    if following is not None:
        return redirect(url_for("web.task_page", task_id=following.id))
    return redirect(url_for("web.inbox"))


@bp.route("/tasks/<task_id>/diagram")
@login_required
def task_diagram(task_id):
    """Return the task's BPMN with the steps to highlight (read by inbox-diagram.js)."""
    diagram = task_work.diagram(page_actor(), task_id)
    return jsonify({"xml": diagram.xml, "current": diagram.current, "done": diagram.done})


@bp.route("/tasks/<task_id>/comments", methods=["POST"])
@login_required
def add_comment(task_id):
    """Comment on a task."""
    actor = page_actor()
    _comment, error = attempt(comments.add, actor, task_id, request.form.get("body", ""))
    if is_htmx():
        view = task_work.view(actor, task_id)
        return render_template("web/_comments.html", view=view, task=view.task,
                               comment_error=error), 422 if error else 200
    if error is not None:
        flash(_("Write a comment first."), "error")
    return redirect(url_for("web.task_page", task_id=task_id, _anchor="comments"))


@bp.route("/tasks/<task_id>/guest-links", methods=["POST"])
@login_required
def create_guest_link(task_id):
    """Make a link that lets an outside party complete this task without an account."""
    actor = page_actor()
    days = request.form.get("days", "")
    result, error = attempt(guest_links.create, actor, task_id, request.form.get("party", ""),
                            request.form.get("email") or None,
                            float(days) if days.replace(".", "", 1).isdigit() else 0)
    view = task_work.view(actor, task_id)
    if error is not None:
        return render_task(view, status=422, link_error=error)
    return render_task(view, link=result[0])


@bp.route("/guest-links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke_guest_link(link_id):
    """Withdraw a guest link that was not used yet."""
    link = guest_links.revoke(page_actor(), link_id)
    flash(_("The link for %(party)s was withdrawn.", party=link.party), "success")
    return redirect(url_for("web.task_page", task_id=link.task_id, _anchor="guest-links"))


@bp.route("/attachments/<attachment_id>")
@served_content
@login_required
def download_attachment(attachment_id):
    """Download a file of an instance I may see."""
    attachment, path = attachments.open_(page_actor(), attachment_id)
    return untrusted_file(path, attachment.content_type, attachment.filename)
