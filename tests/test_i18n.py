"""The English catalogue (locale/en/LC_MESSAGES): every msgid in the .po is translated and compiled into
the .mo, real UI strings come out in English under activate("en"), and the language switch on the
sign-in page turns the page English.

When this fails after adding strings: run ``make messages``, translate the new msgids in
locale/en/LC_MESSAGES/django.po (no empty msgstr, no ``#, fuzzy``), and run ``make messages`` again.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dispatch.models import AssignmentState, JobState

LC = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def parse_po(path: Path) -> list[dict]:
    """A small PO reader: one dict per live entry (msgctxt, msgid, msgid_plural, msgstr, msgstr[n], flags)."""
    entries: list[dict] = []
    cur: dict = {}
    key = None

    def flush():
        nonlocal cur
        if "msgid" in cur:
            entries.append(cur)
        cur = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        elif line.startswith("#,"):
            if "msgid" in cur:
                flush()
            cur.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            cur[key] += ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            if key in ("msgctxt", "msgid") and "msgid" in cur:
                flush()
            cur[key] = ast.literal_eval(rest)
    flush()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return parse_po(LC / "django.po")


@pytest.fixture(scope="module")
def mo_catalog() -> dict:
    with open(LC / "django.mo", "rb") as f:
        return gettext.GNUTranslations(f)._catalog


def test_po_has_no_empty_or_fuzzy_translations(po_entries):
    assert len(po_entries) > 500
    empty = [
        e["msgid"] for e in po_entries if not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e.get("flags", ())]
    assert not empty, f"untranslated msgids in django.po: {empty[:20]}"
    assert not fuzzy, f"fuzzy entries in django.po: {fuzzy[:20]}"


def test_mo_is_compiled_from_the_po(po_entries, mo_catalog):
    """Every msgid of the .po is in the .mo with a non-empty translation (the .mo is not stale)."""
    missing = []
    for e in po_entries:
        mid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            ok = all(mo_catalog.get((mid, i)) for i in (0, 1))
        else:
            ok = bool(mo_catalog.get(mid))
        if not ok:
            missing.append(e["msgid"])
    assert not missing, f"not in django.mo (run make messages): {missing[:20]}"


def test_translations_keep_their_placeholders(po_entries):
    ph = re.compile(r"%\(\w+\)[sd]")
    bad = []
    for e in po_entries:
        want = set(ph.findall(e["msgid"]))
        for k in ("msgstr", "msgstr[0]", "msgstr[1]"):
            if k in e and set(ph.findall(e[k])) != want:
                bad.append((e["msgid"], e[k]))
    assert not bad, bad[:10]


def test_real_ui_strings_translate_to_english():
    with translation.override("en"):
        assert translation.gettext("登录暖心坊") == "Sign in to Nuanxin Workshop"
        assert translation.gettext("坊工和配送员都在这里登录") == "Workers and couriers both sign in here"
        assert str(JobState.ISSUED.label) == "Issued"
        assert str(JobState.INSPECTING.label) == "In inspection"
        assert str(JobState.SETTLED.label) == "Settled"
        assert str(AssignmentState.OFFERED.label) == "Waiting to accept"
        assert translation.ngettext("%(n)s 条未读", "%(n)s 条未读", 3) % {"n": 3} == "3 unread"
        minutes = "大约 %(m)s 分钟后。"
        assert translation.ngettext(minutes, minutes, 1) % {"m": 1} == "In about 1 minute."
        assert translation.ngettext(minutes, minutes, 5) % {"m": 5} == "In about 5 minutes."
    with translation.override("zh-hans"):
        assert str(JobState.ISSUED.label) == "已分发"


@pytest.mark.django_db
def test_language_switch_turns_the_login_page_english(client):
    login = reverse("login")
    page = client.get(login)
    assert "登录暖心坊" in page.content.decode()

    r = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert r.status_code == 302
    html = client.get(login).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Nuanxin Workshop" in html
    assert "Username" in html and "Password" in html
    assert "登录暖心坊" not in html
    assert "用户名" not in html

    # The workers' sign-in page follows the same cookie.
    html = client.get(reverse("mobile:login")).content.decode()
    assert "Workers and couriers both sign in here" in html
    assert "坊工和配送员都在这里登录" not in html
