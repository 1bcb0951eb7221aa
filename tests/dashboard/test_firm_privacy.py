"""Every page a firm's clerk can open shows pieces and quality, never a worker's income, situation or contact
data; and when the head shows the workshop's workers to that firm by number, never a worker's name.

The walk takes every dashboard URL of the role matrix (which itself must name every URL pattern) with its
real objects, the lists' pages, the clerk's own moves (count a lot in, inspect by lot and by bundle, sign
and dispute a statement) with the pages they land on and their messages, and the spreadsheets she can
download or export. What it looks for is planted before the world is made: a worker rate below the firm's
(so a wage is not the firm's own figure), the planner's reasons on the shares and in their flow events, a
worker's words when she declines, a low-income and home-working worker, phone and ID numbers, an address,
a bank account, a bonus and a baseline income.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dashboard import exports
from dashboard.models import Export, ExportKind, ExportStatus
from dispatch import services
from dispatch.models import Assignment, FlowEvent, Job
from logistics.models import DeliveryNote, Residence
from pay import services as pay
from pay.models import FirmStatement, PayLine
from tests.dashboard import test_role_matrix as matrix
from tests.dashboard.helpers import settled_job
from workshop.models import OperatorFeeKind, Pairing, Worker
from workshop.pairings import pairing_show_workers
from workshop.validators import mask_id_number, mask_phone

# The role matrix's objects: one of each kind the dashboard's URLs need.
world = matrix.world

NAMES = {"alice": "龚秀英", "bob": "沈美娟", "carol": "陆桂芳"}
PHONES = {"alice": "+8613857146293", "bob": "+8615967281634", "carol": "+8618758239461"}
ID_NUMBERS = {"alice": "11010519491231002X", "bob": "330424196507151226", "carol": "330424195803092348"}
PLANNER_REASONS = "技能匹配 · 本月收入偏低 · 近期派工少 · 居家加工"
HER_WORDS = "在家照顾老伴,这几天走不开"
SITUATION = ("本月收入偏低", "近期派工少", "居家加工", "低收入", "照顾老伴", "困难补助")


@pytest.fixture(autouse=True)
def planted(cast):
    """Before the world is made: the pairing keeps an operator's fee (the worker is paid 0.0300 of the
    firm's 0.0350), and the three workers carry names, numbers and a situation a firm must not see."""
    Pairing.objects.filter(pk=cast.pairing.pk).update(
        operator_fee_kind=OperatorFeeKind.PER_PIECE, operator_fee_value=Decimal("0.0050")
    )
    for key in NAMES:
        Worker.objects.filter(pk=getattr(cast, key).pk).update(
            name=NAMES[key],
            phone=PHONES[key],
            id_number=ID_NUMBERS[key],
            home_address=f"新街社区{len(key)}幢2单元30{len(key)}室",
            home_area="望海三组",
            bank_account="6228480402564890018",
            bank_name="农业银行海盐支行",
            baseline_income_yuan=Decimal("23456.78"),
        )
        getattr(cast, key).refresh_from_db()
    Worker.objects.filter(pk=cast.alice.pk).update(low_income=True)
    cast.alice.refresh_from_db()


def plant_after(cast, issue_job):
    """After the world: the planner's reasons on every share and its offer event; carol declines an offer
    in her own words; alice's home, a bonus for her, and a big settled job whose wage is hers alone.
    Returns the worker-side amounts (strings, as pages would print them) the firm must never see."""
    Assignment.objects.update(reasons=PLANNER_REASONS)
    FlowEvent.objects.filter(to_state="offered").update(note=PLANNER_REASONS)
    job = issue_job(quantity=40, title="婉拒的单")
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=40, reasons=PLANNER_REASONS)
    services.assignment_decline(actor=cast.carol.user, assignment=share, reason=HER_WORDS)
    Worker.objects.filter(pk=cast.alice.pk).update(work_place="home")  # (her shares so far were not)
    Residence.objects.update_or_create(worker=cast.alice, defaults={"room": "9单元909"})
    pay.adjustment_add(
        worker=cast.alice,
        kind="bonus",
        amount="87.65",
        reason="困难补助",
        actor=cast.head,
        key="privacy-bonus",
    )
    settled_job(cast, issue_job, pieces=(1234,), title="大单")  # alice: 1234 × 0.0300 = 37.02 yuan
    month = timezone.localdate().replace(day=1)
    alice_month = sum(
        PayLine.objects.filter(worker=cast.alice, booked_on__gte=month).values_list("amount", flat=True),
        Decimal("0"),
    )
    amounts = {"87.65", "37.02", f"{alice_month:.2f}", f"{alice_month:,.2f}", "23456.78", "23,456.78"}
    return amounts


