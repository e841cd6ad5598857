"""Sign-in, sign-out, language, and the inbox."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from service.auth import SessionUser, authenticate
from service.i18n import LOCALES
from service.usecases import tasks

from .common import login_required, page_actor, safe_next

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
TABS = {"mine": "mine", "group": "candidate", "done": "done"}


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


@bp.route("/inbox")
@login_required
def inbox():
    """List my tasks, my group's tasks, or what I completed."""
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "mine"
    page = max(1, request.args.get("page", 1, type=int))
    actor = page_actor()
    rows, total = tasks.list_(actor, TABS[tab], None, page, 25)
    counts = {name: tasks.list_(actor, TABS[name], None, 1, 1)[1] for name in ("mine", "group")}
    return render_template("web/inbox.html", tab=tab, tasks=rows, total=total, page=page,
                           counts=counts)
