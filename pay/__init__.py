"""Pay (计件工资): the ledger of what workers earn, and the money rules.

Owns the append-only ledger ``PayLine`` (piece wages, one line per inspection result; corrections;
bonuses and deductions with idempotency keys), ``PayPeriod`` (a workshop's month, closed by
``pay_period_close``), payouts (``PayoutBatch``/``Payout``, once per worker and period), the money rules in
``pay.money`` (yuan as ``Decimal``, wages half-up to the fen, the income and savings goals). The flow books
its lines (``pay_line_book``, ``correction_line_book``) and closes months after its own check
(``dispatch.services.period_close``, daily task ``dispatch.tasks.close_pay_periods``).
Its rows reference the flow's assignments and inspections by foreign
key, but no pay module imports the flow: the flow calls pay (an import-linter contract).
"""
