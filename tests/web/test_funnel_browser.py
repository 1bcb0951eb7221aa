"""The home page's flow funnel (流程漏斗) in a real browser: each stage's label is whole, inside the chart
and clear of every bar, however narrow its bar, on a laptop, a tablet and a narrow window, in Chinese
and in English. Measured on the chart's SVG: the labels' and the bars' bounding boxes."""

from __future__ import annotations

import pytest

from dispatch.models import Job, JobState
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Jobs now in each state: the funnel counts a job at every stage it has passed, from 40 issued to 1 settled.
NOW_IN = {
    JobState.ISSUED: 22,
    JobState.ACCEPTED: 9,
    JobState.IN_PROGRESS: 3,
    JobState.COMPLETED: 1,
    JobState.HANDED_OVER: 1,
    JobState.INSPECTING: 1,
    JobState.INSPECTED: 2,
    JobState.SETTLED: 1,
}

MEASURE = """el => {
  const box = el.getBoundingClientRect();
  const rect = e => { const r = e.getBoundingClientRect();
                      return {x: r.left, y: r.top, r: r.right, b: r.bottom, text: e.textContent}; };
  const texts = [...el.querySelectorAll("svg text")].filter(t => t.textContent.trim()).map(rect);
  const bar = /^#(fdba74|fb923c|f97316|ea580c|c2410c|9a3412|7c2d12|431407)$/i;
  const paths = [...el.querySelectorAll("svg path")];
  const bars = paths.filter(p => bar.test(p.getAttribute("fill") || "")).map(rect);
  return {box: {x: box.left, y: box.top, r: box.right, b: box.bottom}, texts, bars};
}"""


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["r"] and b["x"] < a["r"] and a["y"] < b["b"] and b["y"] < a["b"]


def funnel_jobs(issue_job) -> None:
    for state, n in NOW_IN.items():
        for _ in range(n):
            job = issue_job(title=f"{state}的活")
            Job.objects.filter(pk=job.pk).update(state=state)


def check_labels(page, *, stages: int) -> list[str]:
    page.wait_for_selector("#chart-funnel svg text")
    page.wait_for_timeout(600)  # the chart's opening animation
    seen = page.locator("#chart-funnel").evaluate(MEASURE)
    labels, bars = seen["texts"], seen["bars"]
    assert len(bars) == stages
    words = " ".join(t["text"] for t in labels)
    for label in labels:
        inside = seen["box"]
        assert inside["x"] <= label["x"] and label["r"] <= inside["r"], (label, inside)
        assert inside["y"] <= label["y"] and label["b"] <= inside["b"], (label, inside)
        for bar in bars:
            assert not overlaps(label, bar), (label, bar)
    return words


@pytest.mark.parametrize("width", [1366, 1100, 820])
def test_every_funnel_label_is_whole_and_clear_of_the_bars_at_any_width(desk, cast, issue_job, width):
    funnel_jobs(issue_job)
    desk.set_viewport_size({"width": width, "height": 900})
    sign_in(desk, "head")
    words = check_labels(desk, stages=len(NOW_IN))
    desk.shots(f"funnel-{width}")
    for stage, count in [("已分发", 40), ("已接单", 18), ("生产中", 9), ("已验收", 3), ("已结算", 1)]:
        assert f"{stage} {count}" in words


def test_the_english_funnel_labels_fit_too(desk, cast, issue_job):
    funnel_jobs(issue_job)
    desk.set_viewport_size({"width": 1100, "height": 900})
    sign_in(desk, "head")
    desk.get_by_role("button", name="English").click()
    desk.wait_for_load_state()
    words = check_labels(desk, stages=len(NOW_IN))
    desk.shots("funnel-en")
    assert "40" in words and "1" in words
