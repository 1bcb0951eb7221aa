"""The head's dispatch page (派工) on the server: the planner's picks first and the rest folded, the total
and the button in one bar, and the planner's reasons kept on the shares the head did not change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.models import Assignment
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def crew(cast, n: int) -> list:
    """``n`` more workers of the cast's workshop, besides alice, bob and carol."""
    return [WorkerFactory(workshop=cast.ws, name=f"坊工{i:02d}", hours_per_week=12) for i in range(n)]


def test_editing_three_of_eleven_shares_keeps_the_planners_reasons_on_the_other_eight(
    client, cast, issue_job
):
    crew(cast, 8)
    job = issue_job(quantity=2000, due_on=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(cast.head)
    rows = [r for r in client.get(f"/dashboard/jobs/{job.pk}/dispatch/").context["rows"] if r["planned"]]
    assert len(rows) == 11 and all(r["reasons"] for r in rows)
    post = {f"w{r['worker'].pk}": str(r["planned"]) for r in rows}
    changed = [r["worker"].pk for r in rows[:3]]
    for wid in changed:
        post[f"w{wid}"] = str(int(post[f"w{wid}"]) - 10)

    assert client.post(f"/dashboard/jobs/{job.pk}/dispatch/", post).status_code == 302

    offered = dict(Assignment.objects.filter(job=job).values_list("worker_id", "reasons"))
    planned = {r["worker"].pk: r["reasons"] for r in rows}
    assert len(offered) == 11
    for wid, reasons in offered.items():
        if wid in changed:
            assert reasons == f"坊长调整件数 · {planned[wid]}"
        else:
            assert reasons == planned[wid]  # as the planner gave it, not 坊长派工


def test_a_worker_the_planner_did_not_pick_is_offered_as_the_heads_own_choice(client, cast, issue_job):
    job = issue_job(quantity=300)
    client.force_login(cast.head)
    rows = client.get(f"/dashboard/jobs/{job.pk}/dispatch/").context["rows"]
    nobody = WorkerFactory(workshop=cast.ws, name="新来的", skills=[])  # not skilled: never planned
    post = {f"w{r['worker'].pk}": str(r["planned"]) for r in rows if r["planned"]}
    first = next(iter(post))
    post[first] = str(int(post[first]) - 5)
    post[f"w{nobody.pk}"] = "5"

    assert client.post(f"/dashboard/jobs/{job.pk}/dispatch/", post).status_code == 302

    assert Assignment.objects.get(job=job, worker=nobody).reasons == "坊长派工"


def rows_of(page: str, fold: str) -> list[int]:
    """Worker ids of the rows in the ``data-rows=fold`` part of the page, in order."""
    start = page.index(f'data-rows="{fold}"')
    end = page.index("</table>", start)
    return [int(w) for w in re.findall(r'data-worker="(\d+)"', page[start:end])]


def test_the_planners_picks_come_first_and_the_others_are_folded(client, cast, issue_job):
    crew(cast, 3)
    unskilled = WorkerFactory(workshop=cast.ws, name="不会装配", skills=["fabric"])
    job = issue_job(quantity=300)
    client.force_login(cast.head)
    response = client.get(f"/dashboard/jobs/{job.pk}/dispatch/")
    page = response.content.decode()
    planned = {r["worker"].pk for r in response.context["rows"] if r["planned"]}

    assert set(rows_of(page, "suggested")) == planned
    folded = rows_of(page, "others")
    assert unskilled.pk in folded and not planned & set(folded)
    assert re.search(r'<details class="fold" data-rows="others">', page)  # closed
    assert page.index("data-dispatch-bar") > page.index('data-rows="others"')


def test_pieces_typed_in_the_fold_reopen_it_when_the_split_comes_back_refused(client, cast, issue_job):
    unskilled = WorkerFactory(workshop=cast.ws, name="不会装配", skills=["fabric"])
    job = issue_job(quantity=300)
    client.force_login(cast.head)

    response = client.post(
        f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.alice.pk}": "300", f"w{unskilled.pk}": "20"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert '<details class="fold" data-rows="others" open>' in page
    assert f'id="w{unskilled.pk}"' in page and 'value="20"' in page
    assert "<strong data-total>320</strong>" in page and "<strong data-left>-20</strong>" in page


def test_twenty_nines_for_one_worker_are_refused_on_her_row_as_too_large(client, cast, issue_job):
    job = issue_job(quantity=300)
    client.force_login(cast.head)

    response = client.post(
        f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.alice.pk}": "9" * 20, f"w{cast.bob.pk}": "50"}
    )

    assert response.status_code == 400
    assert response.context["errors"] == [f"{cast.alice.name}:件数太大了,这张单未派的只有 300 件。"]
    assert not Assignment.objects.filter(job=job).exists()
    # Nor does a number too long to convert break the page.
    response = client.post(f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.alice.pk}": "9" * 5000})
    assert response.status_code == 400 and "件数太大了" in response.context["errors"][0]


