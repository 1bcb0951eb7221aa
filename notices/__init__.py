"""Messages (通知): the inbox and its delivery.

Owns the ``Notification`` model (a message kind, its parameters and a link, rendered into words when shown
or sent, in the reader's language), ``notify(...)`` (the one call other apps make), delivery through
the configured senders with per-channel retries and the sweep of what stayed unsent
(``notices.delivery``, ``notices.tasks``), and the inbox's reads and marks (``notices.selectors``,
``notices.services``). It knows no flow: the apps that send messages pass a kind and its parameters.
"""
