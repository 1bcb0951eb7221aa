"""Importing the two lists from the spreadsheets communities keep (xlsx or csv), all or nothing.

Two steps, and nothing is written until the second:

1. :func:`preview` reads the file into a table of strings (:func:`read_table`), finds the header row under
   any merged title rows, maps Chinese headers and their synonyms to fields, then checks every row with
   the same validators the forms use (``workshop.validators``, phone parsing, the models' ``full_clean``)
   and returns the rows to create or update and the row errors in Chinese ("行 7: 手机号……").
2. :func:`commit` takes the same table back (signed, from the preview page), checks it again against the
   database as it is now, and writes every row in one transaction, or none when any row is refused.

Residents are matched by phone (one wish per phone) and firms by unified social credit code; a firm's
demand by firm, workshop and process kind among its open demands: importing a list again updates those
rows instead of adding new ones.

Tolerated: full-width digits and letters (NFKC), phones with spaces, dashes, ``+86`` or ``0086``, dates
such as 2022年8月1日, 2022/8/1, 2022.8.1, 2022-08-01, 20220801 or Excel date cells and serials, blank rows,
title rows above the header, csv in UTF-8 (with or without BOM) or GB18030 (what Chinese Excel saves).

The modules, each importing only those above it:

- ``vocabulary``: the header synonyms and the cell words (process kinds, places, skill levels, yes/no).
- ``parsing``: a file into a table of text, the header row, one cell into a checked value.
- ``checking``: the rows checked against the forms' validators and the database, the preview.
- ``writing``: the previewed rows written, all or nothing.

This package exposes what the views and tests use; the rest stays in its module.
"""

from .checking import IMPORT_CONSENT_VERSION, ImportRefused, preview
from .parsing import MAX_BYTES, CellError, norm, parse_date, parse_mobile, read_table
from .writing import commit

__all__ = [
    "IMPORT_CONSENT_VERSION",
    "MAX_BYTES",
    "CellError",
    "ImportRefused",
    "commit",
    "norm",
    "parse_date",
    "parse_mobile",
    "preview",
    "read_table",
]
