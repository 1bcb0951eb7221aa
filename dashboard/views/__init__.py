"""The dashboard (管理后台) at /dashboard/: plain function views for community admins, heads and firm staff.

Every view needs a login and a dashboard role (``common.dashboard_view``: anonymous → login, a worker or
a user without a role → 403). Objects come through ``dashboard.selectors`` scoped by the user (a foreign
id is a 404 and nothing is written), then the action's django-rules permission is checked (visible but
not yours to change → 403). State changes are POST only, go through ``dispatch.services`` (or the
dashboard's services made of them), and end in a redirect; a refused change becomes a message.

By page area: ``overview`` (home, the board, and the jobs, pay lines and inspections behind the figures),
``jobs`` (issue, the job page, its moves, dispatch, inspection), ``tickets`` (printing a share's bundle
tickets, the job's bundles and the inspection by bundle), ``workers`` (the roster and a worker's
page), ``firms`` (pairings), ``exports``, ``materials`` (a job's supplied materials, their reconciliation,
every job's materials), ``notes`` (a job's lots and delivery notes), ``logistics`` (door delivery:
places, the depot, vehicles, couriers, a worker's home, the day's runs); ``common`` holds what they share.
"""
