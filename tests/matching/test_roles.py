"""Every /lists/ URL, opened by anonymous, a worker, the head of another workshop, staff of another firm,
a community admin of another community, and the right role: the expected status, and a refused request
writes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from matching import imports
from matching.models import DemandEntry, EntryEvent, ImportBatch, WishRecord
from tests.matching.conftest import WISH_HEADER, DemandFactory, WishFactory, csv_bytes, today, xlsx
from workshop.models import PartnerFirm, WishStatus, Worker, WorkWish


@pytest.fixture
def world(cast, admin, stranger):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    wish = WishFactory(workshop=cast.ws, status=WishStatus.CONTACTED)
    table = imports.read_table(
        "a.xlsx", xlsx([WISH_HEADER, ["新人", "13500135000", "装配", "20", "到坊", "新街小区", "", ""]])
    )
    draft = imports.draft_create(actor=admin, kind="wishes", workshop=cast.ws, filename="a.xlsx", table=table)
    return {
        "d": demand.pk,
        "w": wish.pk,
        "t": draft.token,
        "users": {
            "anonymous": None,
            "worker": cast.alice.user,
            "other_head": cast.mallory.workshop.head,
            "other_firm": cast.eve,
            "other_admin": stranger,
            "admin": admin,
            "head": cast.head,
            "clerk": cast.clerk,
        },
    }


def post_data(world, cast, name: str) -> dict:
    return {
        "demand_new": {
            "workshop": cast.ws.pk,
            "firm": cast.firm.pk,
            "process_kind": "assembly",
            "pieces_per_week": "100",
            "starts_on": today().isoformat(),
            "skill_level": "beginner",
            "place": "workshop",
        },
        "demand_edit": {
            "process_kind": "packaging",
            "pieces_per_week": "999",
            "starts_on": today().isoformat(),
            "skill_level": "beginner",
            "place": "workshop",
        },
        "demand_status": {"to": "contacted", "note": "x"},
        "wish_new": {
            "workshop": cast.ws.pk,
            "name": "录入",
            "phone": "13600136000",
            "skills": ["assembly"],
            "hours_per_week": "20",
            "work_place": "workshop",
            "area": "新街小区",
        },
        "wish_status": {"to": "matched", "note": "x"},
        "wish_enrol": {"workshop": cast.ws.pk, "employment": "part_time"},
        "import": {
            "kind": "wishes",
            "workshop": cast.ws.pk,
            "file": SimpleUploadedFile(
                "a.csv", csv_bytes([WISH_HEADER, ["甲", "13500135001", "装配", "20", "到坊", "片", "", ""]])
            ),
        },
        "import_columns": {"header_row": "1", **{f"col_{i}": f for i, f in enumerate(WISH_FIELDS)}},
        "import_skill": {"name": "钉扣", "process_kind": "fabric"},
        "import_confirm": {},
    }[name]


WISH_FIELDS = ["name", "phone", "skills", "hours", "place", "area", "low_income", "consent"]
IMPORT_RIGHT = {"admin": 200, "head": 403, "clerk": 403}
IMPORT_POST = {"admin": 302, "head": 403, "clerk": 403}

# (method, name, url) → expected status for each user; "login" is a redirect to the login page.
MATRIX = [
    # method, name, url, anonymous, worker, other_head, other_firm, other_admin, right roles → status
    ("get", "home", "/lists/", "login", 403, 302, 302, 302, {"admin": 302, "head": 302, "clerk": 302}),
    (
        "get",
        "search",
        "/lists/search/?q=z",
        "login",
        403,
        200,
        200,
        200,
        {"admin": 200, "head": 200, "clerk": 200},
    ),
    ("get", "firms", "/lists/firms/", "login", 403, 200, 200, 200, {"admin": 200, "head": 200, "clerk": 200}),
    (
        "get",
        "demands",
        "/lists/demands/",
        "login",
        403,
        200,
        200,
        200,
        {"admin": 200, "head": 200, "clerk": 200},
    ),
    (
        "get",
        "demand_new",
        "/lists/demands/new/",
        "login",
        403,
        403,
        200,
        200,
        {"admin": 200, "head": 403, "clerk": 200},
    ),
    (
        "post",
        "demand_new",
        "/lists/demands/new/",
        "login",
        403,
        403,
        200,
        200,
        {"admin": 302, "head": 403, "clerk": 302},
    ),
    (
        "get",
        "demand",
        "/lists/demands/{d}/",
        "login",
        403,
        404,
        404,
        404,
        {"admin": 200, "head": 200, "clerk": 200},
    ),
    (
        "get",
        "demand_edit",
        "/lists/demands/{d}/edit/",
        "login",
        403,
        404,
        404,
        404,
        {"admin": 200, "head": 403, "clerk": 200},
    ),
    (
        "post",
        "demand_edit",
        "/lists/demands/{d}/edit/",
        "login",
        403,
        404,
        404,
        404,
        {"admin": 302, "head": 403, "clerk": 302},
    ),
    (
        "post",
        "demand_status",
        "/lists/demands/{d}/status/",
        "login",
        403,
        404,
        404,
        404,
        {"admin": 302, "head": 403},
    ),
    (
        "get",
        "supply",
        "/lists/supply/",
        "login",
        403,
        200,
        403,
        200,
        {"admin": 200, "head": 200, "clerk": 403},
    ),
    (
        "get",
        "wish_new",
        "/lists/supply/new/",
        "login",
        403,
        403,
        403,
        200,
        {"admin": 200, "head": 403, "clerk": 403},
    ),
    (
        "post",
        "wish_new",
        "/lists/supply/new/",
        "login",
        403,
        403,
        403,
        200,
        {"admin": 302, "head": 403, "clerk": 403},
    ),
    (
        "get",
        "wish",
        "/lists/supply/{w}/",
        "login",
        403,
        404,
        403,
        404,
        {"admin": 200, "head": 200, "clerk": 403},
    ),
    (
        "post",
        "wish_status",
        "/lists/supply/{w}/status/",
        "login",
        403,
        403,
        403,
        404,
        {"admin": 302, "head": 403, "clerk": 403},
    ),
    (
        "post",
        "wish_enrol",
        "/lists/supply/{w}/enrol/",
        "login",
        403,
        403,
        403,
        404,
        {"admin": 302, "head": 403, "clerk": 403},
    ),
    (
        "get",
        "import",
        "/lists/import/",
        "login",
        403,
        403,
        403,
        200,
        {"admin": 200, "head": 403, "clerk": 403},
    ),
    (
        "post",
        "import",
        "/lists/import/",
        "login",
        403,
        403,
        403,
        200,
        {"admin": 302, "head": 403, "clerk": 403},
    ),
    ("get", "import_preview", "/lists/import/{t}/", "login", 403, 403, 403, 404, IMPORT_RIGHT),
    ("get", "import_columns", "/lists/import/{t}/columns/", "login", 403, 403, 403, 404, IMPORT_RIGHT),
    ("post", "import_columns", "/lists/import/{t}/columns/", "login", 403, 403, 403, 404, IMPORT_POST),
    ("post", "import_skill", "/lists/import/{t}/skills/", "login", 403, 403, 403, 404, IMPORT_POST),
    ("post", "import_confirm", "/lists/import/{t}/confirm/", "login", 403, 403, 403, 404, IMPORT_POST),
]
WRONG = ("anonymous", "worker", "other_head", "other_firm", "other_admin")


def cases():
    for method, name, url, *statuses, right in MATRIX:
        for who, status in zip(WRONG, statuses, strict=True):
            yield pytest.param(method, name, url, who, status, False, id=f"{method}-{name}-{who}")
        for who, status in right.items():
            yield pytest.param(method, name, url, who, status, True, id=f"{method}-{name}-{who}")


def snapshot() -> dict:
    return {
        "demands": list(DemandEntry.objects.order_by("pk").values()),
        "wishes": list(WorkWish.objects.order_by("pk").values()),
        "events": EntryEvent.objects.count(),
        "records": WishRecord.objects.count(),
        "batches": ImportBatch.objects.count(),
        "workers": Worker.objects.count(),
        "users": get_user_model().objects.count(),
        "firms": list(PartnerFirm.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize("method, name, url, who, expected, may_write", list(cases()))
def test_lists_urls_by_role(client, cast, world, method, name, url, who, expected, may_write):
    user = world["users"][who]
    if user is not None:
        client.force_login(user)
    path = url.format(d=world["d"], w=world["w"], t=world["t"])
    before = snapshot()
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, post_data(world, cast, name))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    if not may_write or method == "get" or name == "import":
        assert snapshot() == before


def test_the_right_roles_posts_do_write(client, cast, world):
    client.force_login(world["users"]["admin"])
    client.post(f"/lists/supply/{world['w']}/status/", {"to": "matched", "note": "愿意"})
    assert WorkWish.objects.get(pk=world["w"]).status == WishStatus.MATCHED
    client.post(f"/lists/supply/{world['w']}/enrol/", {"workshop": cast.ws.pk, "employment": "fixed"})
    assert WorkWish.objects.get(pk=world["w"]).status == WishStatus.ENROLLED
    assert Worker.objects.filter(phone=WorkWish.objects.get(pk=world["w"]).phone, employment="fixed").exists()
    client.force_login(cast.clerk)
    client.post(f"/lists/demands/{world['d']}/status/", {"to": "closed"})
    assert DemandEntry.objects.get(pk=world["d"]).status == "closed"
