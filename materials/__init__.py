"""Supplied materials (来料): what the firm sends with a job, and where every bit of it went.

Owns the bill of materials per piece of a job (``BomLine``: material, unit, quantity per piece, allowed
loss 损耗率), the append-only ledger of movements between holders (``Movement``: firm → store → worker →
consumed, returned, scrapped, lost; who, when, why), the balances per holder kept in the same transaction
and never negative (``Balance``, a database check and locked updates), consumption on every made piece
(called by the flow when a worker reports), and the reconciliation of a job (from the firm = consumed +
returned to the firm + scrapped + lost + still held). The flow calls it; it imports no flow module.
"""