def forbidden(cast, amounts: set[str]) -> list[str]:
    """What no firm page may contain, whatever the head chose."""
    out = [*SITUATION, PLANNER_REASONS, "9单元909", "望海三组", "6228480402564890018", "0018", *amounts]
    for key in NAMES:
        w = getattr(cast, key)
        national = str(w.phone.national_number)
        out += [national, mask_phone(w.phone), ID_NUMBERS[key], mask_id_number(ID_NUMBERS[key])]
        out.append(w.home_address)
    return out


def found_in(text: str, bad: list[str]) -> list[str]:
    """Which forbidden strings the text holds. A short number (an amount, the bank account's tail) counts
    only as a whole number: ``37.02`` inside ``137.025`` or ``0018`` inside a firm's credit code is
    another number, and random factory data made such look-alikes now and then."""
    out = []
    for b in bad:
        if len(b) <= 9 and re.fullmatch(r"[\d.,]+", b):
            if re.search(rf"(?<![\d.,]){re.escape(b)}(?![\d])", text):
                out.append(b)
        elif b in text:
            out.append(b)
    return out


def shown(value) -> str:
    """A cell as a reader sees it: a moment in the sheet's ``yyyy-mm-dd hh:mm`` format, else its text."""
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else str(value)


def text_of(response) -> str:
    """A response's words: an HTML page's text, or every cell of a workbook."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheet" in kind or body[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(body), read_only=True)
        except Exception:  # noqa: BLE001 - the matrix's placeholder export file is not a workbook
            return ""
        return "\n".join(
            shown(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
        )
    if kind.startswith("image/"):
        return ""
    return body.decode("utf-8", errors="replace")


BAD_ROW = {"passed": 1, "rejected": 1, "rework": 0}  # an inspection row that does not add up
JOB_PAGES = (
    "",
    "inspect/",
    "bundles/",
    "notes/",
    "materials/",
    "materials/statement/",
    "materials/statement.xlsx",
    "dispatch/",
)


def walk(client, cast, w) -> dict[str, str]:
    """Every GET of the role matrix as the clerk, and the lists' pages: {url: text} of what opened."""
    seen = {}
    urls = [path(cast, w) for method, path, *_rest in matrix.MATRIX.values() if method == "get"]
    urls += ["/lists/", "/lists/demands/", "/lists/demands/new/", "/lists/supply/", "/lists/firms/"]
    # Search by a worker's phone's tail and a firm's name: a clerk finds no worker (a search by her name
    # echoes what the clerk typed, so it is tested on its own in tests/matching).
    urls += [f"/lists/search/?q={str(worker.phone)[-4:]}" for worker in (cast.alice, cast.bob)]
    urls += [f"/lists/search/?q={cast.firm.name[:4]}", f"/dashboard/firms/directory/?q={cast.firm.name[:4]}"]
    # Every job of the firm's, with each of its pages (not only the one the matrix names).
    for job in Job.objects.filter(line__firm=cast.firm).order_by("pk"):
        urls += [f"/dashboard/jobs/{job.pk}/{page}" for page in JOB_PAGES]
        for note in DeliveryNote.objects.filter(job=job):
            urls += [f"/dashboard/jobs/{job.pk}/notes/{note.pk}/print/", f"/dashboard/notes/{note.token}/"]
    for statement in FirmStatement.objects.filter(firm=cast.firm):
        urls += [f"/dashboard/statements/{statement.pk}/{page}" for page in ("", "print/", "statement.xlsx")]
    for url in urls:
        response = client.get(url, follow=True)
        if response.status_code == 200:
            seen[url] = text_of(response)
    return seen


