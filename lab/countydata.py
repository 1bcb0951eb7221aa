"""A county's worth of history for ``make bench-county`` (PostgreSQL only): 50 workshops, 5,000 workers,
100 firms and three years of settled jobs, written in bulk by the database itself.

The people, places and firms (a few thousand rows) are written with ``bulk_create``; the history (a million
assignments with their work reports, inspection results and pay lines, ~3.4 M flow events, ~2 M
notifications) with server-side ``INSERT … SELECT`` over ``generate_series``, with ids given explicitly
(each table's identity sequence is moved past them after), so a million rows take seconds, not a Python
loop. The rows follow the flow's rules and constraints: every share is reported in full, handed over and
inspected once (passed + rejected = submitted = reported), every passed piece paid once (pieces × rate,
half-up to the fen) in the month it was booked, each past month's period closed with its total; every
state change has its flow event in order. Today each worker holds one accepted share of an in-production
job, for the shift-end burst. What is left out: delivery notes and counts, materials, statements and
payouts of the history (the pages measured don't sum them).

Shapes: ``CountySize`` gives the counts; ``build_county`` returns a ``County`` with the ids the benchmark
signs in as. Dates are Asia/Shanghai; amounts Decimal yuan to the fen in the tables.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from dispatch.flowdays import flowdays_rebuild
from dispatch.models import Assignment, Job
from lab.benchdata import _credit_code
from pay.rollups import rollups_rebuild
from workshop.models import (
    CommunityAdmin,
    CountyOfficial,
    Employment,
    FirmStaff,
    Pairing,
    PartnerFirm,
    ProcessKind,
    ProductionLine,
    Worker,
    WorkPlace,
    Workshop,
)

COUNTY = "海盐县"
COMMUNITY = "县域联合社区"  # one community, so one community admin sees the whole county
SUBDISTRICTS = ["武原街道", "西塘桥街道", "秦山街道", "沈荡镇", "于城镇", "百步镇", "通元镇", "澉浦镇"]
KINDS = [ProcessKind.ASSEMBLY, ProcessKind.FABRIC, ProcessKind.PACKAGING]
PASSWORD = "county-bench"


@dataclass(frozen=True)
class CountySize:
    """The county's counts. ``assignments`` is rounded down to whole jobs of ``shares_per_job``."""

    workshops: int = 50
    workers_per_workshop: int = 100
    firms: int = 100
    days: int = 3 * 365
    assignments: int = 1_000_000
    shares_per_job: int = 20
    open_jobs_per_workshop: int = 5  # today's, in production: one accepted share for each worker

    def scaled(self, factor: float) -> CountySize:
        """A smaller county for a quick try: history and workers scaled, at least one of each."""
        return CountySize(
            workshops=max(2, round(self.workshops * min(1.0, factor * 10))),
            workers_per_workshop=max(
                self.shares_per_job, round(self.workers_per_workshop * min(1.0, factor * 10))
            ),
            firms=max(2, round(self.firms * min(1.0, factor * 10))),
            days=self.days,
            assignments=max(self.shares_per_job * 10, round(self.assignments * factor)),
            shares_per_job=self.shares_per_job,
            open_jobs_per_workshop=self.open_jobs_per_workshop,
        )


