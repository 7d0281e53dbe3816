"""Qt translations: German, Dutch and English, following the system language.

The .ts sources live in resources/translations and are compiled to .qm by
pyside6-lrelease at set-up time (`make translations`). English is the source
language, so it needs no translator. Every widget re-reads its texts when Qt sends
a LanguageChange event, so switching language needs no restart.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QTranslator

import klasse.resources

LANGUAGES = ("en", "de", "nl")
TRANSLATIONS = Path(klasse.resources.__file__).parent / "translations"
CONTEXT = ""   # lupdate files module-level tr() calls under the unnamed context

_installed: QTranslator | None = None
_current = "en"


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """Translate `text` in the one shared context (lupdate finds these calls)."""
    return QCoreApplication.translate(CONTEXT, text, disambiguation, n)


def system_language() -> str:
    """The first of the user's UI languages that Klasse speaks, else English."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def current_language() -> str:
    return _current


def set_language(code: str) -> str:
    """Install the translator for `code` (falls back to English); returns the language used."""
    global _installed, _current
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication first")
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if code not in LANGUAGES:
        code = "en"
    if code != "en":
        translator = QTranslator(app)
        qm = TRANSLATIONS / f"klasse_{code}.qm"
        if not translator.load(str(qm)):
            raise FileNotFoundError(f"{qm} is missing: run `make translations`")
        app.installTranslator(translator)
        _installed = translator
    _current = code
    # Qt posts LanguageChange to every window; deliver it now so all texts switch at once.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    return code
