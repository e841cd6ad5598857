"""Profile: who I am, how I hear about work; the mail outbox (what was sent, or logged in dev)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import inbox, notifications

from .blueprint import bp
from .common import login_required, page_actor
from .page_tools import attempt, field_errors


@bp.route("/profile")
@login_required
def profile():
    """Show my account and notification preferences."""
    actor = page_actor()
    return render_template("web/profile.html", pref=notifications.preferences(actor.id),
                           center=inbox.center_of(actor), errors={})


@bp.route("/profile", methods=["POST"])
@login_required
def save_profile():
    """Save how and in which language I get mails."""
    actor = page_actor()
    _pref, error = attempt(notifications.save_preferences, actor, request.form.get("mode", ""),
                           request.form.get("language", ""))
    if error is not None:
        return render_template("web/profile.html", pref=notifications.preferences(actor.id),
                               center=inbox.center_of(actor), errors=field_errors(error)), 422
    flash(_("Your preferences were saved."), "success")
    return redirect(url_for("web.profile"))


@bp.route("/outbox")
@login_required
def outbox():
    """List the mails addressed to me (all of them for an admin)."""
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    mails, total = notifications.outbox(page_actor(), page)
    return render_template("web/outbox.html", mails=mails, total=total, page=page,
                           pages=max(1, -(-total // 25)),
                           development=not current_app.config.get("MAIL_SERVER"))
