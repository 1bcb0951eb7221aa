"""The Jinja2 templates' words (jinja2/, config/jinja.py) reach the catalogue: Django's makemessages cannot
read Jinja2's ``{% trans %}`` blocks, so ``make messages`` first writes their msgids to
config/jinja_messages.py.
A template changed without that step, or a msgid left without English, fails here: the page would speak
Chinese to an English reader."""

from __future__ import annotations

import gettext
from pathlib import Path

from django.conf import settings

from config.jinja_catalogue import MESSAGES_FILE, messages_source, template_messages

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def _english() -> dict:
    with CATALOGUE.open("rb") as fh:
        return gettext.GNUTranslations(fh)._catalog


def test_the_written_msgids_are_those_of_the_templates_as_they_are():
    assert MESSAGES_FILE.read_text() == messages_source(), "run `make messages`"


def test_the_extraction_finds_plurals_and_contexts_as_django_s_blocktranslate_wrote_them():
    found = dict.fromkeys(template_messages())
    assert ("ngettext", ("%(n)s 件", "%(n)s 件")) in found
    assert ("npgettext", ("piece unit", "件", "件")) in found
    assert ("gettext", ("%(name)s,您好",)) in found
    assert ("gettext", ("看做法和照片",)) in found or ("_", ("看做法和照片",)) in found


def test_every_msgid_of_the_jinja_templates_has_english():
    english = _english()
    missing = []
    for function, strings in template_messages():
        if function in ("gettext", "_"):
            keys = [strings[0]]
        elif function == "ngettext":
            keys = [(strings[0], 0), (strings[0], 1)]
        elif function == "pgettext":
            keys = [f"{strings[0]}\x04{strings[1]}"]
        else:
            keys = [(f"{strings[0]}\x04{strings[1]}", 0), (f"{strings[0]}\x04{strings[1]}", 1)]
        missing += [k for k in keys if not english.get(k)]
    assert not missing
