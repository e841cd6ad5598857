"""Every string of the inbox pages and mails has its Chinese translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "service" / "web"
MODULES = [WEB / f"{name}.py" for name in (
    "pages", "inbox_pages", "task_pages", "guest_pages", "start_pages", "profile_pages",
    "public_pages", "formkit", "clients", "crm_labels", "history_labels")]
MODULES.append(ROOT / "service" / "usecases" / "notify_text.py")
TEMPLATES = sorted((WEB / "templates" / "web").rglob("*.html"))
CATALOGUE = WEB / "translations" / "core" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def messages() -> dict[str, str]:
    """Return {msgid: where} of every string marked for translation in the inbox's files."""
    found = {}
    for path in MODULES + TEMPLATES:
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{path.relative_to(ROOT)}:{line}")
    return found


def test_every_inbox_string_has_a_chinese_translation():
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    found = messages()
    assert len(found) > 300
    missing = {m: where for m, where in found.items()
               if m not in catalogue or not catalogue[m].string}
    assert missing == {}


def test_translations_keep_their_placeholders():
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    placeholder = re.compile(r"%\(\w+\)s")
    wrong = [m.id for m in catalogue if m.id and m.string and
             sorted(placeholder.findall(m.id)) != sorted(placeholder.findall(m.string))]
    assert wrong == []
