"""Form widgets are drawn by Jinja2 (Django's own Jinja2 copies of its widget templates), and the admin
site's widgets, which only the Django template language has, still draw (workshop.forms_renderer)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template


def test_the_widgets_come_from_jinja2_and_the_admins_from_the_django_engine():
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


def test_a_select_draws_the_same_html_as_djangos_own_renderer():
    field = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 <b>"), ("b", "乙")])
    ours = field.widget.render("k", "a", attrs={"id": "id_k"}, renderer=get_default_renderer())
    djangos = field.widget.render("k", "a", attrs={"id": "id_k"}, renderer=DjangoTemplates())
    squeeze = lambda html: "".join(html.split())  # noqa: E731 - whitespace between tags differs
    assert squeeze(ours) == squeeze(djangos)
    assert 'value="a" selected' in ours and "甲 &lt;b&gt;" in ours
