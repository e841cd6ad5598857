"""The staff pages' blueprint ("web"): sign-in, inbox, tasks, start, guest and public forms."""

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
