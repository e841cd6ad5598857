"""Chinese and English: locale choice and the translation catalogues of every web area."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session
from flask_babel import Babel, get_locale

LOCALES = ("zh_CN", "en")
TRANSLATIONS = Path(__file__).parent / "web" / "translations"
babel = Babel()


def select_locale() -> str:
    """Use the session's choice, else the browser's (Chinese browsers get zh_CN), else zh_CN."""
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return "en" if best == "en" else "zh_CN"


def current_lang() -> str:
    """Return "zh_CN" or "en" for this request.

    Babel resolves zh_CN to zh_Hans_CN, whose catalogue lookup falls back to the "zh" folder:
    that is why the Chinese catalogues live in translations/<area>/zh/.
    """
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def compile_catalogues() -> list[str]:
    """Compile each area's .po into .mo when stale; return the translation directories."""
    directories = []
    for area in sorted(p for p in TRANSLATIONS.iterdir() if p.is_dir()):
        for po_path in area.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                with open(po_path, "rb") as handle:
                    catalog = read_po(handle)
                with open(mo_path, "wb") as handle:
                    write_mo(handle, catalog)
        directories.append(str(area))
    return directories


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh_CN")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(compile_catalogues())
    babel.init_app(app, locale_selector=select_locale)
