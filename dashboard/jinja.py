"""The Jinja2 environment for the dashboard's row templates (``jinja2/``): a long list's rows (the roster's
50 workers, the job list's 50 jobs, the board's cards with their action forms) are drawn by Jinja2 inside
the page's Django template, through the ``{% jinja %}`` tag (``dashboard.templatetags.dash``). The Django
template engine spent half of those pages' time on the rows; Jinja2 compiles a template to Python once and
draws the same HTML for a fraction of that (issue 15).

What a row template has: ``url(name, args=[…])`` (Django's ``reverse``), ``_("…")`` (Django's ``gettext``,
so a message is in the reader's language; ``make messages`` reads ``_("…")`` in these files as it does in
Django templates), ``list_separator()`` (what goes between a list's items: 、 or ", "), the ``ymd`` and
``ymd_hm`` date filters, the dashboard's ``yuan`` and ``share`` (a bar's width), and Django's CSRF input
(``csrf_input``) when the page's request is passed. Output is
autoescaped. Add a filter here when a row template needs one."""

from __future__ import annotations

from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from jinja2 import Environment
from workshop.text import list_separator

from .templatetags.dash import share, yuan


def environment(**options) -> Environment:
    """The ``TEMPLATES`` entry's environment (Django's ``Jinja2`` backend passes ``options``)."""
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals["url"] = reverse
    env.globals["list_separator"] = list_separator
    env.filters.update(ymd=ymd, ymd_hm=ymd_hm, yuan=yuan, share=share)
    return env


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
