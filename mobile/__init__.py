"""The workers' phone pages (坊工手机端) under /m/, made to MIIT's elderly-friendly rules.

Owns the pages (``views``) and their reads (``selectors``): sign-in with phone + PIN or a one-tap link,
Today, an assignment, a bundle ticket's page (``/m/b/<token>/``, what its QR opens: the bundle, reported
in one tap), earnings, the inbox (reads and marks through ``notices``), the public wish-to-work page
/m/join/, the installable manifest and offline page. Writes go through the flow's services
(``dispatch.services``), ``tickets.services`` and ``workshop.services``.
"""
