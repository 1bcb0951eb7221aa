"""The Jinja2 templates' msgids for Django's ``makemessages``, which cannot read Jinja2's ``{% trans %}``
blocks: Jinja2's own extractor lists them (``template_messages``) and ``write_messages`` writes them to
``config/jinja_messages.py`` as the calls ``xgettext`` reads. Run by ``scripts/jinja_messages.py`` (``make
messages``' first step); never loaded by the web processes. Checked by tests/test_jinja_messages.py."""

from __future__ import annotations

from pathlib import Path

from .jinja import environment

TEMPLATES = Path(__file__).resolve().parent.parent / "jinja2"
MESSAGES_FILE = Path(__file__).resolve().parent / "jinja_messages.py"

_CALLS = {
    "gettext": "gettext_noop({})",
    "_": "gettext_noop({})",
    "ngettext": "ngettext({}, {}, 1)",
    "pgettext": "pgettext({}, {})",
    "npgettext": "npgettext({}, {}, {}, 1)",
}


def template_messages(folder: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """Every translatable text in ``jinja2/``'s templates (those under ``jinja2/<folder>/`` when given), as
    Jinja2's own extractor finds it: ``(function, strings)``, e.g. ``("ngettext", ("%(n)s 件", "%(n)s 件"))``
    or ``("npgettext", ("piece unit", "件", "件"))``; in file order, each once."""
    env = environment()
    seen: dict[tuple[str, tuple[str, ...]], None] = {}
    for path in sorted((TEMPLATES / folder).rglob("*.html")):
        for _lineno, function, message in env.extract_translations(path.read_text()):
            strings = message if isinstance(message, tuple) else (message,)
            seen.setdefault((function, tuple(s for s in strings if s is not None)), None)
    return list(seen)


def messages_source() -> str:
    """``config/jinja_messages.py``'s text: the templates' msgids as calls ``xgettext`` reads."""
    lines = [
        '"""Written by ``scripts/jinja_messages.py`` (``make messages``): the msgids of the Jinja2',
        "templates in ``jinja2/``, which Django's makemessages cannot read from Jinja2's tags.",
        'Never imported."""',
        "",
        "from django.utils.translation import gettext_noop, ngettext, npgettext, pgettext  # noqa: F401",
        "",
        "",
        "def _messages():  # pragma: no cover",
        "    return [",
    ]
    for function, strings in template_messages():
        lines.append("        " + _CALLS[function].format(*(repr(s) for s in strings)) + ",")
    lines += ["    ]", ""]
    return "\n".join(lines)


def write_messages() -> int:
    """Write ``config/jinja_messages.py``; how many msgids it holds."""
    MESSAGES_FILE.write_text(messages_source())
    return len(template_messages())