def test_the_dispatch_page_reads_the_same_queries_for_3_workers_or_53(client, cast, issue_job):
    job = issue_job(quantity=300)
    client.force_login(cast.head)
    client.get(f"/dashboard/jobs/{job.pk}/dispatch/")  # the session and the language, read once
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/dashboard/jobs/{job.pk}/dispatch/").status_code == 200
    crew(cast, 50)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/dashboard/jobs/{job.pk}/dispatch/").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many]


def test_the_plans_own_shares_are_within_the_capacity_the_page_shows(client, cast, issue_job):
    """Found in a trial: 800 pieces due tomorrow, and 5 of the 6 shares the plan itself suggested were
    flagged 超出此人交货前的可用产能: the page counted at the prior speed over a 7-day week, the plan at each
    worker's own hours a day (a sixth of her week) and learned speed."""
    crew(cast, 5)
    job = issue_job(quantity=20000, due_on=timezone.localdate() + dt.timedelta(days=1))
    client.force_login(cast.head)

    rows = client.get(f"/dashboard/jobs/{job.pk}/dispatch/").context["rows"]

    planned = [r for r in rows if r["planned"]]
    assert planned, "the plan placed something"
    assert [(r["worker"].name, r["planned"], r["spare"]) for r in planned if r["planned"] > r["spare"]] == []


def test_a_worker_skipped_because_her_hands_are_full_says_so_beside_her_time(client, cast, issue_job):
    """Found in a trial: every worker showed hundreds of pieces of time before the due date, no one was
    offered any, and the page did not say that each already held her two days' work."""
    from dispatch import services as flow

    busy = issue_job(quantity=5000, due_on=timezone.localdate() + dt.timedelta(days=20))
    flow.job_accept(actor=cast.head, job=busy)
    flow.assignment_offer(job=busy, worker=cast.alice, pieces=2000)  # 2,000 × 60 s: days of work
    job = issue_job(quantity=300, due_on=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(cast.head)

    page = client.get(f"/dashboard/jobs/{job.pk}/dispatch/")

    rows = {r["worker"].pk: r for r in page.context["rows"]}
    assert rows[cast.alice.pk]["planned"] == 0 and rows[cast.alice.pk]["spare"] > 0
    assert rows[cast.alice.pk]["full_for_now"] and not rows[cast.bob.pk]["full_for_now"]
    html = page.content.decode()
    alice_row = html[html.index(f'data-worker="{cast.alice.pk}"') :]
    assert "手上的活已够两天" in alice_row[: alice_row.index("</tr>")]


def test_the_heading_reads_in_the_heads_language_with_its_own_punctuation(client, cast, issue_job):
    job = issue_job(quantity=30, title="布袋缝边")
    client.force_login(cast.head)
    assert (
        f"<h1>接单并派工:#{job.pk} 布袋缝边</h1>"
        in client.get(f"/dashboard/jobs/{job.pk}/dispatch/").content.decode()
    )
    client.cookies["django_language"] = "en"
    page = client.get(f"/dashboard/jobs/{job.pk}/dispatch/").content.decode()
    assert f"<h1>Accept and assign: #{job.pk} 布袋缝边</h1>" in page
