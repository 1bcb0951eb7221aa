"""Importing the two lists from the spreadsheets communities keep (xlsx or csv), all or nothing.

Three steps, and nothing is written on the lists until the last:

1. :func:`read_table` reads the file into a table of text, streamed (``reading``), and :func:`draft_create`
   keeps it as an ``ImportDraft`` for its uploader.
2. :func:`preview` finds which column is which: the mapping chosen for this upload, the community's
   remembered mapping for this header row, or the header synonyms; when none is good enough, the
   mapping page asks (best guesses preselected) and :func:`mapping_save` remembers the answer. Then every
   cell is parsed and every row checked with the forms' validators and the models' ``full_clean``: the
   preview names each bad row and column as the spreadsheet does, the warnings, and the words offered as
   new skills (``matching.services.skill_add``).
3. :func:`commit` checks it all again against the database as it is now and writes every row in one
   transaction, or none when any row is refused.

Residents are matched by phone (one wish per phone) and firms by unified social credit code; a firm's
demand by firm, workshop and process kind among its open demands: importing a list again updates those
rows instead of adding new ones.

Tolerated: full-width digits and letters (NFKC); phones with spaces, dashes, ``+86`` or ``0086``; counts
with 万/千, Chinese numerals, units and ranges ("1.5万件", "两千", "约40个钟头"); monthly figures (made
weekly); piece rates ("0.12元/件", "1毛2"); dates such as 2022年8月1日, 2022/8/1, 20220801 or Excel dates
and serials; periods in words ("9月到12月", "长期"); ID numbers (GB 11643, masked wherever shown); blank
rows; title rows above the header; csv in UTF-8, UTF-16 or GB18030/GBK. Refused by name: a control
character in a cell.

The modules, each importing only those below it: ``writing`` → ``checking`` → ``columns`` → ``reading``
→ ``parsing`` → ``periods`` → ``quantities`` → ``vocabulary``.
"""

from .checking import IMPORT_CONSENT_VERSION, ImportRefused, Preview, Problem, preview
from .parsing import CellError, guess_kind, parse_mobile
from .periods import parse_date, parse_period
from .quantities import parse_count, parse_pieces_per_week, parse_rate
from .reading import MAX_BYTES, MAX_ROWS, norm, read_table
from .writing import commit, draft_create, mapping_save, skill_add

__all__ = [
    "IMPORT_CONSENT_VERSION",
    "MAX_BYTES",
    "MAX_ROWS",
    "CellError",
    "ImportRefused",
    "Preview",
    "Problem",
    "commit",
    "draft_create",
    "guess_kind",
    "mapping_save",
    "norm",
    "parse_count",
    "parse_date",
    "parse_mobile",
    "parse_period",
    "parse_pieces_per_week",
    "parse_rate",
    "preview",
    "read_table",
    "skill_add",
]
