"""Guest pages: an outside party opens a one-time link and completes one form, no account."""

from flask import redirect, render_template, request, url_for

from service.i18n import current_lang
from service.usecases import guest_links

from . import formdata, formkit
from .blueprint import bp
from .page_tools import attempt, field_errors
from .task_pages import uploads_of


@bp.after_request
def keep_guest_links_private(response):
    """A guest link is a secret: never send it on as a referrer, never cache the page."""
    if request.endpoint in ("web.guest_form", "web.submit_guest_form"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


def render_guest(view, values=None, error=None, status=200):
    errors = field_errors(error)
    fields = formkit.build(view.schema, view.values if values is None else values, errors,
                           current_lang())
    return render_template("web/guest.html", view=view, fields=fields, errors=errors,
                           form_title=formkit.form_title(view.schema, current_lang()),
                           token=request.view_args["token"]), status


@bp.route("/guest/<token>")
def guest_form(token):
    """Show the one form the link opens."""
    return render_guest(guest_links.open_(token))


@bp.route("/guest/<token>", methods=["POST"])
def submit_guest_form(token):
    """Submit the form: the task completes with the outside party as its actor."""
    view = guest_links.open_(token)
    posted = formdata.parse(view.schema, request.form, request.files, view.values)
    action, path = formdata.action(request.form)
    if action == "add_row":
        return render_guest(view, formdata.add_row(posted.data, path))
    if action == "remove_row":
        return render_guest(view, formdata.remove_row(posted.data, path))
    _task, error = attempt(guest_links.submit, token, posted.data, uploads_of(posted))
    if error is not None:
        return render_guest(view, posted.data, error, 422)
    return redirect(url_for("web.guest_thanks"))


@bp.route("/guest/thanks")
def guest_thanks():
    """Thank the outside party."""
    return render_template("web/guest_thanks.html")
