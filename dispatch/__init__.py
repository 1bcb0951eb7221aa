"""The flow (企业分发 → 工坊接单 → 坊工做单 → 送检企业 → 结算): jobs, assignments, work reports, inspections
and the flow events that record every move.

Owns the state machines (``dispatch.models``), one service per move split by what it moves
(``dispatch.services``: jobs, assignments, inspections), the Celery tasks that route the flow
(``dispatch.tasks``, queued by name through ``dispatch.followups``), dispatch planning (``planning``, the
optimiser and its priors), the figures read from the ledger (``reports``), the reads and page helpers
the staff and phone pages share (``selectors``, ``web``) and the front door (``views``). It calls pay to
book pay lines and notices to send messages; neither imports it.
"""
