"""Organisation pages: users (list, add, change, deactivate with hand-over) and CSV import."""

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.errors import InvalidData
from service.roles import ROLES
from service.usecases import handover, org_access, org_admin, passwords, user_import

from .common import login_required, page_actor
from .org import attempt, bp, form_fields

USER_FIELDS = ("username", "display_name", "email", "phone", "center")
MAX_CSV_BYTES = 1024 * 1024


def _role_choices(actor, center=None):
    grantable = org_access.grantable_roles(actor)
    return [r for r in ROLES if r.key in grantable
            and (center is None or r.scope in ("any", center.kind))]


def _people_centers(actor):
    return [c for c in org_admin.list_centers(actor)
            if org_access.can_manage_people_of(actor, c) and c.status == "active"]


@bp.route("/users")
@login_required
def list_users():
    """List the users in reach, searchable."""
    actor = page_actor()
    page = max(1, request.args.get("page", 1, type=int))
    query, center = request.args.get("q", "").strip(), request.args.get("center") or None
    rows, total = org_admin.list_users(actor, center, query or None, None, page, 50)
    return render_template("org/users.html", users=rows, total=total, page=page, q=query,
                           center=center, centers=org_admin.list_centers(actor),
                           can_add=bool(_people_centers(actor)))


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def create_user():
    """Add a user: invited by e-mail, or with a first password."""
    actor = page_actor()
    values = form_fields(USER_FIELDS)
    values["center"] = values["center"] or request.args.get("center", "")
    errors = None
    if request.method == "POST":
        fields = {**values, "roles": request.form.getlist("roles")}
        user, errors = attempt(org_admin.create_user, actor, fields,
                               request.form.get("password") or None)
        if user is not None:
            flash(_("User added.") + " " + (_("An invitation was sent by e-mail.")
                                            if passwords.awaits_password(user) else ""),
                  "success")
            return redirect(url_for("org.view_user", username=user.username))
    return render_template("org/user_new.html", values=values, errors=errors,
                           roles=_role_choices(actor), chosen=request.form.getlist("roles"),
                           centers=_people_centers(actor)), 422 if errors else 200


@bp.route("/users/<username>", methods=["GET", "POST"])
@login_required
def view_user(username):
    """Show a user; managers change their details and roles here."""
    actor = page_actor()
    user = org_admin.get_user(actor, username)
    errors = None
    if request.method == "POST":
        fields = {**form_fields(("display_name", "email", "phone")),
                  "roles": request.form.getlist("roles")}
        done, errors = attempt(org_admin.update_user, actor, username, fields)
        if done is not None:
            flash(_("User saved."), "success")
            return redirect(url_for("org.view_user", username=username))
    work = handover.open_work(user)
    others = handover.colleagues(user)
    return render_template(
        "org/user.html", user=user, errors=errors, work=work, colleagues=others,
        advisors=[u for u in others if "advisor" in u.roles],
        can_manage=org_access.can_manage_user(actor, user),
        roles=_role_choices(actor, user.center), invited=passwords.awaits_password(user),
        locked=user.locked_until is not None), 422 if errors else 200


@bp.route("/users/<username>/deactivate", methods=["POST"])
@login_required
def deactivate_user(username):
    """Deactivate a user and hand their work over; show what moved."""
    event, errors = attempt(handover.deactivate_user, page_actor(), username,
                            request.form.get("tasks_to") or None,
                            request.form.get("engagements_to") or None)
    if event is None:
        for messages in errors.values():
            flash(" ".join(_(str(m)) for m in messages if m), "error")
        return redirect(url_for("org.view_user", username=username))
    return redirect(url_for("org.view_change", event_id=event.id))


@bp.route("/users/<username>/activate", methods=["POST"])
@login_required
def activate_user(username):
    """Activate a user again."""
    handover.activate_user(page_actor(), username)
    flash(_("User activated."), "success")
    return redirect(url_for("org.view_user", username=username))


@bp.route("/users/<username>/invite", methods=["POST"])
@login_required
def invite_user(username):
    """Send a fresh invitation link."""
    org_admin.invite_again(page_actor(), username)
    flash(_("An invitation was sent by e-mail."), "success")
    return redirect(url_for("org.view_user", username=username))


def _uploaded() -> bytes:
    if "file" in request.files and request.files["file"].filename:
        return request.files["file"].read(MAX_CSV_BYTES + 1)
    try:  # the previewed file comes back with the confirmation
        return base64.b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        return b""


@bp.route("/users/import", methods=["GET", "POST"])
@login_required
def import_users():
    """Upload a CSV of users, preview every row, then import all of them or none."""
    actor = page_actor()
    org_access.require_viewer(actor)
    if request.method == "GET":
        return render_template("org/import.html", result=None, columns=user_import.COLUMNS)
    content = _uploaded()
    if not content or len(content) > MAX_CSV_BYTES:
        raise InvalidData("choose a CSV file of at most 1 MB", {"file": ["required"]})
    if request.form.get("confirm"):
        users, errors = attempt(user_import.import_users, actor, content)
        if users is not None:
            flash(_("%(count)d users imported and invited.", count=len(users)), "success")
            return redirect(url_for("org.list_users"))
    result, errors = attempt(user_import.preview, actor, content)
    return render_template("org/import.html", result=result, header_errors=errors,
                           columns=user_import.COLUMNS,
                           content=base64.b64encode(content).decode()), 200 if result else 422
