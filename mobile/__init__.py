"""The workers' phone pages (坊工手机端) under /m/, made to MIIT's elderly-friendly rules.

Owns the pages (``views``) and their reads (``selectors``): sign-in with phone + PIN or a one-tap link,
Today, an assignment (the scan target of a bundle ticket's QR), earnings, the inbox (reads and marks
through ``notices``), the public wish-to-work page /m/join/, the installable manifest and offline page.
Writes go through the flow's services (``dispatch.services``) and ``workshop.services``.
"""
