"""The start page: the processes I may start, each with its start form."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import starting

from .blueprint import bp
from .common import login_required, page_actor
from .page_tools import attempt, field_errors


@bp.route("/start")
@login_required
def start():
    """List the processes I may start."""
    return render_template("web/start.html", processes=starting.startable(page_actor()),
                           errors={}, chosen=None)


@bp.route("/start/<key>", methods=["POST"])
@login_required
def start_process(key):
    """Start a process and go to my first task in it."""
    actor = page_actor()
    result, error = attempt(starting.start, actor, key, request.form.get("business_key"),
                            request.form.get("center"))
    if error is not None:
        return render_template("web/start.html", processes=starting.startable(actor),
                               errors=field_errors(error), chosen=key), 422
    instance, task = result
    if task is not None:
        flash(_("Started. This is your first step."), "success")
        return redirect(url_for("web.task_page", task_id=task.id))
    flash(_("Started. The first step went to the people who do it."), "success")
    return redirect(url_for("web.inbox"))
