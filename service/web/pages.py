"""Sign-in, sign-out and language; the other *_pages modules add their routes to the blueprint."""

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user, user_logged_in
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from service.auth import SessionUser, authenticate
from service.i18n import LOCALES
from service.usecases import web_sessions

from .blueprint import bp
from .common import login_required, safe_next


def _record_session(_app, user, **_extra):
    """Give every sign-in (password or SSO) a server-side session that sign-out can end."""
    session["sid"] = web_sessions.start(user.id)


user_logged_in.connect(_record_session)


@bp.before_app_request
def drop_ended_sessions():
    """Treat a cookie of an ended session (signed out, replayed) as signed out."""
    if "_user_id" not in session or (request.endpoint or "").endswith("static"):
        return
    if not web_sessions.is_live(session.get("_user_id"), session.get("sid")):
        lang = session.get("lang")
        session.clear()
        g.pop("_login_user", None)
        if lang:
            session["lang"] = lang


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=80)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username and password."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(SessionUser(user))
            return redirect(safe_next(request.args.get("next")))
        error = _("Wrong username or password.")
    config = current_app.config
    sso_enabled = bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))
    return render_template("web/login.html", form=form, error=error,
                           sso_enabled=sso_enabled), 200 if not error else 401


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and end the session."""
    lang = session.get("lang")
    web_sessions.end(session.get("sid"))
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("web.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    """Switch the interface language."""
    if code in LOCALES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")))


@bp.route("/")
@login_required
def home():
    return redirect(url_for("web.inbox"))


# Each module below adds its routes to the same blueprint when imported.
from . import (  # noqa: E402
    guest_pages,
    inbox_pages,
    profile_pages,
    public_pages,
    start_pages,
    task_pages,
)

__all__ = ["bp", "guest_pages", "inbox_pages", "profile_pages", "public_pages", "start_pages",
           "task_pages"]
