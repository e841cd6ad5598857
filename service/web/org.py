"""Organisation pages: centers (this module), users, account and sign-in links, single sign-on.

The other org_*.py modules add their routes to this module's blueprint.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.errors import ServiceError
from service.usecases import handover, org_access, org_admin

from .common import login_required, page_actor

bp = Blueprint("org", __name__, url_prefix="/org", template_folder="templates")
CENTER_FIELDS = ("code", "name_zh", "name_en", "region")
GENERIC = {403: _l("This is beyond your reach."),
           409: _l("This conflicts with the current state.")}


def form_fields(names) -> dict:
    """Return the posted values of the named fields, stripped."""
    return {name: request.form.get(name, "").strip() for name in names}


def attempt(use_case, *args):
    """Run a use case; return (result, None) or (None, {field: [messages]}) on a 4xx error."""
    try:
        return use_case(*args), None
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        details = exc.details if isinstance(exc.details, dict) and exc.details else {}
        # The use case's message is English: lead with a translated sentence.
        return None, details or {"_": [GENERIC.get(exc.status, ""), exc.message]}


@bp.app_template_filter("org_detail")
def org_detail(message) -> str:
    """Translate a use case's detail message ("generic text: value" keeps the value as is)."""
    head, sep, tail = str(message).partition(": ")
    return f"{_(head)}{sep}{tail}" if sep else _(str(message))


@bp.route("/")
@login_required
def index():
    """List the centers in reach (a city president goes straight to their center)."""
    actor = page_actor()
    centers = org_admin.list_centers(actor)
    if len(centers) == 1 and not actor.is_admin:
        return redirect(url_for("org.view_center", code=centers[0].code))
    return render_template("org/index.html", centers=centers, counts=org_admin.user_counts(),
                           presidents={c.id: org_admin.presidents(c) for c in centers},
                           can_create=bool(org_access.grantable_roles(actor)
                                           & org_access.CITY_ROLES) and actor.national)


@bp.route("/centers/new", methods=["GET", "POST"])
@login_required
def create_center():
    """Create a city center."""
    values, errors = form_fields(CENTER_FIELDS), None
    if request.method == "POST":
        center, errors = attempt(org_admin.create_center, page_actor(), values)
        if center is not None:
            flash(_("Center created."), "success")
            return redirect(url_for("org.view_center", code=center.code))
    return render_template("org/center_form.html", values=values, errors=errors,
                           center=None), 422 if errors else 200


@bp.route("/centers/<code>")
@login_required
def view_center(code):
    """Show a center: its details, people, open tasks and status."""
    actor = page_actor()
    center = org_admin.get_center(actor, code)
    users, _total = org_admin.list_users(actor, center=code, per_page=500)
    return render_template(
        "org/center.html", center=center, users=users, tasks=handover.open_tasks(center),
        presidents=org_admin.presidents(center),
        can_manage=org_access.can_manage_center(actor, center),
        can_add=org_access.can_manage_people_of(actor, center))


@bp.route("/centers/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_center(code):
    """Change a center's names and region."""
    actor = page_actor()
    center = org_admin.get_center(actor, code)
    org_access.require_center_manager(actor, center)
    values, errors = {f: getattr(center, f) or "" for f in CENTER_FIELDS}, None
    if request.method == "POST":
        values = {**form_fields(CENTER_FIELDS[1:]), "code": code}
        done, errors = attempt(org_admin.update_center, actor, code, values)
        if done is not None:
            flash(_("Center saved."), "success")
            return redirect(url_for("org.view_center", code=code))
    return render_template("org/center_form.html", values=values, errors=errors,
                           center=center), 422 if errors else 200


@bp.route("/centers/<code>/status", methods=["POST"])
@login_required
def set_center_status(code):
    """Suspend, close or reopen a center; show what moved."""
    event = handover.set_center_status(page_actor(), code, request.form.get("status", ""))
    return redirect(url_for("org.view_change", event_id=event.id))


from . import org_account, org_sso, org_users  # noqa: E402, F401  (their routes join bp)
