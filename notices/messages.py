"""What each kind of message says, rendered in the reader's language.

A message is stored as its kind and its parameters (``Notification.params``: names, titles, counts and
amounts, never words in one language), and put into words only when it is shown or sent, in the language
of whoever reads it: the page's language on the inbox, the recipient's preference
(``workshop.languages.language_of``) for what is sent. The templates below are the msgids of the English
catalogue (``locale/en``); ``make messages`` finds them through ``gettext_noop``, or ``ngettext_lazy`` for
those that count pieces: its last argument names the param whose number picks the form ("1 piece", "3
pieces"), so a message stored before it counted (the same kind and params) reads right too.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, ngettext_lazy, pgettext
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    JOB_ISSUED = "job_issued", _("新外发单")
    JOB_ACCEPTED = "job_accepted", _("已接单")
    JOB_DECLINED = "job_declined", _("已拒单")
    OFFER = "offer", _("新派工")
    OFFER_GROWN = "offer_grown", _("派工加件")
    OFFER_DECLINED = "offer_declined", _("坊工不接派工")
    JOB_CANCELLED = "job_cancelled", _("外发单已取消")
    OFFER_WITHDRAWN = "offer_withdrawn", _("派工已撤回")
    SHARE_TAKEN_BACK = "share_taken_back", _("派工已收回")
    REWORK_PASSED = "rework_passed", _("转来的返工")
    READY_FOR_INSPECTION = "ready_for_inspection", _("待验收")
    INSPECTION = "inspection", _("验收结果")
    REWORK = "rework", _("返工")
    PAY_BOOKED = "pay_booked", _("工资入账")
    MATERIAL_LOSS = "material_loss", _("物料损耗超标")
    MATERIAL_SHORT = "material_short", _("坊工报缺料")
    MATERIAL_DAMAGED = "material_damaged", _("坊工报零件损坏")
    READY_TO_HAND_OVER = "ready_to_hand_over", _("待交货")
    LOT_RECEIVED = "lot_received", _("企业已点收")
    COLLECTION_SHORT = "collection_short", _("收货件数不符")
    STOP_MISSED = "stop_missed", _("配送未完成")
    REPORT_CORRECTED = "report_corrected", _("报工更正")
    PAY_CORRECTED = "pay_corrected", _("工资更正")
    PAY_ADJUSTED = "pay_adjusted", _("工资调整")
    STATEMENT_DISPUTED = "statement_disputed", _("对账单有异议")
    SLIP_QUESTION = "slip_question", _("工资条疑问")
    SLIP_ANSWERED = "slip_answered", _("工资条疑问已回复")
    TASK_FAILED = "task_failed", _("后台任务失败")


TEMPLATES: dict[str, str | Promise] = {
    # params: f firm name, t job title, n pieces
    NotificationKind.JOB_ISSUED: ngettext_lazy(
        "%(f)s 新外发单:%(t)s %(n)d 件", "%(f)s 新外发单:%(t)s %(n)d 件", "n"
    ),
    # w workshop name, t job title
    NotificationKind.JOB_ACCEPTED: gettext_noop("%(w)s 已接单:%(t)s"),
    NotificationKind.JOB_DECLINED: gettext_noop("%(w)s 未接单:%(t)s"),
    # t job title, n pieces, r piece rate (yuan, a decimal string)
    NotificationKind.OFFER: ngettext_lazy(
        "新派工:%(t)s %(n)d 件,单价 %(r)s 元", "新派工:%(t)s %(n)d 件,单价 %(r)s 元", "n"
    ),
    # More of a job offered to her while its offer waits for her answer: the one offer grew (a pieces
    # added, n the offer's pieces now, t job title, r piece rate); the total is what she answers.
    NotificationKind.OFFER_GROWN: ngettext_lazy(
        "派工加件:%(t)s 又给您加了 %(a)d 件,现在一共 %(n)d 件,单价 %(r)s 元",
        "派工加件:%(t)s 又给您加了 %(a)d 件,现在一共 %(n)d 件,单价 %(r)s 元",
        "n",
    ),
    # w worker name, t job title, n pieces she turned down, why her own words (or "")
    NotificationKind.OFFER_DECLINED: ngettext_lazy(
        "%(w)s 这次不接 %(t)s 的 %(n)d 件,这些件会再派给别人。%(why)s",
        "%(w)s 这次不接 %(t)s 的 %(n)d 件,这些件会再派给别人。%(why)s",
        "n",
    ),
    # f firm name, t job title, n pieces, why the firm's own words (or "")
    NotificationKind.JOB_CANCELLED: ngettext_lazy(
        "%(f)s 取消了外发单:%(t)s %(n)d 件。%(why)s", "%(f)s 取消了外发单:%(t)s %(n)d 件。%(why)s", "n"
    ),
    # t job title, n pieces of her offer
    NotificationKind.OFFER_WITHDRAWN: ngettext_lazy(
        "%(t)s 已被企业取消,派给您的 %(n)d 件不用做了。",
        "%(t)s 已被企业取消,派给您的 %(n)d 件不用做了。",
        "n",
    ),
    # t job title, n pieces of her share taken back (not yet made), why the head's reason
    NotificationKind.SHARE_TAKEN_BACK: ngettext_lazy(
        "坊长收回了 %(t)s 您还没做的 %(n)d 件,这些件不用做了。原因:%(why)s",
        "坊长收回了 %(t)s 您还没做的 %(n)d 件,这些件不用做了。原因:%(why)s",
        "n",
    ),
    # t job title, n pieces to rework handed to her from another worker's rework share, r the firm's reason
    NotificationKind.REWORK_PASSED: ngettext_lazy(
        "坊长把 %(t)s 的 %(n)d 件返工交给您做,返工合格后照常计工资。企业说的原因:%(r)s",
        "坊长把 %(t)s 的 %(n)d 件返工交给您做,返工合格后照常计工资。企业说的原因:%(r)s",
        "n",
    ),
    # t job title
    NotificationKind.READY_FOR_INSPECTION: gettext_noop("待验收:%(t)s"),
    # t job title, p passed, r rejected (pieces), why the firm's reason (its own words)
    NotificationKind.INSPECTION: gettext_noop("%(t)s 验收:合格 %(p)d 件,不合格 %(r)d 件。%(why)s"),
    # t job title, n pieces to rework, r the firm's reason (its own words)
    NotificationKind.REWORK: gettext_noop("%(t)s 有 %(n)d 件需返工:%(r)s"),
    # t job title, n passed pieces, y yuan (a decimal string to the fen)
    NotificationKind.PAY_BOOKED: gettext_noop("%(t)s 合格 %(n)d 件,工资 %(y)s 元已入账"),
    # t job title, w worker name, m material (the firm's own name for it), q the loss and h what of it she
    # still holds (decimal strings) and u their unit (a code of ``UNITS``; absent in messages stored before
    # it), r the loss rate ("1.50%", or "—" before she used any), a the allowance ("0.50%")
    NotificationKind.MATERIAL_LOSS: gettext_noop(
        "%(t)s:%(w)s 的“%(m)s”损耗 %(q)s(其中还在坊工手上 %(h)s),损耗率 %(r)s,超过允许的 %(a)s,请收回或核对。"
    ),
    # t job title, w worker name, m material, q quantity (a decimal string) and u its unit (a code of
    # ``UNITS``; absent in messages stored before it), why her own words (or "")
    NotificationKind.MATERIAL_SHORT: gettext_noop("%(w)s 报缺料:%(t)s 的“%(m)s”缺 %(q)s。%(why)s"),
    NotificationKind.MATERIAL_DAMAGED: gettext_noop("%(w)s 报零件损坏:%(t)s 的“%(m)s”坏了 %(q)s。%(why)s"),
    # t job title, n pieces reported
    NotificationKind.READY_TO_HAND_OVER: gettext_noop("%(t)s 已全部报工(%(n)d 件),请收齐后开送货单交企业"),
    # t job title, l lot number, s pieces sent, c pieces the firm counted
    NotificationKind.LOT_RECEIVED: ngettext_lazy(
        "%(t)s 第 %(l)d 批:送出 %(s)d 件,企业点收 %(c)d 件",
        "%(t)s 第 %(l)d 批:送出 %(s)d 件,企业点收 %(c)d 件",
        "s",
    ),
    # w worker name, t job title, r pieces reported not yet collected, c pieces collected
    NotificationKind.COLLECTION_SHORT: ngettext_lazy(
        "%(w)s 的 %(t)s:报工未收 %(r)d 件,实收 %(c)d 件,请核对",
        "%(w)s 的 %(t)s:报工未收 %(r)d 件,实收 %(c)d 件,请核对",
        "r",
    ),
    # w worker name (or the firm's name), d the run's day (ISO date), why the courier's own words (or "")
    NotificationKind.STOP_MISSED: gettext_noop("%(d)s 上门没有办成:%(w)s。%(why)s"),
    # t job title, a pieces before, b pieces after, why the head's reason
    NotificationKind.REPORT_CORRECTED: ngettext_lazy(
        "坊长把您 %(t)s 的一次报工从 %(a)d 件更正为 %(b)d 件:%(why)s",
        "坊长把您 %(t)s 的一次报工从 %(a)d 件更正为 %(b)d 件:%(why)s",
        "b",
    ),
    # t job title, a passed before, b passed after, y the change in yuan (signed decimal string), why reason
    NotificationKind.PAY_CORRECTED: ngettext_lazy(
        "%(t)s 的验收更正:合格 %(a)d 件改为 %(b)d 件,工资 %(y)s 元。%(why)s",
        "%(t)s 的验收更正:合格 %(a)d 件改为 %(b)d 件,工资 %(y)s 元。%(why)s",
        "b",
    ),
    # k bonus or deduction (a msgid), y yuan (a decimal string), why the reason
    NotificationKind.PAY_ADJUSTED: gettext_noop("%(k)s %(y)s 元:%(why)s"),
    # f firm name, m month (YYYY-MM), c the firm's figure and w the workshop's (yuan, decimal strings)
    NotificationKind.STATEMENT_DISPUTED: gettext_noop(
        "%(f)s 对 %(m)s 对账单有异议:企业核对 %(c)s 元,本坊 %(w)s 元"
    ),
    # w worker name, m the month (YYYY-MM); her words stay on the slip page, not in the message
    NotificationKind.SLIP_QUESTION: gettext_noop("%(w)s 对 %(m)s 的工资条有疑问,请查看并回复"),
    # m the month (YYYY-MM)
    NotificationKind.SLIP_ANSWERED: gettext_noop("坊长回复了您对 %(m)s 工资条的疑问,打开工资条就能看到"),
    # t the Celery task's name (e.g. dispatch.tasks.book_inspection), n deliveries that did not finish
    NotificationKind.TASK_FAILED: gettext_noop(
        "后台任务 %(t)s 投递 %(n)d 次都没有完成,已停止自动重试。请到“待处理任务”页查看并重试。"
    ),
}


# The firm's reason, which may be a word of the system's stored as its msgid (the prefilled 短少): read in
# the reader's language like a flow event's note; a person's own words are not in the catalogue and stay.
REASON_PARAM = {
    NotificationKind.INSPECTION: "why",
    NotificationKind.REWORK: "r",
    NotificationKind.REWORK_PASSED: "r",
    NotificationKind.PAY_ADJUSTED: "k",  # the kind of change, a msgid (the reason is the head's own words)
}


# A material's unit, stored as its code (``materials.models.Unit``, which this app does not import; a test
# keeps the two alike) and said with the quantity ``q`` in the reader's language: 3个 / 3 pcs. A message
# stored before it carried a unit says the bare quantity, as it did.
UNITS = {
    "ge": gettext_noop("个"),
    "jian": gettext_noop("件"),
    "zhang": gettext_noop("张"),
    "tao": gettext_noop("套"),
    "m": gettext_noop("米"),
    "kg": gettext_noop("千克"),
}
# The kinds that say quantities with a unit, and which of their params are quantities.
UNIT_KINDS = {
    NotificationKind.MATERIAL_SHORT: ("q",),
    NotificationKind.MATERIAL_DAMAGED: ("q",),
    NotificationKind.MATERIAL_LOSS: ("q", "h"),
}


# The kinds whose reason stands after a full sentence, so it is said as one: "原因:划痕" (found in a trial:
# "… 2 failed. Scratches" read as a word left over).
REASON_LABELLED = frozenset({NotificationKind.INSPECTION})


def _filled(kind: str, params: dict) -> str:
    key = REASON_PARAM.get(kind)
    if key and params.get(key):
        reason = gettext(params[key])
        if kind in REASON_LABELLED:
            reason = gettext("原因:%(r)s") % {"r": reason}
        params = {**params, key: reason}
    if kind in UNIT_KINDS and params.get("u") in UNITS:
        unit = gettext(UNITS[params["u"]])
        said = {
            p: pgettext("a quantity and its unit", "%(q)s%(u)s") % {"q": params[p], "u": unit}
            for p in UNIT_KINDS[kind]
        }
        params = {**params, **said}
    template = TEMPLATES[kind]
    if isinstance(template, str):
        return gettext(template) % params
    return template % params  # a counted msgid: the count named in it picks the form, in the language now


def render(kind: str, params: dict, language: str | None = None) -> str:
    """The message of ``kind`` with ``params`` in words, in ``language`` (a code of ``settings.LANGUAGES``;
    None: the language active now). Raises KeyError for an unknown kind or a missing parameter."""
    if language is None:
        return _filled(kind, params)
    with translation.override(language):
        return _filled(kind, params)
