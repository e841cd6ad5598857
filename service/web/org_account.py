"""Organisation pages: my account (tokens, password), reset and invitation links, audit log."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from service.errors import NotFound, envelope
from service.usecases import api_tokens, org_access, org_admin, passwords
from service.usecases.signin import TooManyAttempts

from .common import login_required, page_actor
from .org import attempt, bp

KINDS = {"reset": "password_reset", "invite": "accept_invitation"}


@bp.app_errorhandler(TooManyAttempts)
def too_many_attempts(error: TooManyAttempts):
    """Explain a locked account or throttled address on a page (the API keeps its JSON)."""
    if request.path.startswith("/api/") or not request.accept_mimetypes.accept_html:
        return envelope(error.code, error.message, error.details, error.status)
    return render_template("org/too_many.html", minutes=current_app.config["LOCKOUT_MINUTES"]), 429


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """My account: change my password, list and revoke my API tokens."""
    actor = page_actor()
    errors = None
    if request.method == "POST":
        done, errors = attempt(passwords.change_password, actor,
                               request.form.get("current_password", ""),
                               request.form.get("password", ""), session.get("sid"))
        if errors is None:
            flash(_("Password changed."), "success")
            return redirect(url_for("org.account"))
    return render_template("org/account.html", tokens=api_tokens.list_mine(actor),
                           is_live=api_tokens.is_live, errors=errors,
                           show_subnav=org_access.can_view_org(actor)), 422 if errors else 200


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of my API tokens."""
    api_tokens.revoke(page_actor(), token_id)
    flash(_("Token revoked: it is refused from now on."), "success")
    return redirect(url_for("org.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password reset link by e-mail."""
    if request.method == "POST":
        passwords.request_reset(request.form.get("login", "")[:200])
        return render_template("org/forgot.html", sent=True)
    return render_template("org/forgot.html", sent=False)


def _link_page(token: str, kind: str):
    try:
        user = passwords.link_user(token, kind)
    except NotFound:
        return render_template("org/link_password.html", kind=kind, user=None), 404
    errors = None
    if request.method == "POST":
        done, errors = attempt(passwords.use_link, token, kind, request.form.get("password", ""))
        if errors is None:
            flash(_("Your password is set. Please sign in."), "success")
            return redirect(url_for("web.login"))
    return render_template("org/link_password.html", kind=kind, user=user,
                           errors=errors), 422 if errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token):
    """Choose a new password through a one-time reset link."""
    return _link_page(token, "reset")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """Choose the first password through an invitation link."""
    return _link_page(token, "invite")


@bp.route("/events")
@login_required
def list_events():
    """The organisation's audit log."""
    page = max(1, request.args.get("page", 1, type=int))
    sign_ins = request.args.get("sign_ins") == "1"
    rows, total = org_admin.org_events(page_actor(), page, 50, sign_ins)
    return render_template("org/events.html", events=rows, total=total, page=page,
                           sign_ins=sign_ins)


@bp.route("/changes/<int:event_id>")
@login_required
def view_change(event_id):
    """Show one change and what moved with it."""
    return render_template("org/change.html",
                           event=org_admin.get_event(page_actor(), event_id))
