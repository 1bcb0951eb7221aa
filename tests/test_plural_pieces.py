"""A count of pieces reads "1 piece" in English, never "1 pieces": on the phone pages (blocktranslate
count), in the phone's flash messages (ngettext), and in stored messages (``notices.messages``, rendered
from their kind and params when read, so a message stored before its text counted reads right too).

Found in a trial: the share page's finish button said "All done (the 1 pieces left)".
"""

from __future__ import annotations

import ast
import re
import uuid

from django.contrib.messages import get_messages
from django.utils import translation

from config.jinja_catalogue import template_messages
from dispatch.models import WorkReport
from notices.messages import TEMPLATES, NotificationKind, render
from notices.models import Notification
from tests.mobile.conftest import accepted_job, in_hand, report
from tests.test_i18n import LC

# The msgids whose English puts a number before "pieces", each now a plural entry, with the param whose
# number picks the form (the others are filled in as they come).
COUNTED = {
    # mobile/*.py
    "这份活接下了:%(t)s,%(n)d 件。": "n",
    "全部做完了!共 %(n)d 件,等企业验收后工资入账。": "n",
    "这次的 %(n)d 件已经记上。": "n",
    "刚才报的 %(n)d 件已经撤销了。": "n",
    "刚才报的 %(n)d 件已经撤销,请重新报正确的件数。": "n",
    "第 %(n)s 扎的 %(p)d 件已经记上。": "p",
    # templates/mobile/ and jinja2/mobile/
    '第 %(i)s 份:<span class="key">%(n)s</span> 件': "n",
    "已接下,还差 %(t)s 件(已做 %(d)s 件)。": "t",
    "要重新做好 %(n)s 件。返工合格后照常计工资。": "n",
    "撤销刚才报的 %(n)s 件": "n",
    "%(n)s 件,全部合格约 %(y)s 元": "n",
    "全部做完了(还差的 %(n)s 件)": "n",
    "返工 %(n)s 件:去看": "n",
    "派给我 %(n)s 件,已做 %(r)s 件": "n",
    "这一扎做完了(%(n)s 件)": "n",
    "%(n)s 件的料": "n",
    "要收 %(n)s 件": "n",
    "第 %(n)s/%(c)s 扎 %(p)s 件": "p",
    "第 %(lot)s 批,%(n)s 件,%(b)s 扎": "n",
    "第 %(lot)s 批,%(n)s 件": "n",
    "收了第 %(n)s/%(c)s 扎(%(p)s 件)": "p",
    "验收 %(i)s 件:合格 %(p)s 件,不合格 %(r)s 件。": "i",
    "做好了还没入账:%(n)s 件。": "n",
    "报完这些,这份活就全部做完了(共 %(n)s 件)。": "n",
    "今天报工 %(n)s 件。": "n",
    "(已做 %(d)s / 共 %(n)s 件)": "n",
    # notices/messages.py
    "%(f)s 新外发单:%(t)s %(n)d 件": "n",
    "新派工:%(t)s %(n)d 件,单价 %(r)s 元": "n",
    "%(w)s 这次不接 %(t)s 的 %(n)d 件,这些件会再派给别人。%(why)s": "n",
    "%(f)s 取消了外发单:%(t)s %(n)d 件。%(why)s": "n",
    "%(t)s 已被企业取消,派给您的 %(n)d 件不用做了。": "n",
    "%(t)s 第 %(l)d 批:送出 %(s)d 件,企业点收 %(c)d 件": "s",
    "%(w)s 的 %(t)s:报工未收 %(r)d 件,实收 %(c)d 件,请核对": "r",
    "坊长把您 %(t)s 的一次报工从 %(a)d 件更正为 %(b)d 件:%(why)s": "b",
    "%(t)s 的验收更正:合格 %(a)d 件改为 %(b)d 件,工资 %(y)s 元。%(why)s": "b",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# A number (a placeholder, maybe closing a tag) and at most one word before "pieces": "3 pieces",
# "<span>3</span> pieces", "3 reported pieces".
NUMBER_BEFORE_PIECES = re.compile(r"%\(\w+\)[sd](</\w+>)?\s+(\w+\s+)?pieces\b")
WORKER_AND_COURIER_SOURCES = ("mobile/", "templates/mobile/", "notices/")
# The Jinja2 phone pages' words (jinja2/mobile/), which makemessages finds in config/jinja_messages.py.
JINJA_PHONE_MSGIDS = {strings[0] for _function, strings in template_messages("mobile")} | {
    strings[1] for function, strings in template_messages("mobile") if function.startswith(("p", "np"))
}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def in_english(client) -> None:
    # The phone pages take the language from the request (the locale middleware), not from the test's
    # active language: the cookie the language switch sets.
    client.cookies["django_language"] = "en"


def finish_button(page: str) -> str:
    return re.search(r'<form [^>]*class="finish">.*?<button [^>]*>(.*?)</button>', page, re.S).group(1)


# --- the phone pages -----------------------------------------------------------------------------------


def test_the_finish_button_reads_one_piece_left(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 3)
    report(a, 2)
    client.force_login(cast.alice.user)
    in_english(client)

    page = client.get(f"/m/a/{a.pk}/").content.decode()

    assert finish_button(page) == "All done (the 1 piece left)"
    assert "1 pieces" not in page


def visible_text(page: str) -> str:
    """The page's words as read: tags dropped, spaces collapsed ("<span>1</span> pieces" → "1 pieces")."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_a_figure_with_one_piece_left_reads_one_piece_on_the_share_page_and_today(client, cast, issue_job):
    """The big figures print the number in a span of its own and the unit after it ("还差 1 件"): the unit
    counts too."""
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 3)
    report(a, 2)
    client.force_login(cast.alice.user)
    in_english(client)

    for url in (f"/m/a/{a.pk}/", "/m/"):
        text = visible_text(client.get(url).content.decode())
        assert not re.search(r"\b1 pieces\b", text), (url, text)
        assert re.search(r"\b1 piece\b", text), url


def test_the_finish_button_reads_three_pieces_left(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 3)
    client.force_login(cast.alice.user)
    in_english(client)

    page = client.get(f"/m/a/{a.pk}/").content.decode()

    assert finish_button(page) == "All done (the 3 pieces left)"


def test_the_finish_button_in_chinese_is_unchanged(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 3)
    report(a, 2)
    client.force_login(cast.alice.user)

    page = client.get(f"/m/a/{a.pk}/").content.decode()

    assert finish_button(page) == "全部做完了(还差的 1 件)"


# --- the phone's messages (ngettext) -------------------------------------------------------------------


def test_finishing_a_one_piece_share_says_one_piece(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 1)
    client.force_login(cast.alice.user)
    in_english(client)

    done = client.post(f"/m/a/{a.pk}/finish/", {"pieces": 1, "key": uuid.uuid4().hex, "confirmed": "1"})

    assert messages_of(done) == ["All done! 1 piece in all. Wages are booked after the firm inspects it."]


def test_undoing_a_one_piece_report_says_one_piece(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 3)
    report(a, 1)
    typo = WorkReport.objects.filter(assignment=a).latest("id")
    client.force_login(cast.alice.user)
    in_english(client)

    undone = client.post(f"/m/a/{a.pk}/undo/{typo.pk}/")
    again = client.post(f"/m/a/{a.pk}/undo/{typo.pk}/")

    assert messages_of(undone) == ["The 1 piece you just reported is undone; please report the right count."]
    assert messages_of(again)[-1] == "The 1 piece you just reported is already undone."  # after the first


# --- stored messages -------------------------------------------------------------------------------------


class Filled(dict):
    """Params where every name the message asks for is ``number`` (a title or a name reads "1" too)."""

    def __init__(self, number: int):
        super().__init__()
        self.number = number

    def __missing__(self, key: str) -> int:
        return self.number


def test_a_message_stored_with_its_params_reads_one_piece_or_pieces(cast):
    # Rows as the flow has always stored them (a kind and its params): the count picks the form when read.
    for n in (1, 3):
        Notification.objects.create(
            recipient=cast.alice.user,
            kind=NotificationKind.OFFER,
            params={"t": "布袋", "n": n, "r": "0.50"},
            dedupe_key=f"offer-{n}",
        )
    one, three = (Notification.objects.get(dedupe_key=f"offer-{n}") for n in (1, 3))

    assert one.text_in("en") == "New assignment: 布袋, 1 piece at 0.50 yuan"
    assert three.text_in("en") == "New assignment: 布袋, 3 pieces, 0.50 yuan each"
    assert one.text_in("zh-hans") == "新派工:布袋 1 件,单价 0.50 元"


def test_every_message_kind_that_counts_pieces_reads_one_piece():
    counted = [kind for kind, template in TEMPLATES.items() if not isinstance(template, str)]
    assert len(counted) == 12
    for kind in counted:
        one, three = render(kind, Filled(1), "en"), render(kind, Filled(3), "en")
        assert "1 pieces" not in one and re.search(r"\b1 (\w+ )?piece\b", one), (kind, one)
        assert re.search(r"\b3 (\w+ )?pieces\b", three), (kind, three)


# --- the catalogue ---------------------------------------------------------------------------------------


def po_entries() -> list[dict]:
    """The live entries of the English .po: msgid, msgid_plural, msgstr / msgstr[n], and refs (the "#:"
    source references)."""
    entries = []
    for block in (LC / "django.po").read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"refs": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#: "):
                entry["refs"] += line[3:].split()
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
            elif line:
                key, _, rest = line.partition(" ")
                entry[key] = ast.literal_eval(rest)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def english(msgid: str, n: int, params: dict) -> str:
    """The compiled catalogue's (django.mo) English of the plural ``msgid`` for ``n``, tags stripped."""
    with translation.override("en"):
        return re.sub(r"<[^>]+>", "", translation.ngettext(msgid, msgid, n) % params)


def test_each_converted_msgid_is_a_plural_that_reads_one_piece():
    entries = {e["msgid"]: e for e in po_entries()}
    for msgid, count in COUNTED.items():
        assert entries[msgid].get("msgid_plural") == msgid, msgid
        ones = dict.fromkeys(PLACEHOLDER.findall(msgid), 1)
        one, three = english(msgid, 1, ones), english(msgid, 3, {**ones, count: 3})
        assert "1 pieces" not in one and re.search(r"\b1 (\w+ )?piece\b", one), (msgid, one)
        assert re.search(r"\b3 (\w+ )?pieces\b", three), (msgid, three)


def test_no_worker_or_courier_string_puts_a_number_before_pieces_without_a_plural():
    found = [
        (e["msgid"], e["msgstr"])
        for e in po_entries()
        if "msgid_plural" not in e
        and NUMBER_BEFORE_PIECES.search(e.get("msgstr", ""))
        and (
            any(ref.startswith(WORKER_AND_COURIER_SOURCES) for ref in e["refs"])
            or e["msgid"] in JINJA_PHONE_MSGIDS
        )
    ]
    assert not found, found


def test_the_sign_in_tries_the_courier_stops_and_a_short_collection_count_too():
    """Found in the next trial: "After 1 more wrong tries", "Still 1 stops to do", "has 1 pieces left"."""
    from django.utils.translation import ngettext

    cases = [
        ("再错 %(n)d 次,要等 %(m)d 分钟才能再试。", {"n": 1, "m": 15}, "After 1 more wrong try,"),
        ("站没办,共 %(n)s 站", {"n": 2}, "stop to do, of 2"),
        ("%(w)s 还有 %(n)d 件没收,不能收 %(c)d 件。", {"w": "Li", "n": 1, "c": 3}, "Li has 1 piece left"),
    ]
    with translation.override("en"):
        for msgid, params, words in cases:
            assert (ngettext(msgid, msgid, 1) % params).startswith(words), msgid
            assert "tries" in ngettext(cases[0][0], cases[0][0], 2) % cases[0][1]
