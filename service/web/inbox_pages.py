"""The inbox: tabs, filters, sorting, paging; claim, release and reassign from the list."""

from flask import current_app, flash, g, redirect, render_template, request
from flask_babel import gettext
from flask_babel import gettext as _

from service.i18n import current_lang
from service.usecases import dates, tasks
from service.usecases import inbox as inbox_cases
from service.usecases.access import REASSIGNERS

from .blueprint import bp
from .common import login_required, page_actor, safe_next
from .history_labels import ACTIONS
from .page_tools import is_htmx

FILTERS = ("process", "client", "due", "q", "sort", "order")


@bp.app_context_processor
def inject_inbox_helpers():
    return {"inbox_counts": inbox_counts, "center_name": center_name,
            "action_labels": ACTIONS}


@bp.app_template_filter("local")
def local_time(moment, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC moment in the configured local time zone."""
    return dates.local(moment).strftime(pattern) if moment is not None else ""


@bp.app_template_filter("tr")
def translate_message(message) -> str:
    """Translate a use case's message when the catalogue knows it (error pages)."""
    return gettext(str(message)) if message else ""


@bp.app_template_filter("due_state")
def due_state(moment) -> str | None:
    """Return "overdue", "today" or None for a due time."""
    return dates.due_state(moment)


def center_name(actor) -> str:
    """Return the name of the actor's center in the page's language."""
    center = inbox_cases.center_of(actor)
    if center is None:
        return ""
    return center.name_zh if current_lang() == "zh_CN" else center.name_en


def inbox_counts() -> dict[str, int]:
    """Return the actor's task counts once per request (the navigation badge and tabs)."""
    if "inbox_counts" not in g:
        actor = page_actor()
        g.inbox_counts = inbox_cases.counts(actor) if actor is not None else {}
    return g.inbox_counts


def _query() -> inbox_cases.InboxQuery:
    args = request.args
    page = args.get("page", "1")
    return inbox_cases.InboxQuery(
        tab=args.get("tab") or "mine", process=args.get("process") or None,
        client=args.get("client") or None, due=args.get("due") or None,
        text=args.get("q") or None, sort=args.get("sort") or None,
        order=args.get("order") or None, page=int(page) if page.isdigit() else 0,
        per_page=current_app.config["INBOX_PAGE_SIZE"])


@bp.route("/inbox")
@login_required
def inbox():
    """List my tasks, my group's tasks, or what I completed."""
    result = inbox_cases.inbox(page_actor(), _query())
    filters = {k: request.args.get(k) for k in FILTERS if request.args.get(k)}
    actor = page_actor()
    partial = request.headers.get("HX-Target") == "inbox-results"
    return render_template("web/_inbox_results.html" if partial else "web/inbox.html",
                           result=result, tab=result.query.tab, filters=filters, oob=partial,
                           may_reassign=bool(actor.roles & REASSIGNERS))


def _back(message: str):
    """Return to the page the button was on; htmx swaps the fresh list in without a flash."""
    if not is_htmx():
        flash(message, "success")
    return redirect(safe_next(request.form.get("next") or request.args.get("next")))


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim_task(task_id):
    """Take a task offered to my group."""
    task = tasks.claim(page_actor(), task_id)
    return _back(_("You took “%(name)s”.", name=task.name))


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim_task(task_id):
    """Give a task back to its group."""
    task = tasks.unclaim(page_actor(), task_id)
    return _back(_("“%(name)s” is back in its group.", name=task.name))


@bp.route("/tasks/<task_id>/assign", methods=["POST"])
@login_required
def assign_task(task_id):
    """Hand a task to someone of its center (presidents and management)."""
    task = tasks.assign(page_actor(), task_id, request.form.get("username", ""))
    return _back(_("“%(name)s” was assigned to %(user)s.", name=task.name,
                   user=task.assignee.username))


@bp.route("/tasks/<task_id>/assignees")
@login_required
def list_assignees(task_id):
    """Return the reassign menu of a task (loaded by htmx when the menu opens)."""
    users = inbox_cases.reassign_targets(page_actor(), task_id)
    return render_template("web/_assign_menu.html", task_id=task_id, users=users,
                           next=safe_next(request.args.get("next")))
