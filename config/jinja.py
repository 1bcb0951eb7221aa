"""The Jinja2 environment (``TEMPLATES``' second engine, templates in ``jinja2/``), for two kinds of page
part the Django template engine drew too slowly at county size (issue 15):

- a long list's rows (the roster's 50 workers, the job list's 50 jobs, the board's cards with their
  action forms), drawn inside the page's Django template by ``{% jinja %}``
  (``workshop.templatetags.jinja_parts``);
- a worker's three busiest phone pages whole: Today, Earnings and Messages (``jinja2/mobile/``, on
  ``jinja2/mobile/base.html``), and the frame of every phone page (its head, bar with tabs, and messages:
  ``jinja2/mobile/_head.html``, ``_bar.html``, ``_messages.html``, which ``templates/mobile/base.html`` draws
  with ``{% jinja %}``).

Jinja2 compiles a template to Python once and draws the same HTML for a fraction of the Django engine's
cost per tag. What a template has:

- ``url(name, args=[…])`` (Django's ``reverse``), ``static(path)`` (Django's ``static``), ``language()``
  (the reader's language code, ``zh-hans`` or ``en``), ``list_separator()`` (what goes between a list's
  items: 、 or ", "), ``csrf_input`` and ``messages`` when the page's request is passed;
- words in the reader's language through Django's catalogue: ``_("…")`` and ``{% trans %}`` blocks with
  ``{% pluralize %}`` and a msgctxt (``{% trans "piece unit" n=x %}``), their msgids the same as the Django
  templates' ``blocktranslate`` gave (``%(n)s 件``);
- the filters ``ymd`` and ``ymd_hm`` (numeric dates in Asia/Shanghai), ``date(format)`` (Django's ``date``
  filter on the local time), ``words`` (a stored reason in the reader's language), and the dashboard's
  ``yuan`` and ``share`` (a bar's width).

Output is autoescaped, as in Django's templates: ``_("…")`` is escaped like any value; a ``{% trans %}``
block's text is markup (as ``blocktranslate``'s is) and its variables are escaped. Django's ``makemessages``
does not read Jinja2's tags: ``scripts/jinja_messages.py`` (``make messages`` runs it first) writes the
templates' msgids to ``config/jinja_messages.py``, which it does read (``config.jinja_catalogue``); a test
fails when that file is stale or a msgid has no English."""

from __future__ import annotations

import functools

from django.conf import settings
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import date as django_date
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext, npgettext, pgettext

from dashboard.templatetags.dash import share, yuan
from dispatch.templatetags.stored_words import words
from jinja2 import Environment
from workshop.text import list_separator


def environment(**options) -> Environment:
    """The ``TEMPLATES`` entry's environment (Django's ``Jinja2`` backend passes ``options``)."""
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False, pgettext=pgettext, npgettext=npgettext)
    env.globals.update(url=url, static=static, language=get_language, list_separator=list_separator)
    env.filters.update(ymd=ymd, ymd_hm=ymd_hm, date=date, words=words, yuan=yuan, share=share)
    return env


def url(name: str, args=None, kwargs=None) -> str:
    """``url(name, args=[…])``: Django's ``reverse``, remembered. The same name and arguments give the same
    path for as long as the process lives (under the same script prefix and URL configuration, both part
    of what is remembered), and a list of 30 cards or 50 rows asks for the same few paths on every page:
    ``reverse`` cost 50 µs a call, a staff page's navigation alone asked 25 times (issue 15). Arguments
    other than whole numbers and text, and keyword arguments, go to ``reverse`` each time; a name that
    does not resolve raises ``NoReverseMatch`` each time, as ``reverse`` does."""
    args = tuple(args or ())
    # Only whole numbers and text are remembered: as keys, 1 == 1.0 == True while their paths differ.
    if kwargs is None and all(type(a) in _PLAIN for a in args):
        return _reversed(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return reverse(name, args=args, kwargs=kwargs)


_PLAIN = (int, str)


@functools.lru_cache(maxsize=16384)
def _reversed(name: str, args: tuple, prefix: str, urlconf) -> str:
    # ``prefix`` and ``urlconf`` are part of the key only: ``reverse`` reads the current ones itself.
    return reverse(name, args=args, urlconf=urlconf)


def csrf_once(request) -> dict:
    """A context processor of the Jinja2 engine: ``csrf_input`` made once per page. The backend's own is
    lazy in Django's sense, made afresh at each use, and each making masks the token with 32 fresh random
    characters: a worker's 50 messages, each a form, spent 4 ms of a 7 ms page on it (issue 15). Django's
    templates make theirs once too (``django.template.context_processors.csrf``)."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def _local(value, fmt: str) -> str:
    # What Django's ``date`` filter gives for these numeric formats, in the current time zone
    # (Asia/Shanghai) as Django's templates apply it, without its formatter (60 µs a call: a tenth of a
    # 50-row list's time). None (a job not yet issued) is blank.
    return "" if value is None else template_localtime(value).strftime(fmt)


def ymd(value) -> str:
    """A date, or an aware datetime in the current time zone, as ``2026-12-05`` (``date:"Y-m-d"``)."""
    return _local(value, "%Y-%m-%d")


def ymd_hm(value) -> str:
    """An aware datetime in the current time zone as ``2026-12-05 08:30`` (``date:"Y-m-d H:i"``)."""
    return _local(value, "%Y-%m-%d %H:%M")


def date(value, fmt: str) -> str:
    """Django's ``date`` filter as a Django template applies it: an aware datetime in the current time zone
    (Asia/Shanghai), in ``fmt`` (Django's format letters, e.g. ``_("n月j日 H:i")``). None is blank."""
    return "" if value is None else django_date(template_localtime(value), fmt)
