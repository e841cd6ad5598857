"""The words of notification mails, in the reader's language (catalogue: web/translations/core)."""

from flask_babel import force_locale
from flask_babel import gettext as _

from service.models import Center, Instance, Task, db

from . import client_refs, dates
from .inbox import process_names
from .public_url import public_url

SUBJECTS = {
    "offered": lambda task: _("New task: %(name)s", name=task.name),
    "assigned": lambda task: _("Assigned to you: %(name)s", name=task.name),
    "due_soon": lambda task: _("Due soon: %(name)s", name=task.name),
    "overdue": lambda task: _("Overdue: %(name)s", name=task.name),
    "escalated": lambda task: _("Overdue in your center: %(name)s", name=task.name),
}
INTROS = {
    "offered": lambda: _("A task is waiting for you or your group."),
    "assigned": lambda: _("A task was assigned to you."),
    "due_soon": lambda: _("A task of yours is due soon."),
    "overdue": lambda: _("A task of yours is overdue. Please complete it or ask for help."),
    "escalated": lambda: _("A task in your center is overdue (escalated by the service "
                           "standards)."),
}


def render(kind: str, language: str, task: Task | None, user, **context) -> tuple[str, str]:
    """Return (subject, body) of one mail in the given language."""
    with force_locale(language):
        if kind == "digest":
            return _digest(user, context["held"])
        lines = [_("Hello %(name)s,", name=user.display_name), "", INTROS[kind](), ""]
        lines += _task_lines(task, language)
        if kind == "escalated":
            workers = ", ".join(u.username for u in context.get("workers") or []) or "—"
            lines.append(_("Who works on it: %(names)s", names=workers))
        lines += ["", _("Open it: %(url)s", url=public_url(f"/tasks/{task.id}")), "",
                  _("LinkPass Flow")]
        return f"[LinkPass] {SUBJECTS[kind](task)}", "\n".join(lines)


def _task_lines(task: Task, language: str) -> list[str]:
    instance = db.session.get(Instance, task.instance_id)
    center = db.session.get(Center, task.center_id)
    process = process_names({task.process_key}).get(task.process_key, task.process_key)
    lines = [_("Task: %(name)s", name=task.name), _("Process: %(name)s", name=process),
             _("Center: %(name)s", name=center.name_zh if language == "zh_CN" else center.name_en)]
    client = client_refs.name_of(instance) if instance is not None else None
    if client:
        lines.append(_("Client: %(name)s", name=client))
    if task.due_at is not None:
        lines.append(_("Due: %(when)s", when=dates.local(task.due_at).strftime("%Y-%m-%d %H:%M")))
    return lines


def _digest(user, held) -> tuple[str, str]:
    lines = [_("Hello %(name)s,", name=user.display_name), "",
             _("Your daily summary of %(count)s messages:", count=len(held)), ""]
    for mail in held:
        lines.append(f"• {mail.subject.removeprefix('[LinkPass] ')}")
        if mail.task_id:
            lines.append("  " + public_url(f"/tasks/{mail.task_id}"))
    lines += ["", _("LinkPass Flow")]
    return f"[LinkPass] {_('Daily summary')}", "\n".join(lines)


def guest_link(link, task: Task, token: str) -> tuple[str, str]:
    """Return the bilingual mail that carries a guest link to an outside party."""
    url = public_url(f"/guest/{token}")
    parts, subjects = [], []
    for language in ("zh_CN", "en"):
        with force_locale(language):
            subjects.append(_("Please complete: %(name)s", name=task.name))
            parts.append("\n".join([
                _("Hello %(name)s,", name=link.party), "",
                _("Link Pass asks you to fill in one form. No account is needed."),
                _("Task: %(name)s", name=task.name),
                _("Open the form: %(url)s", url=url),
                _("The link works once and expires on %(when)s.",
                  when=dates.local(link.expires_at).strftime("%Y-%m-%d %H:%M")),
            ]))
    return f"[Link Pass] {subjects[0]} / {subjects[1]}", "\n\n——\n\n".join(parts)