@dataclass
class County:
    """What was built: user ids to sign in as (by role), row counts, and the seconds each step took."""

    head_ids: list[int]
    clerk_ids: list[int]
    worker_user_ids: list[int]
    admin_id: int
    county_id: int
    open_assignment_ids: dict[int, int]  # worker user id -> her accepted share today
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _people(size: CountySize, tag: str):
    """Users, workshops, firms, lines, pairings, clerks, workers: a few thousand rows by ``bulk_create``."""
    User = get_user_model()
    pw = make_password(PASSWORD)
    W, N = size.workshops, size.workers_per_workshop
    heads = User.objects.bulk_create([User(username=f"{tag}-head-{i}", password=pw) for i in range(W)])
    clerks = User.objects.bulk_create(
        [User(username=f"{tag}-clerk-{i}", password=pw) for i in range(size.firms)]
    )
    admin = User.objects.create(username=f"{tag}-admin", password=pw)
    county = User.objects.create(username=f"{tag}-county", password=pw)
    CommunityAdmin.objects.create(user=admin, community=COMMUNITY, subdistrict="县域", county=COUNTY)
    CountyOfficial.objects.create(user=county, county=COUNTY)
    workshops = Workshop.objects.bulk_create(
        [
            Workshop(
                name=f"{SUBDISTRICTS[i % len(SUBDISTRICTS)][:2]}{i + 1}号暖心坊",
                community=COMMUNITY,
                subdistrict="县域",
                county=COUNTY,
                address=f"{SUBDISTRICTS[i % len(SUBDISTRICTS)]}{i + 1}号",
                head=heads[i],
            )
            for i in range(W)
        ]
    )
    firms = PartnerFirm.objects.bulk_create(
        [
            PartnerFirm(name=f"县域{i + 1}号企业有限公司", credit_code=_credit_code())
            for i in range(size.firms)
        ]
    )
    FirmStaff.objects.bulk_create([FirmStaff(user=c, firm=f) for c, f in zip(clerks, firms, strict=True)])
    lines = ProductionLine.objects.bulk_create(
        [
            ProductionLine(
                firm=f,
                name=f"{k + 1}号线",
                process_kind=KINDS[(i + k) % 3],
                inhouse_cost_per_piece=Decimal("0.30") + Decimal(k) / 10,
            )
            for i, f in enumerate(firms)
            for k in range(2)
        ]
    )
    start = timezone.localdate() - dt.timedelta(days=size.days + 10)
    # Each firm works with two workshops; each workshop with 2 × firms / workshops firms (4 at the default).
    pairs = {(i % W, i) for i in range(size.firms)} | {((i + 17) % W, i) for i in range(size.firms)}
    pairings = Pairing.objects.bulk_create(
        [Pairing(firm=firms[f], workshop=workshops[w], signed_on=start) for w, f in sorted(pairs)]
    )
    Through = Pairing.lines.through
    Through.objects.bulk_create(
        [
            Through(pairing=p, productionline=line)
            for p in pairings
            for line in lines
            if line.firm_id == p.firm_id
        ]
    )
    users = User.objects.bulk_create(
        [User(username=f"{tag}-w-{i}", password=pw) for i in range(W * N)], batch_size=2000
    )
    Worker.objects.bulk_create(
        [
            Worker(
                user=u,
                workshop=workshops[i // N],
                name=f"坊工{i + 1}",
                phone=f"+86{19_100_000_000 + i}",
                id_number="",
                employment=Employment.FIXED if i % 3 else Employment.PART_TIME,
                low_income=i % 9 == 0,
                skills=list(KINDS),
                hours_per_week=[20, 24, 30, 36, 40][i % 5],
                work_place=WorkPlace.HOME if i % 4 == 0 else WorkPlace.WORKSHOP,
                joined_on=start,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    return heads, clerks, admin, county, workshops, start


def _sql(sql: str, params: dict | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _next_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608 (our table)
        return cur.fetchone()[0]


def _move_sequences(tables: list[str]) -> None:
    for t in tables:
        _sql(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"  # noqa: S608
        )


HISTORY_TABLES = [
    "dispatch_job",
    "dispatch_assignment",
    "dispatch_workreport",
    "dispatch_inspection",
    "dispatch_inspectionresult",
    "dispatch_payperiod",
    "dispatch_payline",
    "dispatch_flowevent",
    "dispatch_notification",
]


def _foreign_keys_off(tables: list[str]) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of ``tables`` for the bulk load, as pg_restore does, and return them (table,
    name, definition) to be added back: Django makes them DEFERRABLE INITIALLY DEFERRED, so otherwise
    every one of ~25 M row checks runs one by one at COMMIT; added back, each is checked by one join."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks still pending (a test's own rows) run now
        cur.execute(
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)""",
            [tables],
        )
        keys = cur.fetchall()
        for table, name, _definition in keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


def _foreign_keys_on(keys: list[tuple[str, str, str]]) -> None:
    """Add back what ``_foreign_keys_off`` dropped; PostgreSQL checks every existing row as it does."""
    with connection.cursor() as cur:
        for table, name, definition in keys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _maps(workshop_ids: list[int]) -> None:
    """Temporary lookup tables: workshop index → its lines (with the firm's clerk) and its workers."""
    _sql("DROP TABLE IF EXISTS cw_ws, cw_line, cw_worker, cw_nk, cw_job, cw_today")
    _sql("CREATE TEMP TABLE cw_ws (ix int PRIMARY KEY, id bigint)")
    with connection.cursor() as cur:
        cur.executemany("INSERT INTO cw_ws VALUES (%s, %s)", list(enumerate(workshop_ids)))
    _sql(
        """CREATE TEMP TABLE cw_line AS
        SELECT ws.ix AS ws_ix, (ROW_NUMBER() OVER (PARTITION BY ws.ix ORDER BY l.id) - 1)::int AS k,
               ws.id AS workshop_id, l.id AS line_id, l.process_kind AS kind, fs.user_id AS clerk_id,
               (0.12 + (l.id % 7) * 0.02)::numeric(10, 4) AS rate, l.name AS line_name
        FROM cw_ws ws
        JOIN workshop_pairing p ON p.workshop_id = ws.id
        JOIN workshop_pairing_lines pl ON pl.pairing_id = p.id
        JOIN workshop_productionline l ON l.id = pl.productionline_id
        JOIN workshop_firmstaff fs ON fs.firm_id = l.firm_id"""
    )
    _sql("CREATE INDEX ON cw_line (ws_ix, k)")
    _sql(
        """CREATE TEMP TABLE cw_worker AS
        SELECT ws.ix AS ws_ix, (ROW_NUMBER() OVER (PARTITION BY ws.ix ORDER BY w.id) - 1)::int AS n,
               w.id AS worker_id, w.user_id, w.work_place
        FROM cw_ws ws JOIN workshop_worker w ON w.workshop_id = ws.id"""
    )
    _sql("CREATE INDEX ON cw_worker (ws_ix, n)")
    _sql("ANALYZE cw_ws; ANALYZE cw_line; ANALYZE cw_worker")


# One row per share of the history: the job's row, the share number s, the worker, the passed/rejected split.
_SHARES = """
    FROM cw_job j CROSS JOIN generate_series(0, %(S)s - 1) s
    JOIN cw_worker w ON w.ws_ix = j.ws_ix AND w.n = (j.g * 7 + s) %% %(N)s
    CROSS JOIN LATERAL (SELECT %(abase)s + (j.g - 1) * %(S)s + s + 1 AS aid,
                               CASE WHEN (j.g + s) %% 13 = 0 THEN 1 + j.g %% 3 ELSE 0 END AS r) x
"""


def _local(day_expr: str, hhmm: str) -> str:
    """SQL for an Asia/Shanghai wall-clock time on a day, as a timestamptz."""
    return f"(({day_expr}) + time '{hhmm}') AT TIME ZONE 'Asia/Shanghai'"


def _history(size: CountySize, start: dt.date, job_ct: int, share_ct: int) -> dict[str, int]:
    """The settled history: jobs, shares, reports, inspections, results, periods, pay lines, events,
    messages, all by ``INSERT … SELECT`` with explicit ids. Returns rows written per table."""
    S, N, W = size.shares_per_job, size.workers_per_workshop, size.workshops
    jobs = size.assignments // S
    p = {
        "S": S,
        "N": N,
        "W": W,
        "jobs": jobs,
        "days": size.days,
        "start": start,
        "jbase": _next_id(Job),
        "abase": _next_id(Assignment),
    }
    rows: dict[str, int] = {}
    _sql("CREATE TEMP TABLE cw_nk AS SELECT ws_ix, COUNT(*)::int AS n FROM cw_line GROUP BY ws_ix")
    _sql(
        """CREATE TEMP TABLE cw_job AS
        SELECT g, %(jbase)s + g AS id, l.ws_ix, l.workshop_id, l.line_id, l.kind, l.rate, l.clerk_id,
               l.line_name || '外发 #' || g AS title,
               (%(start)s::date + ((g - 1)::bigint * %(days)s / %(jobs)s)::int) AS day, 30 + g %% 41 AS p
        FROM generate_series(1, %(jobs)s) g
        JOIN cw_nk nk ON nk.ws_ix = g %% %(W)s
        JOIN cw_line l ON l.ws_ix = nk.ws_ix AND l.k = (g / %(W)s) %% nk.n""",
        p,
    )
    _sql("ANALYZE cw_job")
    rows["jobs"] = _sql(
        f"""INSERT INTO dispatch_job (id, workshop_id, line_id, title, process_kind, quantity, piece_rate,
            operator_fee_per_piece, due_on, instructions, photo, state, pieces_assigned, pieces_short,
            bundle_size, auto_accept_rule, issued_by_id, issued_at, updated_at)
        SELECT id, workshop_id, line_id, title, kind, %(S)s * p, rate, 0, day + 5, '', '', 'settled',
               %(S)s * p, 0, 50, NULL, clerk_id, {_local("day", "08:00")}, {_local("day + 3", "15:00")}
        FROM cw_job""",
        p,
    )
    rows["assignments"] = _sql(
        f"""INSERT INTO dispatch_assignment (id, job_id, worker_id, kind, rework_of_id, pieces,
            pieces_reported, pieces_passed, pieces_rejected, pieces_handed_over, due_on, delivery, state,
            reasons, offered_at, expires_at, responded_at, done_at)
        SELECT x.aid, j.id, w.worker_id, 'first', NULL, j.p, j.p, j.p - x.r, x.r, j.p, j.day + 5,
               CASE WHEN w.work_place = 'home' THEN 'home' ELSE 'pickup' END, 'done', '',
               {_local("j.day", "09:00")}, NULL, {_local("j.day", "09:30")}, {_local("j.day + 2", "16:00")}
        {_SHARES}""",
        p,
    )
    p["rbase"] = _next_id(_model("dispatch.WorkReport"))
    rows["reports"] = _sql(
        f"""INSERT INTO dispatch_workreport (id, assignment_id, pieces, reverses_id, reason, at, key,
            reported_by_id)
        SELECT %(rbase)s + x.aid - %(abase)s, x.aid, j.p, NULL, '', {_local("j.day + 2", "16:00")},
               'cw-' || x.aid, w.user_id
        {_SHARES}""",
        p,
    )
    p["ibase"] = _next_id(_model("dispatch.Inspection"))
    rows["inspections"] = _sql(
        f"""INSERT INTO dispatch_inspection (id, job_id, inspector_id, notes, at, booked_at, corrects_id,
            pieces_short)
        SELECT %(ibase)s + g, id, clerk_id, '', t, t, NULL, 0
        FROM (SELECT g, id, clerk_id, {_local("day + 3", "15:00")} AS t FROM cw_job) j""",
        p,
    )
    p["resbase"] = _next_id(_model("dispatch.InspectionResult"))
    rows["results"] = _sql(
        """INSERT INTO dispatch_inspectionresult (id, inspection_id, assignment_id, pieces_submitted,
            pieces_passed, pieces_rejected, pieces_rework, reason, reverses_id)
        SELECT %(resbase)s + x.aid - %(abase)s, %(ibase)s + j.g, x.aid, j.p, j.p - x.r, x.r, 0, '', NULL
        """
        + _SHARES,
        p,
    )
    # Each workshop's past months are closed (the current month stays open), then the lines are booked
    # into them and each period's total fixed from its lines.
    p["month_now"] = timezone.localdate().replace(day=1)
    rows["periods"] = _sql(
        f"""INSERT INTO dispatch_payperiod (workshop_id, month, closed_at, total_yuan, closed_by_id)
        SELECT ws.id, m::date, {_local("(m + interval '1 month')::date + 2", "10:00")}, 0, NULL
        FROM cw_ws ws CROSS JOIN generate_series(
            date_trunc('month', %(start)s::date), %(month_now)s::date - interval '1 month', interval '1 month'
        ) m""",
        p,
    )
    p["plbase"] = _next_id(_model("pay.PayLine"))
    rows["pay_lines"] = _sql(
        f"""INSERT INTO dispatch_payline (id, worker_id, kind, assignment_id, inspection_id, result_id,
            pieces_passed, rate, amount, booked_on, month, reason, actor_id, key, corrects_id,
            corrects_period_id, created_at, period_id)
        SELECT %(plbase)s + x.aid - %(abase)s, w.worker_id, 'piece', x.aid, %(ibase)s + j.g,
               %(resbase)s + x.aid - %(abase)s, j.p - x.r, j.rate, ROUND((j.p - x.r) * j.rate, 2),
               j.day + 3, date_trunc('month', j.day + 3)::date, '', NULL, NULL, NULL, NULL,
               {_local("j.day + 3", "15:00")}, pp.id
        {_SHARES}
        LEFT JOIN dispatch_payperiod pp ON pp.workshop_id = j.workshop_id
             AND pp.month = date_trunc('month', j.day + 3)::date AND pp.closed_at IS NOT NULL""",
        p,
    )
    _sql(
        """UPDATE dispatch_payperiod pp SET total_yuan = t.total
        FROM (SELECT period_id, SUM(amount) AS total FROM dispatch_payline
              WHERE id > %(plbase)s AND period_id IS NOT NULL GROUP BY period_id) t
        WHERE pp.id = t.period_id""",
        p,
    )
    p["job_ct"], p["share_ct"] = job_ct, share_ct
    job_steps = [
        ("", "issued", "day", "08:00"),
        ("issued", "accepted", "day", "08:30"),
        ("accepted", "in_progress", "day", "09:00"),
        ("in_progress", "completed", "day + 2", "17:00"),
        ("completed", "handed_over", "day + 3", "09:00"),
        ("handed_over", "inspecting", "day + 3", "10:00"),
        ("inspecting", "inspected", "day + 3", "15:00"),
        ("inspected", "settled", "day + 3", "15:00"),
    ]
    rows["flow_events"] = 0
    for i, (a, b, day, hhmm) in enumerate(job_steps):
        actor = "NULL" if i in (1, 2, 3, 4) else "clerk_id"
        rows["flow_events"] += _sql(
            f"""INSERT INTO dispatch_flowevent (content_type_id, object_id, job_id, from_state, to_state,
                actor_id, at, note)
            SELECT %(job_ct)s, id, id, '{a}', '{b}', {actor}, {_local(day, hhmm)}, '' FROM cw_job""",
            p,
        )
    share_steps = [
        ("", "offered", "j.day", "09:00"),
        ("offered", "accepted", "j.day", "09:30"),
        ("accepted", "done", "j.day + 2", "16:00"),
    ]
    for a, b, day, hhmm in share_steps:
        actor = "w.user_id" if b != "offered" else "NULL"
        rows["flow_events"] += _sql(
            f"""INSERT INTO dispatch_flowevent (content_type_id, object_id, job_id, from_state, to_state,
                actor_id, at, note)
            SELECT %(share_ct)s, x.aid, j.id, '{a}', '{b}', {actor}, {_local(day, hhmm)}, '' {_SHARES}""",
            p,
        )
    rows["notifications"] = _sql(
        f"""INSERT INTO dispatch_notification (recipient_id, kind, params, text, link, dedupe_key, created_at,
            sent_at, sent_via, attempts, read_at)
        SELECT w.user_id, 'offer', jsonb_build_object('t', j.title, 'n', j.p, 'r', j.rate::text), '', '/m/',
               'cw-o:' || x.aid, {_local("j.day", "09:00")}, {_local("j.day", "09:00")}, '[]'::jsonb, 1,
               {_local("j.day", "09:30")}
        {_SHARES}""",
        p,
    )
    rows["notifications"] += _sql(
        f"""INSERT INTO dispatch_notification (recipient_id, kind, params, text, link, dedupe_key, created_at,
            sent_at, sent_via, attempts, read_at)
        SELECT w.user_id, 'pay_booked',
               jsonb_build_object('t', j.title, 'n', j.p - x.r, 'y', ROUND((j.p - x.r) * j.rate, 2)::text),
               '', '/m/', 'cw-p:' || x.aid, {_local("j.day + 3", "15:00")}, {_local("j.day + 3", "15:00")},
               '[]'::jsonb, 1, CASE WHEN j.day > %(start)s::date + %(days)s - 20 THEN NULL
                                    ELSE {_local("j.day + 4", "08:00")} END
        {_SHARES}""",
        p,
    )
    return rows


def _today(size: CountySize, job_ct: int, share_ct: int) -> dict[int, int]:
    """Today's work: ``open_jobs_per_workshop`` jobs in production in each workshop, each worker holding
    one accepted share of 40 pieces, none reported yet. Returns worker user id → her share's id."""
    S, N, W = size.shares_per_job, size.workers_per_workshop, size.workshops
    per_ws = max(1, min(size.open_jobs_per_workshop, N // S))
    today = timezone.localdate()
    p = {
        "S": S,
        "N": N,
        "W": W,
        "jobs": per_ws * W,
        "jbase": _next_id(Job),
        "abase": _next_id(Assignment),
        "day": today,
        "job_ct": job_ct,
        "share_ct": share_ct,
    }
    _sql(
        """CREATE TEMP TABLE cw_today AS
        SELECT g, %(jbase)s + g AS id, l.ws_ix, l.workshop_id, l.line_id, l.kind, l.rate, l.clerk_id,
               l.line_name || '今日外发 #' || g AS title, %(day)s::date AS day, (g - 1) / %(W)s AS slot
        FROM generate_series(1, %(jobs)s) g
        JOIN cw_nk nk ON nk.ws_ix = (g - 1) %% %(W)s
        JOIN cw_line l ON l.ws_ix = nk.ws_ix AND l.k = ((g - 1) / %(W)s) %% nk.n""",
        p,
    )
    _sql(
        f"""INSERT INTO dispatch_job (id, workshop_id, line_id, title, process_kind, quantity, piece_rate,
            operator_fee_per_piece, due_on, instructions, photo, state, pieces_assigned, pieces_short,
            bundle_size, auto_accept_rule, issued_by_id, issued_at, updated_at)
        SELECT id, workshop_id, line_id, title, kind, %(S)s * 40, rate, 0, day + 5, '', '', 'in_progress',
               %(S)s * 40, 0, 50, NULL, clerk_id, {_local("day", "07:00")}, {_local("day", "07:30")}
        FROM cw_today""",
        p,
    )
    shares = """FROM cw_today j CROSS JOIN generate_series(0, %(S)s - 1) s
        JOIN cw_worker w ON w.ws_ix = j.ws_ix AND w.n = j.slot * %(S)s + s"""
    _sql(
        f"""INSERT INTO dispatch_assignment (id, job_id, worker_id, kind, rework_of_id, pieces,
            pieces_reported, pieces_passed, pieces_rejected, pieces_handed_over, due_on, delivery, state,
            reasons, offered_at, expires_at, responded_at, done_at)
        SELECT %(abase)s + (j.g - 1) * %(S)s + s + 1, j.id, w.worker_id, 'first', NULL, 40, 0, 0, 0, 0,
               j.day + 5, CASE WHEN w.work_place = 'home' THEN 'home' ELSE 'pickup' END, 'accepted', '',
               {_local("j.day", "07:10")}, NULL, {_local("j.day", "07:20")}, NULL
        {shares}""",
        p,
    )
    for i, (a, b) in enumerate([("", "issued"), ("issued", "accepted"), ("accepted", "in_progress")]):
        _sql(
            f"""INSERT INTO dispatch_flowevent (content_type_id, object_id, job_id, from_state, to_state,
                actor_id, at, note)
            SELECT %(job_ct)s, id, id, '{a}', '{b}', {"clerk_id" if i == 0 else "NULL"},
                   {_local("day", "07:00")} + interval '{i} minute', '' FROM cw_today""",
            p,
        )
    for a, b in [("", "offered"), ("offered", "accepted")]:
        _sql(
            f"""INSERT INTO dispatch_flowevent (content_type_id, object_id, job_id, from_state, to_state,
                actor_id, at, note)
            SELECT %(share_ct)s, %(abase)s + (j.g - 1) * %(S)s + s + 1, j.id, '{a}', '{b}',
                   {"w.user_id" if b == "accepted" else "NULL"}, {_local("j.day", "07:10")}, '' {shares}""",
            p,
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT w.user_id, a.id FROM dispatch_assignment a JOIN workshop_worker w ON w.id = a.worker_id "
            "WHERE a.job_id > %(jbase)s AND a.state = 'accepted'",
            p,
        )
        return dict(cur.fetchall())


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def build_county(size: CountySize | None = None, *, tag: str = "cw", log=print) -> County:
    """Write a county (``size``, default 50 workshops × 100 workers, 100 firms, 1,000,000 settled shares
    over three years) into the default database, which must be PostgreSQL. Returns the ``County``: whom
    to sign in as and how many rows each table got. Raises RuntimeError on another database engine.
    Takes a few minutes at the default size; each step's seconds are in ``County.seconds``."""
    if connection.vendor != "postgresql":
        raise RuntimeError("build_county writes with PostgreSQL's INSERT … SELECT; set DATABASE_URL")
    size = size or CountySize()
    seconds: dict[str, float] = {}
    t0 = time.monotonic()
    with transaction.atomic():
        heads, clerks, admin, county, workshops, start = _people(size, tag)
    seconds["people"] = time.monotonic() - t0
    log(f"  people, firms and workshops in {seconds['people']:.1f} s")
    job_ct = ContentType.objects.get_for_model(Job).pk
    share_ct = ContentType.objects.get_for_model(Assignment).pk
    t0 = time.monotonic()
    with transaction.atomic():
        keys = _foreign_keys_off(HISTORY_TABLES)
        _maps([w.pk for w in workshops])
        rows = _history(size, start, job_ct, share_ct)
        open_shares = _today(size, job_ct, share_ct)
        _move_sequences(HISTORY_TABLES)
        seconds["rows"] = time.monotonic() - t0
        t1 = time.monotonic()
        _foreign_keys_on(keys)
        seconds["foreign_keys"] = time.monotonic() - t1
        t1 = time.monotonic()
        # The planner's statistics of what was just written (in this transaction) before it is summed:
        # tables last analysed empty plan the rebuilds' joins as nested loops (workshop.upsert).
        _sql("ANALYZE " + ", ".join(HISTORY_TABLES))
        _rollups([w.pk for w in workshops])
        seconds["rollups"] = time.monotonic() - t1
    seconds["history"] = time.monotonic() - t0
    log(f"  history ({rows['assignments']:,} shares) in {seconds['history']:.1f} s")
    t0 = time.monotonic()
    # What three years of autovacuum leave a county's database with: statistics, and visibility maps and
    # hint bits on the rows just written. ANALYZE alone left the bulk rows unvacuumed: the planner's
    # probe of an index's newest end (a "this month" range) then checked the heap tuple by tuple, and a
    # worker's Earnings query took 2.4 ms, 1.1 once vacuumed, most of it planning (issue 15).
    # (Inside a transaction, as a test's, VACUUM cannot run: statistics only.)
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    seconds["vacuum_analyze"] = time.monotonic() - t0
    worker_users = list(
        Worker.objects.filter(workshop__in=workshops).order_by("pk").values_list("user_id", flat=True)
    )
    return County(
        head_ids=[u.pk for u in heads],
        clerk_ids=[u.pk for u in clerks],
        worker_user_ids=worker_users,
        admin_id=admin.pk,
        county_id=county.pk,
        open_assignment_ids=open_shares,
        rows=rows,
        seconds=seconds,
    )


def _rollups(workshop_ids: list[int]) -> None:
    """The month rollups the booking services keep (``pay.rollups``) and the flow's day rows
    (``dispatch.flowdays``), rebuilt from the ledger just written."""
    rollups_rebuild(workshop_ids=workshop_ids)
    flowdays_rebuild(workshop_ids=workshop_ids)
