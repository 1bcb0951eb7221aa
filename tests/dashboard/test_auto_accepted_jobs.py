"""Jobs the pairing's auto-accept rule took without the head (结对的自动接单规则): the job keeps the rule's
terms as they were, and the head's board, job list, job page and home page say so, with the rule."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from dispatch import services, tasks
from dispatch.models import FlowEvent, Job, JobState
from tests.conftest import tomorrow
from tests.dashboard.helpers import accepted_job
from workshop.demo import seed_demo

pytestmark = pytest.mark.django_db

RULE_WORDS = "≤ 500 件且工期 ≥ 2 天"


@pytest.fixture
def rule(cast):
    cast.pairing.auto_accept = True
    cast.pairing.auto_accept_max_pieces = 500
    cast.pairing.auto_accept_min_lead_days = 2
    cast.pairing.save()
    return cast.pairing


def auto_job(issue_job, **kw) -> Job:
    job = issue_job(quantity=kw.pop("quantity", 300), due_on=tomorrow(7), **kw)
    assert tasks.on_job_issued.run(job.pk) == "auto-accepted"
    job.refresh_from_db()
    return job


def test_a_job_the_rule_takes_keeps_the_rules_terms_as_they_were(cast, issue_job, rule):
    job = auto_job(issue_job)
    rule.auto_accept_max_pieces = 100  # changed afterwards: the job keeps what took it
    rule.save()
    job.refresh_from_db()
    assert job.state == JobState.ACCEPTED
    assert job.auto_accept_rule == {"max_pieces": 500, "min_lead_days": 2}
    assert accepted_job(cast, issue_job).auto_accept_rule is None  # the head's own


def test_only_the_system_accepts_by_a_rule(cast, issue_job, rule):
    job = issue_job()
    with pytest.raises(PermissionDenied):
        services.job_accept(actor=cast.head, job=job, by_rule=rule)
    job.refresh_from_db()
    assert job.state == JobState.ISSUED and job.auto_accept_rule is None


def test_the_heads_board_and_job_page_show_an_auto_accepted_job_with_its_rule(client, cast, issue_job, rule):
    taken = auto_job(issue_job, title="规则接的单")
    mine = accepted_job(cast, issue_job, title="坊长接的单")
    client.force_login(cast.head)

    board = client.get("/dashboard/board/").content.decode()
    card = board[board.index(f'data-job="{taken.pk}"') :]
    card = card[: card.index("</article>")]
    assert "自动接单" in card and RULE_WORDS in card
    other = board[board.index(f'data-job="{mine.pk}"') :]
    assert "data-auto-accepted" not in other[: other.index("</article>")]

    page = client.get(f"/dashboard/jobs/{taken.pk}/").content.decode()
    assert "data-auto-accepted" in page and RULE_WORDS in page
    assert f'href="/dashboard/firms/{cast.firm.pk}/"' in page
    assert "data-auto-accepted" not in client.get(f"/dashboard/jobs/{mine.pk}/").content.decode()
    said = page.split("data-auto-accepted>")[1].split("</dd>")[0]
    assert RULE_WORDS + "。" in said

    client.cookies["django_language"] = "en"
    page = client.get(f"/dashboard/jobs/{taken.pk}/").content.decode()
    said = page.split("data-auto-accepted>")[1].split("</dd>")[0]
    assert "。" not in said and "≥ 2 days to deliver." in said


def test_the_head_hears_of_auto_accepted_jobs_on_her_home_page_and_finds_them_in_the_list(
    client, cast, issue_job, rule
):
    taken = auto_job(issue_job, title="规则接的单")
    accepted_job(cast, issue_job, title="坊长接的单")
    client.force_login(cast.head)

    home = client.get("/dashboard/")
    assert home.context["todo"]["auto_accepted"] == 1
    assert "自动接单在做 1" in home.content.decode()

    chip = re.search(r'href="(/dashboard/jobs/\?[^"]+)" data-todo="auto_accepted"', home.content.decode())
    listed = client.get(chip.group(1).replace("&amp;", "&")).context["page"]
    assert [j.pk for j in listed] == [taken.pk]


def test_jobs_the_rule_took_before_keep_its_terms_after_the_migration(cast, issue_job, rule):
    taken = auto_job(issue_job)
    Job.objects.filter(pk=taken.pk).update(auto_accept_rule=None)  # as a job taken before the field
    mine = accepted_job(cast, issue_job)
    assert FlowEvent.objects.filter(job=taken, to_state=JobState.ACCEPTED, actor=None).exists()

    migration = importlib.import_module("dispatch.migrations.0011_job_auto_accept_rule")
    migration.keep_the_rule_of_jobs_already_auto_accepted(apps, None)

    assert Job.objects.get(pk=taken.pk).auto_accept_rule == {"max_pieces": 500, "min_lead_days": 2}
    assert Job.objects.get(pk=mine.pk).auto_accept_rule is None


def test_the_readmes_walk_through_holds_on_the_demo(db):
    """README, "A first walk through the demo": firm1's job of 1,200 pieces due in a week is taken by the
    rule (≤ 3000 件且工期 ≥ 2 天); firm2's pairing has no rule and its job waits for the head."""
    workshop = seed_demo().workshop
    users = get_user_model().objects
    outcomes = {}
    for username in ("firm1", "firm2"):
        clerk = users.get(username=username)
        line = clerk.firm_staff.firm.lines.order_by("pk").first()
        job = services.job_issue(
            actor=clerk,
            workshop=workshop,
            line=line,
            title="演示",
            quantity=1200,
            piece_rate=line.inhouse_cost_per_piece / 2,
            due_on=tomorrow(7),
        )
        outcomes[username] = (tasks.on_job_issued.run(job.pk), Job.objects.get(pk=job.pk).auto_accept_rule)
    assert outcomes == {
        "firm1": ("auto-accepted", {"max_pieces": 3000, "min_lead_days": 2}),
        "firm2": ("notified", None),
    }
