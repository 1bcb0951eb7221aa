"""English words for the msgids a branch adds before ``make messages`` has put them in ``locale/en``.

A test that reads a page in English calls ``english_words(request, {...})`` with the English of the new
msgids it relies on: each is added to the English catalogue for that test only, and only where the
catalogue lacks it (once the catalogue has the msgid, its own words are used and this does nothing). A
plural is a list of its forms, keyed by the singular msgid.
"""

from __future__ import annotations

from django.utils.translation import trans_real


def english_words(request, words: dict[str, str | list[str]]) -> None:
    """Add ``words`` (msgid → English) missing from the English catalogue until ``request``'s test ends."""
    catalog = trans_real.translation("en")._catalog
    added = []
    for msgid, text in words.items():
        keys = [((msgid, i), t) for i, t in enumerate(text)] if isinstance(text, list) else [(msgid, text)]
        for key, value in keys:
            if key not in catalog:
                catalog[key] = value
                added.append(key)

    def remove() -> None:
        for key in added:
            catalog._catalogs[0].pop(key, None)

    request.addfinalizer(remove)
