"""The two lists (两清单对接): firms' needs (需求清单) and residents' wishes plus workers' spare hours
(供给清单), matched openly.

Owns the demand entries, list status history and import batches (``matching.models``), the list pages at
/lists/ and the public board per workshop at /open/<id>/ (``views``), the writes (``services``), the
reads scoped by the one ``workshop.roles.Scope`` (``selectors``), suggestions with reasons
(``scoring``) and the spreadsheet import (``matching.imports``: vocabulary, parsing, checking, writing).
"""
