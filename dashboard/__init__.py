"""The dashboard (管理后台) at /dashboard/ for community admins, workshop heads and firm staff.

Pages (all need a login and a dashboard role; see ``dashboard.rules`` for who sees and does what):

- ``/dashboard/`` home: KPI cards and ECharts charts over a date range (default: this year) and workshop;
  every figure is summed from the ledger rows (``dispatch.reports.dashboard_figures``) and links to the
  rows behind it; goals (40,000 / 15,000 yuan a worker, 180,000 yuan a firm) are named constants.
- ``/dashboard/board/`` the flow board: jobs as cards in columns by state, with each role's actions.
- ``/dashboard/jobs/`` jobs (filter by state, period, on-time or late); ``/dashboard/jobs/new/`` issue a
  job with a photo (firm); ``/dashboard/jobs/<id>/`` a job with assignments, inspections and its
  FlowEvent timeline; ``.../dispatch/`` the head's editable planned split; ``.../inspect/`` the firm's
  inspection per assignment or per lot; ``.../accept|decline|submit|cancel/`` POST actions;
  ``.../photo/`` the sample photo, served to those who see the job.
- Bundle tickets (扎票): ``/dashboard/jobs/<id>/tickets/<assignment id>/print/`` (POST, the head: print
  a share's tickets, or reprint them with ``run``), ``.../tickets/<assignment id>/?size=a4|thermal&
  show=name|number`` (the head: the printable sheet), ``/dashboard/jobs/<id>/bundles/`` (the head and
  the firm: every reported bundle with its verdict, pay line and rework; while the job is inspected the
  firm scans a ticket, records its verdict and submits them all as the inspection).
- ``/dashboard/workers/`` the roster (search by name, phone tail, pinyin); ``/dashboard/workers/<id>/``
  a worker's page; ``.../pin/``, ``.../qr/`` (printable sign-in QR), ``.../revoke/`` POST actions.
- ``/dashboard/firms/`` and ``/dashboard/firms/<id>/``: pairings, lines, volume and savings.
- ``/dashboard/pay/`` pay lines (for a firm, at its own rate); ``/dashboard/inspections/``.
- ``/dashboard/statements/`` monthly firm statements (月度对账单): the head prepares a month's (POST
  ``prepare/``) or a corrected version (``<id>/correct/``); the firm's clerk signs (``<id>/sign/``) or
  disputes (``<id>/dispute/``); ``<id>/print/`` and ``<id>/statement.xlsx``.
- ``/dashboard/exports/`` xlsx exports made by a Celery task on the ``exports`` queue, with a progress
  page polling ``/dashboard/exports/<id>/status/`` and a download link.

Inspection per lot (按批验收): the firm gives the lot's rejected pieces and how many of them go back to
rework; ``dashboard.services.lot_results`` splits the rejected pieces over the assignments in proportion
to their uninspected pieces, then the rework over those rejected parts, by the largest remainder method
(sums exact, never more than an assignment holds, ties to the larger share, then the earlier one), and
records one result per assignment through ``dispatch.services.job_inspect``.
"""
