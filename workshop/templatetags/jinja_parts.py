"""``{% load jinja_parts %}``: a part of a Django template drawn by the Jinja2 engine
(``config/jinja.py``)."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """``{% jinja "dashboard/_job_rows.html" page=page %}``: a template from ``jinja2/`` (a long list's rows,
    an offer's answer buttons) drawn by the Jinja2 engine with only ``values`` and the request (for
    ``csrf_input``); the HTML is escaped there."""
    found = engines["jinja2"].get_template(template_name)
    return mark_safe(found.render(values, request=context.get("request")))
