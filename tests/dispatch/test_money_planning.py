"""Money (wages half-up to the fen) and the dispatch plan (who gets how many pieces). No database needed."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch import planning
from dispatch.planning import capacity_pieces, plan_split
from pay import money
from workshop.models import ProcessKind, Worker

TODAY = dt.date(2025, 3, 3)

# --- money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pieces", "rate", "amount"),
    [
        (7, "0.0350", "0.25"),  # 0.245: half-up, where banker's rounding would give 0.24
        (127, "0.0350", "4.45"),  # 4.445
        (9, "0.0350", "0.32"),  # 0.315
        (1, "0.0049", "0.00"),
        (1, "0.0050", "0.01"),
        (300, "0.0350", "10.50"),
        (0, "0.0350", "0.00"),
    ],
)
def test_wage_is_pieces_times_rate_rounded_half_up_to_the_fen(pieces, rate, amount):
    wage = money.wage_amount(pieces, Decimal(rate))

    assert wage == Decimal(amount)
    assert wage.as_tuple().exponent == -2


@pytest.mark.parametrize("pieces", [-1, 7.0, 2.5, "7", True, None, Decimal("7")])
def test_wage_refuses_a_negative_or_non_integer_piece_count(pieces):
    with pytest.raises(ValueError):
        money.wage_amount(pieces, Decimal("0.0350"))


@given(
    pieces=st.integers(min_value=0, max_value=10**6),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99.9999"), places=4),
)
def test_wage_is_within_half_a_fen_of_the_exact_product_and_never_rounds_half_down(pieces, rate):
    exact = Decimal(pieces) * rate
    wage = money.wage_amount(pieces, rate)

    assert wage == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(wage - exact) <= Decimal("0.005")
    if (exact * 1000) % 10 == 5 and (exact * 10000) % 10 == 0:
        assert wage > exact  # an exact half fen always goes up


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("0.124", "0.12"), ("-0.125", "-0.13"), (3, "3.00"), (Decimal("1.005"), "1.01")],
)
def test_to_yuan_rounds_half_up_to_the_fen(value, expected):
    assert money.to_yuan(value) == Decimal(expected)


def test_firm_saving_is_inhouse_cost_less_rate_per_piece_and_may_be_negative():
    assert money.firm_saving(300, Decimal("0.3000"), Decimal("0.0350")) == Decimal("79.50")
    assert money.firm_saving(100, Decimal("0.0300"), Decimal("0.0350")) == Decimal("-0.50")


def test_annualise_scales_to_365_days_and_refuses_an_empty_span():
    assert money.annualise(Decimal("100"), 73) == Decimal("500.00")
    with pytest.raises(ValueError):
        money.annualise(Decimal("100"), 0)


# --- capacity ----------------------------------------------------------------------------------------


def _worker(pk: int, *, hours: int = 40, skills=(ProcessKind.ASSEMBLY,), active: bool = True) -> Worker:
    return Worker(id=pk, name=f"w{pk}", hours_per_week=hours, skills=list(skills), active=active)


def test_capacity_counts_every_day_up_to_and_including_the_due_date():
    worker = _worker(1, hours=42)

    # 42 h/week over 7 days (today … today+6) at 60 assembly pieces an hour.
    assert (
        capacity_pieces(worker, ProcessKind.ASSEMBLY, today=TODAY, due_on=TODAY + dt.timedelta(days=6))
        == 2520
    )
    assert (
        capacity_pieces(worker, ProcessKind.FABRIC, today=TODAY, due_on=TODAY + dt.timedelta(days=6)) == 1260
    )


def test_capacity_of_a_job_already_due_is_one_days_work():
    worker = _worker(1, hours=42)

    assert (
        capacity_pieces(worker, ProcessKind.PACKAGING, today=TODAY, due_on=TODAY - dt.timedelta(days=3))
        == 480
    )


# --- plan_split examples -----------------------------------------------------------------------------


def _plan(pieces, workers, open_pieces=None, *, days=7, kind=ProcessKind.ASSEMBLY):
    return plan_split(
        kind=kind,
        pieces=pieces,
        due_on=TODAY + dt.timedelta(days=days),
        today=TODAY,
        candidates=workers,
        open_pieces=open_pieces or {},
    )


def test_plan_splits_evenly_among_suitable_workers():
    # 6 h/week: a day's work is 60 pieces, less than an even third, so the split is even.
    shares = _plan(300, [_worker(1, hours=6), _worker(2, hours=6), _worker(3, hours=6)])

    assert sorted((s.worker_id, s.pieces) for s in shares) == [(1, 100), (2, 100), (3, 100)]
    assert all(s.reasons for s in shares)


def test_plan_skips_workers_without_the_skill_or_not_active():
    workers = [
        _worker(1),
        _worker(2, skills=[ProcessKind.FABRIC]),
        _worker(3, active=False),
        _worker(4, skills=[]),
    ]

    shares = _plan(300, workers)

    assert [(s.worker_id, s.pieces) for s in shares] == [(1, 300)]


def test_plan_gives_fewest_open_pieces_first():
    shares = _plan(
        60, [_worker(1, hours=6), _worker(2, hours=6), _worker(3, hours=6)], {1: 500, 2: 0, 3: 100}
    )

    # Worker 1 is full; worker 2 holds nothing and takes a whole day's work (60) before worker 3.
    assert [(s.worker_id, s.pieces) for s in shares] == [(2, 60)]


def test_plan_gives_each_share_at_least_a_days_work():
    # 40 h/week: a day's work is 400 assembly pieces, so 500 pieces go to two workers, not three.
    shares = _plan(500, [_worker(1), _worker(2), _worker(3)])

    assert [(s.worker_id, s.pieces) for s in shares] == [(1, 400), (2, 100)]


def test_plan_never_gives_a_worker_more_than_their_spare_capacity():
    # 1 h/week over 7 days: 60 assembly pieces each, less what they already hold.
    workers = [_worker(1, hours=1), _worker(2, hours=1)]

    shares = _plan(1000, workers, {1: 20}, days=6)

    assert {s.worker_id: s.pieces for s in shares} == {1: 40, 2: 60}


def test_plan_leaves_out_workers_with_no_spare_capacity():
    shares = _plan(100, [_worker(1, hours=1), _worker(2)], {1: 60}, days=6)

    assert [(s.worker_id, s.pieces) for s in shares] == [(2, 100)]


def test_plan_gives_the_rest_to_workers_with_room_when_one_is_nearly_full():
    # Worker 3 can take only 10 more; the other two have room for the rest, so nothing is left over.
    workers = [_worker(1, hours=6), _worker(2, hours=6), _worker(3, hours=1)]

    shares = _plan(300, workers, {3: 50}, days=6)

    assert sum(s.pieces for s in shares) == 300
    assert {s.worker_id: s.pieces for s in shares}[3] == 10


@pytest.mark.parametrize("pieces", [0, -5])
def test_plan_of_no_pieces_is_empty(pieces):
    assert _plan(pieces, [_worker(1)]) == []


def test_plan_with_no_candidates_is_empty():
    assert _plan(100, []) == []


# --- plan_split properties ---------------------------------------------------------------------------

KINDS = [k.value for k in ProcessKind]

worker_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=84),  # hours a week
        st.booleans(),  # active
        st.sets(st.sampled_from(KINDS)),  # skills
        st.integers(min_value=0, max_value=5000),  # pieces already held
    ),
    max_size=8,
)


@given(
    specs=worker_specs,
    pieces=st.integers(min_value=1, max_value=20000),
    days=st.integers(min_value=-3, max_value=30),
    kind=st.sampled_from(KINDS),
)
def test_plan_split_properties(specs, pieces, days, kind):
    workers = [
        _worker(pk, hours=hours, skills=sorted(skills), active=active)
        for pk, (hours, active, skills, _held) in enumerate(specs, start=1)
    ]
    held = {pk: spec[3] for pk, spec in enumerate(specs, start=1)}
    due_on = TODAY + dt.timedelta(days=days)

    shares = plan_split(
        kind=kind, pieces=pieces, due_on=due_on, today=TODAY, candidates=workers, open_pieces=held
    )

    by_id = {w.pk: w for w in workers}
    spare = {
        w.pk: max(capacity_pieces(w, kind, today=TODAY, due_on=due_on) - held[w.pk], 0)
        for w in workers
        if w.active and kind in w.skills
    }
    total = sum(s.pieces for s in shares)
    assert total <= pieces
    assert len({s.worker_id for s in shares}) == len(shares)
    for s in shares:
        assert by_id[s.worker_id].active and kind in by_id[s.worker_id].skills
        assert 0 < s.pieces <= spare[s.worker_id]
    assert total == min(pieces, sum(spare.values()))


def test_planning_module_keeps_a_prior_speed_for_every_process_kind():
    assert set(planning.PRIOR_PIECES_PER_HOUR) == set(KINDS)
