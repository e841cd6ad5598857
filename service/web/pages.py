"""Sign-in, sign-out and language; the other *_pages modules add their routes to the blueprint."""

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from service.auth import SessionUser, authenticate
from service.i18n import LOCALES

from .blueprint import bp
from .common import login_required, safe_next


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
    return render_template("web/login.html", form=form, error=error), 200 if not error else 401


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and end the session."""
    lang = session.get("lang")
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
