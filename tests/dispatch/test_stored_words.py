"""The planner's reasons are stored as Chinese msgids and shown in the reader's language, the on-time rate
(the one reason with a number in it) too: found by the fresh-user trial, "准时率 100%" stayed Chinese among
English reasons."""

from __future__ import annotations

from django.utils import translation

from dispatch.templatetags.stored_words import words


def test_reasons_with_the_on_time_rate_read_in_english():
    with translation.override("en"):
        said = words("技能匹配 · 准时率 96% · 居家加工")
    assert "准时率" not in said and "96%" in said
    assert said.split(" · ")[0] != "技能匹配"


def test_the_first_come_plans_reason_reads_in_english():
    """Found in a trial: the first-come fallback's reason stayed Chinese on an English job page."""
    from dispatch import optimiser

    plan = optimiser.plan_first_come(
        [optimiser.JobNeed(id=1, workshop_id=1, kind="assembly", pieces=10, due_days=3)],
        [optimiser.WorkerProfile(id=7, workshop_id=1, skills=frozenset({"assembly"}), hours_per_day=8)],
    )
    with translation.override("en"):
        assert [words(" · ".join(s.reasons)) for s in plan.suggestions] == ["first come, first served"]


def test_reasons_stay_as_stored_in_chinese():
    with translation.override("zh-hans"):
        assert words("技能匹配 · 准时率 96%") == "技能匹配 · 准时率 96%"


def test_the_plain_rules_work_in_hand_reads_in_english_with_its_number():
    # The plain rule (no optimiser) stores "手头120件" beside its other reasons.
    with translation.override("en"):
        said = words("技能匹配 · 手头120件")
    assert "手头" not in said and "120" in said and "技能匹配" not in said
    with translation.override("zh-hans"):
        assert words("技能匹配 · 手头120件") == "技能匹配 · 手头120件"


def test_a_correction_note_reads_in_english_with_its_figures_and_name():
    # Found by a fresh-user trial: "更正验收 alice 130→120" stayed Chinese in an English timeline.
    with translation.override("en"):
        said = words("更正验收 alice 130→120 · 复检发现10件毛刺")
        undone = words("撤销报工 40")
    assert said.startswith("Inspection corrected alice 130→120 · ")
    assert undone == "Report undone 40"
    with translation.override("zh-hans"):
        assert words("更正验收 alice 130→120") == "更正验收 alice 130→120"
