"""The migrations since the previous main (595b36c: dispatch 0003, workshop 0003, matching 0001, dashboard
0001) apply on a database that main made, and every row is still there.

Pay lines, pay periods and notifications moved from the flow app (dispatch) to pay/ and notices/ in
Django's state only: their tables keep their names, so migrating forward must move no row, keep every id,
and carry the content types along (same ids, so permissions and admin log entries keep pointing at them).
The test migrates the test database back to the previous main's migrations, writes rows with that state's
historical models, migrates forward and reads them back with today's models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notices.models import Notification, NotificationKind
from pay.models import PayLine, PayPeriod

# The previous main's leaf migration of each app it had; every other migrated app stays at its leaf.
PREVIOUS_MAIN = {
    "dispatch": "0003_notification_sent_via",
    "workshop": "0003_work_wish",
    "matching": "0001_initial",
    "dashboard": "0001_initial",
}
NEW_APPS = ("pay", "notices")  # the previous main had neither
# Made after the move: unapplied with NEW_APPS, then applied again.
LATER_APPS = ("materials", "tickets", "logistics")
UNAPPLIED = (*NEW_APPS, *LATER_APPS)
MOVED = {"payline": "pay", "payperiod": "pay", "notification": "notices"}  # dispatch's model → its new app


def previous_main_nodes(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return [
        (app, PREVIOUS_MAIN.get(app, name))
        for app, name in executor.loader.graph.leaf_nodes()
        if app not in UNAPPLIED
    ]


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def table_rows(columns: dict[str, list[str]] | None = None) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of every table but django_migrations, as (column names, rows ordered by the first
    column). ``columns``: read only these tables and columns (a later migration may add columns)."""
    qn = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        tables = columns or connection.introspection.table_names(cursor)
        for table in tables:
            if table == "django_migrations":
                continue
            select = ", ".join(qn(c) for c in columns[table]) if columns else "*"
            cursor.execute(f"SELECT {select} FROM {qn(table)} ORDER BY 1")
            out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    return out


def with_content_types_moved(rows: dict[str, tuple[list[str], list[tuple]]]) -> dict:
    """``rows`` as they should read after the move: dispatch's payline, payperiod and notification
    content types now say pay and notices; nothing else changes."""
    columns, content_types = rows["django_content_type"]
    app, model = columns.index("app_label"), columns.index("model")
    moved = []
    for row in content_types:
        if row[app] == "dispatch" and row[model] in MOVED:
            row = tuple(MOVED[row[model]] if i == app else v for i, v in enumerate(row))
        moved.append(row)
    return {**rows, "django_content_type": (columns, moved)}


