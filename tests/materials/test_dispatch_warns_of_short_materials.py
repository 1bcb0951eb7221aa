"""A trial: the head dispatched a job whose materials had not arrived (未到料), with no word of it; the
worker took the offer and her first report was refused ("工坊的材料账上还没有这些料"). The dispatch page now
says which materials are short and by how much, and links to recording them; once they are in, it says
nothing. A job without materials never shows it."""

from __future__ import annotations

import pytest

from materials import services as materials
from tests.materials.conftest import PANEL, SCREW, line

pytestmark = pytest.mark.django_db


def _warning(client, job) -> str:
    html = client.get(f"/dashboard/jobs/{job.pk}/dispatch/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    if "data-short-materials" not in html:
        return ""
    return html[html.index("data-short-materials") : html.index("</div>", html.index("data-short-materials"))]


def test_the_dispatch_page_says_which_materials_are_short_until_they_are_in(client, cast, material_job):
    job = material_job(quantity=100, bom=(PANEL, SCREW))  # needs 101 panels and 201 screws with the loss
    client.force_login(cast.head)
    warning = _warning(client, job)
    assert "这单的料还没到齐" in warning and "面板 · 还差 101" in warning and "螺丝 · 还差 201" in warning
    assert f'href="/dashboard/jobs/{job.pk}/materials/"' in warning
    materials.material_receive(line=line(job, "面板"), quantity_received=101, actor=cast.head)
    warning = _warning(client, job)
    assert "面板" not in warning and "螺丝 · 还差 201" in warning
    materials.material_receive(line=line(job, "螺丝"), quantity_received=201, actor=cast.head)
    assert _warning(client, job) == ""
    other = material_job(quantity=10)
    english = client.get(f"/dashboard/jobs/{other.pk}/dispatch/", HTTP_ACCEPT_LANGUAGE="en")
    assert "have not all arrived" in english.content.decode()


def test_a_job_without_materials_has_no_warning(client, cast, issue_job):
    job = issue_job(quantity=50)
    client.force_login(cast.head)
    assert _warning(client, job) == ""