def the_clerks_moves(client, cast, w) -> dict[str, str]:
    """The clerk's own moves, each followed to the page it lands on (with its message)."""
    seen = {}
    shares = list(w["inspecting"].assignments.all())
    moves = [
        (f"/dashboard/jobs/{w['handed'].pk}/notes/", matrix.receive_post(cast, w)),
        (
            f"/dashboard/jobs/{w['bundled'].pk}/bundles/",
            {
                "action": "verdict",
                "token": w["bundle"].token,
                "passed": w["bundle"].pieces - 1,
                "rejected": 1,
            },
        ),
        (  # an inspection that does not add up: the refusal names the share
            f"/dashboard/jobs/{w['inspecting'].pk}/inspect/",
            {"mode": "assignment", **{f"a{a.pk}-{f}": n for a in shares for f, n in BAD_ROW.items()}},
        ),
        (f"/dashboard/jobs/{w['inspecting'].pk}/inspect/", matrix.lot_post(cast, w)),
        (f"/dashboard/statements/{w['statement'].pk}/dispute/", {"clerk_figure": "1.00", "note": "少了"}),
        (  # a booked result corrected: its note on the job's timeline names the share
            f"/dashboard/jobs/{w['settled_result'].inspection.job_id}/results/{w['settled_result'].pk}/correct/",
            {"passed": 8, "rejected": 2, "reason": "复检"},
        ),
        ("/dashboard/exports/", {"kind": "assignments"}),
    ]
    for i, (url, data) in enumerate(moves):
        response = client.post(url, data, follow=True)
        assert response.status_code in (200, 400), url  # 400: a refusal in words, on the form
        seen[f"POST {i} {url}"] = text_of(response)
    return seen


def the_clerks_exports(cast) -> dict[str, str]:
    """Each spreadsheet the clerk may export, written as the export task writes it."""
    seen = {}
    start = (timezone.localdate() - dt.timedelta(days=62)).isoformat()
    for kind in ExportKind.values:
        export = Export.objects.create(user=cast.clerk, kind=kind, params={"from": start})
        assert exports.export_run(export_id=export.pk) == ExportStatus.DONE
        export.refresh_from_db()
        with export.file.open("rb") as fh:
            book = load_workbook(fh, read_only=True)
            seen[f"export {kind}"] = "\n".join(
                shown(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
            )
    return seen


@pytest.mark.parametrize("shown_by", ["name", "number"])
def test_no_firm_page_shows_a_workers_income_situation_or_contact(client, cast, world, issue_job, shown_by):
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by=shown_by)
    amounts = plant_after(cast, issue_job)
    client.force_login(cast.clerk)

    pages = walk(client, cast, world)
    pages |= the_clerks_moves(client, cast, world)
    pages |= walk(client, cast, world)  # again, now that lots are counted and inspected
    pages |= the_clerks_exports(cast)

    assert len(pages) >= 60, sorted(pages)  # the walk really opened the firm's pages
    bad = forbidden(cast, amounts)
    if shown_by == "number":
        bad += list(NAMES.values())
    leaks = {url: found for url, text in pages.items() if (found := found_in(text, bad))}
    assert not leaks, "\n".join(f"{url}: {found}" for url, found in sorted(leaks.items()))
    job_page = pages[f"/dashboard/jobs/{world['inspecting'].pk}/"]
    # The firm still sees who made which pieces: by name, or by the number printed on the bundle tickets.
    who = NAMES["alice"] if shown_by == "name" else f"{cast.alice.pk}号坊工"
    assert who in job_page


def test_the_walk_finds_what_it_looks_for_where_it_may_be_shown(client, cast, world, issue_job):
    """The walk can fail: the head's own job page shows her workers' names, masked phones and the planner's
    reasons, and the same check finds every one of them there."""
    amounts = plant_after(cast, issue_job)
    client.force_login(cast.head)
    head_page = text_of(client.get(f"/dashboard/jobs/{world['inspecting'].pk}/"))
    found = set(found_in(head_page, forbidden(cast, amounts) + list(NAMES.values())))
    assert {PLANNER_REASONS, mask_phone(cast.alice.phone), NAMES["alice"], NAMES["bob"]} <= found


@pytest.mark.parametrize(
    "text, hit",
    [
        ("合计 ¥37.02 元", True),
        ("37.02", True),
        ("尾号****0018", True),
        ("137.025", False),
        ("91330424MA2B00187X", False),
    ],
)
def test_a_short_number_counts_only_as_a_whole_number(text, hit):
    assert bool(found_in(text, ["37.02", "0018"])) is hit
