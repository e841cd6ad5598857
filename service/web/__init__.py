"""HTML pages: server-rendered Jinja on Bootstrap, one blueprint per area."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from service.i18n import current_lang
from service.roles import ROLE_BY_KEY
from service.web.common import page_actor

# (endpoint, icon, label, roles that see it; None = everyone signed in). An entry shows only
# once its blueprint is registered, so areas can arrive one by one.
NAVIGATION = (
    ("web.inbox", "bi-inbox", _l("Inbox"), None),
    ("web.start", "bi-play-circle", _l("Start"), None),
    ("crm.list_customers", "bi-building", _l("Clients"), None),
    ("studio.index", "bi-bezier2", _l("Studio"), {"process_owner", "admin"}),
    ("monitor.dashboard", "bi-speedometer2", _l("Monitor"), {"admin", "city_president"}),
    ("org.index", "bi-people", _l("Organisation"),
     {"admin", "national_president", "national_management", "city_president"}),
)


def register_web(app) -> None:
    """Register every page blueprint and the template helpers they share."""
    from service.web import org, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(org.bp)
    from service.web import studio
    app.register_blueprint(studio.bp)
    from service.web import monitor
    app.register_blueprint(monitor.bp)
    from service.web import clients
    app.register_blueprint(clients.bp)

    @app.context_processor
    def inject_helpers():
        return {"actor": page_actor(), "nav_items": nav_items, "role_names": role_names,
                "lang": current_lang()}


def nav_items():
    actor = page_actor()
    for endpoint, icon, label, roles in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        visible = actor is not None and (roles is None or bool(actor.roles & roles))
        yield endpoint, icon, label, visible


def role_names(keys) -> list[str]:
    """Return the display names of role keys in the page's language."""
    chinese = current_lang() == "zh_CN"
    return [(ROLE_BY_KEY[k].name_zh if chinese else ROLE_BY_KEY[k].name_en)
            for k in sorted(keys) if k in ROLE_BY_KEY]
