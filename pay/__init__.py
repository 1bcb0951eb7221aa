"""Pay (计件工资): the ledger of what workers earn, and the money rules.

Owns ``PayLine`` (pay for the passed pieces of one inspection result, one line per result) and
``PayPeriod`` (a workshop's month, closed by ``pay_period_close``), the money rules in ``pay.money``
(yuan as ``Decimal``, wages half-up to the fen, the income and savings goals), booking a pay line
(``pay_line_book``, called by the flow when an inspection is booked) and the monthly close
(``pay.tasks.close_pay_periods``). Its rows reference the flow's assignments and inspections by foreign
key, but no pay module imports the flow: the flow calls pay (an import-linter contract).
"""