def write_previous_mains_rows(apps) -> dict:
    """A paid, inspected job and two messages, written with the previous main's historical models the way
    its services wrote them (messages as words in ``text``). Returns the rows' ids and values."""
    now = timezone.now()
    User = apps.get_model("auth", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    Workshop = apps.get_model("workshop", "Workshop")
    PartnerFirm = apps.get_model("workshop", "PartnerFirm")
    ProductionLine = apps.get_model("workshop", "ProductionLine")
    Worker = apps.get_model("workshop", "Worker")
    Job = apps.get_model("dispatch", "Job")
    Assignment = apps.get_model("dispatch", "Assignment")
    Inspection = apps.get_model("dispatch", "Inspection")
    InspectionResult = apps.get_model("dispatch", "InspectionResult")
    PayPeriod = apps.get_model("dispatch", "PayPeriod")
    PayLine = apps.get_model("dispatch", "PayLine")
    Notification = apps.get_model("dispatch", "Notification")

    # The previous main's `migrate` made these (post_migrate); the test database has today's, which the
    # reverse migrations have moved back to dispatch.
    # (Models made in pay and notices later, such as pay's statements, keep their own content types.)
    assert not ContentType.objects.filter(app_label__in=set(MOVED.values()), model__in=MOVED).exists()
    content_types = {
        model: ContentType.objects.get_or_create(app_label="dispatch", model=model)[0].pk for model in MOVED
    }
    view_payline, _ = Permission.objects.get_or_create(
        content_type_id=content_types["payline"],
        codename="view_payline",
        defaults={"name": "Can view 工资明细"},
    )

    head = User.objects.create(username="head", password="!")
    head.user_permissions.add(view_payline)
    clerk = User.objects.create(username="clerk", password="!")
    alice = User.objects.create(username="alice", password="!")
    ws = Workshop.objects.create(
        name="暖心坊", community="东村", subdistrict="城关镇", county="安吉县", head=head
    )
    firm = PartnerFirm.objects.create(name="正泰开关", credit_code="91330100MA27XL1X2Q")
    line = ProductionLine.objects.create(
        firm=firm, name="开关装配线", process_kind="assembly", inhouse_cost_per_piece=Decimal("0.0600")
    )
    worker = Worker.objects.create(
        user=alice, workshop=ws, name="alice", phone="+8613800138000", employment="fixed"
    )
    job = Job.objects.create(
        workshop=ws,
        line=line,
        issued_by=clerk,
        title="开关面板装配",
        process_kind="assembly",
        quantity=300,
        piece_rate=Decimal("0.0350"),
        due_on=dt.date(2026, 11, 28),
        state="settled",
        pieces_assigned=300,
    )
    assignment = Assignment.objects.create(
        job=job,
        worker=worker,
        pieces=300,
        pieces_reported=300,
        pieces_passed=290,
        pieces_rejected=10,
        due_on=dt.date(2026, 11, 28),
        state="done",
        done_at=now,
    )
    inspection = Inspection.objects.create(job=job, inspector=clerk, booked_at=now)
    result = InspectionResult.objects.create(
        inspection=inspection,
        assignment=assignment,
        pieces_submitted=300,
        pieces_passed=290,
        pieces_rejected=10,
        reason="划痕",
    )
    period = PayPeriod.objects.create(
        workshop=ws, month=dt.date(2026, 11, 1), closed_at=now, total_yuan=Decimal("10.15")
    )
    pay_line = PayLine.objects.create(
        worker=worker,
        assignment=assignment,
        inspection=inspection,
        result=result,
        pieces_passed=290,
        rate=Decimal("0.0350"),
        amount=Decimal("10.15"),
        booked_on=dt.date(2026, 11, 29),
        period=period,
    )
    LogEntry.objects.create(
        user=head,
        content_type_id=content_types["payline"],
        object_id=str(pay_line.pk),
        object_repr="alice 10.15",
        action_flag=2,
        change_message="[]",
    )
    paid = Notification.objects.create(
        recipient=alice,
        kind="pay_booked",
        text="开关面板装配 合格 290 件,工资 10.15 元已入账",
        link="/m/pay/",
        dedupe_key=f"pay:{pay_line.pk}",
        sent_at=now,
        sent_via=["notices.senders.sms"],
        attempts=1,
    )
    ready = Notification.objects.create(
        recipient=clerk,
        kind="ready_for_inspection",
        text="待验收:开关面板装配",
        dedupe_key=f"ready:{job.pk}",
        read_at=now,
    )
    return {
        "content_types": content_types,
        "view_payline": view_payline.pk,
        "head": head.pk,
        "alice": alice.pk,
        "worker": worker.pk,
        "assignment": assignment.pk,
        "inspection": inspection.pk,
        "result": result.pk,
        "period": period.pk,
        "pay_line": pay_line.pk,
        "paid": (paid.pk, paid.text),
        "ready": (ready.pk, ready.text),
    }


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_of_the_previous_main_keeps_every_row():
    executor = MigrationExecutor(connection)
    previous_main = previous_main_nodes(executor)
    try:
        executor.migrate([*previous_main, *((app, None) for app in UNAPPLIED)])
        executor.loader.build_graph()
        applied = executor.loader.applied_migrations
        assert not any(app in UNAPPLIED for app, _ in applied)
        assert ("dispatch", "0004_pay_and_notices_have_their_own_apps") not in applied
        assert ("workshop", "0004_preference") not in applied

        old = write_previous_mains_rows(executor.loader.project_state(previous_main).apps)
        before = table_rows()
        assert before["dispatch_payline"][1] and before["dispatch_notification"][1]

        executor.migrate(executor.loader.graph.leaf_nodes())
        executor.loader.build_graph()
        assert set(executor.loader.graph.leaf_nodes()) <= set(executor.loader.applied_migrations)

        after = table_rows(columns={table: columns for table, (columns, _) in before.items()})
        assert {t: len(rows) for t, (_, rows) in after.items()} == {
            t: len(rows) for t, (_, rows) in before.items()
        }
        assert after == with_content_types_moved(before)
    finally:
        migrate_to_latest()

    pay_line = PayLine.objects.get(pk=old["pay_line"])
    assert (pay_line.pieces_passed, pay_line.rate, pay_line.amount) == (
        290,
        Decimal("0.0350"),
        Decimal("10.15"),
    )
    assert pay_line.booked_on == dt.date(2026, 11, 29)
    assert (pay_line.worker_id, pay_line.assignment_id, pay_line.inspection_id, pay_line.result_id) == (
        old["worker"],
        old["assignment"],
        old["inspection"],
        old["result"],
    )
    assert pay_line.period_id == old["period"]
    period = PayPeriod.objects.get(pk=old["period"])
    assert (period.month, period.total_yuan) == (dt.date(2026, 11, 1), Decimal("10.15"))
    assert list(period.lines.all()) == [pay_line]

    for key in ("paid", "ready"):
        pk, text = old[key]
        note = Notification.objects.get(pk=pk)
        assert (note.text, note.params) == (text, {})
        assert note.text_in("en") == note.text_in("zh-hans") == note.text_now == text
    paid = Notification.objects.get(pk=old["paid"][0])
    assert (paid.sent_via, paid.attempts, paid.recipient_id) == (["notices.senders.sms"], 1, old["alice"])

    new = Notification.objects.create(
        recipient_id=old["alice"],
        kind=NotificationKind.PAY_BOOKED,
        params={"t": "开关面板装配", "n": 290, "y": "10.15"},
        dedupe_key="pay:after-the-move",
    )
    assert new.pk > max(old["paid"][0], old["ready"][0])
    new.refresh_from_db()
    assert new.text == ""
    assert new.text_in("zh-hans") == "开关面板装配 合格 290 件,工资 10.15 元已入账"
    assert new.text_in("en") == "开关面板装配: 290 passed, wages of 10.15 yuan booked"

    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(PayLine).pk == old["content_types"]["payline"]
    assert ContentType.objects.get_for_model(PayPeriod).pk == old["content_types"]["payperiod"]
    assert ContentType.objects.get_for_model(Notification).pk == old["content_types"]["notification"]
    assert not ContentType.objects.filter(app_label="dispatch", model__in=MOVED).exists()
    assert Permission.objects.get(pk=old["view_payline"]).content_type.app_label == "pay"
    assert User.objects.get(pk=old["head"]).has_perm("pay.view_payline")
    assert LogEntry.objects.get().get_edited_object() == pay_line


@pytest.mark.django_db(transaction=True)
def test_a_content_type_the_new_code_made_before_migrating_gives_way_to_the_old_one():
    """Deployed code can run on the old database before ``migrate`` (the tables keep their names), and an
    admin page then makes a fresh ``pay | payline`` row: the migration keeps the old row, with its grants."""
    executor = MigrationExecutor(connection)
    previous_main = previous_main_nodes(executor)
    try:
        executor.migrate([*previous_main, *((app, None) for app in UNAPPLIED)])
        executor.loader.build_graph()
        old = write_previous_mains_rows(executor.loader.project_state(previous_main).apps)
        early = ContentType.objects.create(app_label="pay", model="payline")
        Permission.objects.create(content_type=early, codename="view_payline", name="Can view 工资明细")

        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        migrate_to_latest()

    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(PayLine).pk == old["content_types"]["payline"]
    assert not ContentType.objects.filter(pk=early.pk).exists()
    assert User.objects.get(pk=old["head"]).has_perm("pay.view_payline")


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to open inside a transaction
@pytest.mark.parametrize(
    "app, migration",
    [
        ("pay", "0001_initial"),
        ("notices", "0001_initial"),
        ("dispatch", "0004_pay_and_notices_have_their_own_apps"),
    ],
)
@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_moving_pay_and_notices_out_of_dispatch_runs_no_sql(app, migration, backwards):
    out = StringIO()
    call_command("sqlmigrate", app, migration, backwards=backwards, stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")
    ]
    assert statements == []
