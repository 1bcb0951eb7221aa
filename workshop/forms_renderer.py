"""How form widgets are drawn: by Jinja2, from Django's own Jinja2 copies of its widget templates (the same
HTML, at a fraction of the Django template engine's cost per option: a community admin's workshop filter
of 50 workshops was a fifth of her home page; issue 15). A widget template that exists only for the Django
template language, such as the admin site's, is drawn by Django's default renderer."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(Jinja2):
    """``FORM_RENDERER``: Django's ``Jinja2`` renderer, falling back to its ``DjangoTemplates`` renderer for
    a template Jinja2 does not have (``admin/widgets/…``)."""

    def __init__(self):
        super().__init__()
        self.fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
