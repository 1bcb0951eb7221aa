"""Bundle tickets (扎票/菲票): a printed QR ticket on a bundle of pieces of one share.

Owns ``BundleTicket`` (one bundle of an assignment: its pieces, an opaque random token that is all the QR
code holds, the report that counted it, and the firm's per-bundle verdict with the inspection result it
went into), printing a share's tickets and reprinting them (``services.tickets_print``,
``services.tickets_reprint``: a reprint voids the unreported ones), reporting a bundle in one tap
(``services.ticket_report``, through the flow's ``work_report``), the inspector's per-bundle verdicts and
their submission as the job's inspection (``services.bundle_verdict_record``,
``services.bundle_inspection_submit``, through ``job_inspect``), the reads the pages need
(``selectors``) and the QR codes the product prints (``qr``). The pages that show them are the
dashboard's and the phone's; this app imports the flow, never a page.
"""
