"""The words communities write in their spreadsheets, as tables: which headers name which field, which
words in a header hint at a field, and which cell words mean which process kind, place, skill level,
yes or no.

Data only (no parsing, no queries): ``columns``, ``cells`` and ``checking`` read these tables. Add a
synonym here when a community's sheet uses a header or a word the importer does not know yet; a header
that only *hints* at a field (``HINTS``) is never taken on its own: it preselects that field on the
column-mapping page, where the community admin confirms it (and the choice is remembered).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from workshop.models import ProcessKind, WorkPlace

from ..models import DemandPlace, ImportKind, SkillLevel


def _w(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# --- headers ------------------------------------------------------------------------------------------
# Field → the headers that name it, compared after NFKC, without spaces, "*" or "(选填)". A header with a
# bracketed unit ("每周小时(小时)") or two names ("手机号/联系电话") is tried whole, then without the
# bracket, then by each part.

WISH_HEADERS: dict[str, tuple[str, ...]] = {
    "name": _w(
        "姓名 名字 居民姓名 人员姓名 户主姓名 本人姓名 申请人 申请人姓名 登记人 居民 求职人 求职者姓名"
    ),
    "phone": _w(
        "手机号 手机号码 手机 联系电话 电话 电话号码 联系方式 移动电话 本人手机 本人电话 联系手机 "
        "手机/电话 联系号码 本人手机号"
    ),
    "id_number": _w(
        "身份证号 身份证号码 身份证 公民身份号码 公民身份证号 证件号码 证件号 身份号码 居民身份证号码"
    ),
    "skills": _w(
        "技能 会做的活 技能特长 特长 擅长 会做什么 可做工序 工种 会干什么 会干的活 能做的活 能干的活 "
        "手艺 拿手活 会什么 擅长工种 可从事工种 会做哪些活 能做什么 技能专长 专长"
    ),
    "hours": _w(
        "每周小时 每周工时 每周小时数 每周可做小时 每周可做 每周能做 每周能做小时 每周可用工时 "
        "每周可用时间 可用时间 时长 每周能干几个钟头 每周几个钟头 每周能干几个小时 每周能做几个小时 "
        "每周能做几小时 每周几小时 每周钟头 一周几小时 一周能干几个钟头 一周能做几小时 每周空闲时间 "
        "每周空闲小时 空闲时间 每周能干多久 每周能做多久 周工时 可工作时长 每周可工作小时 "
        "每周可工作时间"
    ),
    "hours_day": _w(
        "每天小时 每天工时 每日工时 每天小时数 每天能做几小时 每天能做几个小时 每天能干几个钟头 每天几个钟头 "
        "每天几小时 一天几小时 一天能做几小时 一天能干几个钟头 每天可做小时 每天可用时间 每天空闲时间 "
        "每天能做多久 每天能干多久 日工时 每日可做小时"
    ),
    "place": _w(
        "在家/到坊 到坊/在家 居家/到坊 在家或到坊 做工地点 工作地点 地点 做工方式 在家做还是来坊里 "
        "在家做还是到坊里 在家还是来坊里 在家还是到坊 居家还是到坊 来坊里还是在家 在家/来坊 居家或到坊 "
        "干活地点 在哪做 在哪里做 想在哪做 想在哪里做 做工场所 工作方式"
    ),
    "area": _w(
        "片区 居住片区 所在片区 小区 居住小区 网格 所在网格 住址 居住地 所在小区 居住地址 家庭住址 "
        "住在哪 村组 所在村组 所属网格 网格片区 住哪"
    ),
    "low_income": _w(
        "低收入 是否低收入 低收入户 低收入家庭 是否低收入户 是否低保 低保户 是否低保户 困难户 "
        "是否困难户 低保 低收入/低保"
    ),
    "consent": _w("本人同意 同意 是否同意 已签同意书 同意书 是否本人同意 本人签字同意 已签字 同意使用信息"),
}
WISH_KEY, WISH_REQUIRED = "phone", ("name", "phone", "skills", "hours", "place", "area")

DEMAND_HEADERS: dict[str, tuple[str, ...]] = {
    "firm_name": _w(
        "企业名称 企业 企业全称 公司名称 公司 单位名称 单位 企业名 厂名 工厂 厂家 需求单位 用工单位 "
        "发包企业 企业(单位)名称 需求企业"
    ),
    "credit_code": _w(
        "统一社会信用代码 社会信用代码 信用代码 统一信用代码 统一代码 社会统一信用代码 营业执照号 "
        "营业执照代码 营业执照号码"
    ),
    "contact": ("联系人", "企业联系人", "联系人姓名", "对接人", "负责人"),
    "contact_phone": _w("联系电话 联系人电话 电话 手机号 手机 联系方式 联系人手机 对接人电话 负责人电话"),
    "kind": _w(
        "工序 工序类别 加工工序 加工类型 活的种类 工种 工序类型 外发工序 工序名称 需求类型 外加工类型 "
        "加工类别 活计类型"
    ),
    "title": _w(
        "品名 产品 工作内容 加工内容 品名/工序 产品名称 加工产品 外发产品 具体内容 需求内容 岗位 岗位名称"
    ),
    "pieces": _w(
        "件数/每周 每周件数 件数 周件数 每周需求件数 需求件数 周需求量 每周需求量 每周数量 数量/周 "
        "周产量 每周加工量"
    ),
    "pieces_month": _w(
        "月需求量 每月件数 月件数 每月需求 每月需求量 月需求件数 每月数量 月产量 月加工量 件数/每月 "
        "数量/月 每月加工量"
    ),
    "hours": ("工时/每周", "每周工时", "每周小时", "工时", "每周用工小时", "每周用工时长", "周工时"),
    "people": _w("人数 需要人数 用工人数 需求人数 需用工人数 需要几个人 招工人数 人员数量 要几个人"),
    "piece_rate": _w(
        "计件单价 单价 加工单价 工价 计件工价 每件价格 价格 加工费单价 计件价格 每件工钱 工钱 单件工价 加工费"
    ),
    "starts_on": ("开始日期", "起始日期", "开始时间", "开始", "起始时间", "开工日期", "开始月份"),
    "ends_on": ("结束日期", "截止日期", "结束时间", "结束", "截止时间", "完工日期", "结束月份"),
    "period": _w(
        "需求时段 时段 用工时段 需求时间 用工时间 周期 加工周期 合作期限 期限 用工期限 需求周期 "
        "起止时间 起止日期 时间段 需求期限"
    ),
    "skill_level": ("技能要求", "技能等级", "熟练程度", "技能", "技术要求"),
    "place": _w(
        "在家/到坊 做工地点 工作地点 地点 可否居家 是否可居家 能否在家做 能否居家 可否在家做 "
        "是否可以在家做 在家做还是来坊里 居家/到坊"
    ),
    "notes": ("备注", "说明", "其他要求", "其它要求", "其他说明"),
}
DEMAND_KEY, DEMAND_REQUIRED = "credit_code", ("credit_code", "kind", "starts_on")

# Words inside a header that suggest a field (longest match wins): the mapping page's preselection only.
WISH_HINTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字"),
    "phone": ("手机", "电话", "联系方式"),
    "id_number": ("身份证", "证件", "身份号"),
    "skills": ("技能", "特长", "擅长", "会做", "会干", "能做的", "能干的", "手艺", "工种", "工序"),
    "hours": ("钟头", "小时", "工时", "时长", "空闲", "多久"),
    # Hours said per day: a day word with an hours word ("每天工作几小时", "日均工作时长").
    "hours_day": tuple(
        f"{day}+{hours}"
        for day in ("每天", "每日", "一天", "日均", "天天")
        for hours in ("小时", "钟头", "工时", "时长", "多久", "时间")
    )
    + ("日工时", "日工作时间"),
    "place": ("在家", "居家", "到坊", "来坊", "坊里", "地点", "在哪"),
    "area": ("片区", "小区", "网格", "住址", "地址", "居住", "村组"),
    "low_income": ("低收入", "低保", "困难"),
    "consent": ("同意", "签字"),
}
DEMAND_HINTS: dict[str, tuple[str, ...]] = {
    "firm_name": ("企业", "公司", "单位", "厂"),
    "credit_code": ("信用代码", "代码", "执照"),
    "contact": ("联系人", "对接人", "负责人"),
    "contact_phone": ("电话", "手机", "联系方式"),
    "kind": ("工序", "类别", "类型", "工种"),
    "title": ("品名", "产品", "内容", "岗位"),
    "pieces": ("件数", "数量", "需求量", "周需求", "每周件"),
    "pieces_month": ("月需求", "每月", "月件", "月产", "月加工", "/月"),
    "hours": ("工时", "小时"),
    "people": ("人数", "几个人", "几人"),
    "piece_rate": ("单价", "工价", "价格", "工钱", "元/件", "加工费"),
    "starts_on": ("开始", "起始", "开工"),
    "ends_on": ("结束", "截止", "完工"),
    "period": ("时段", "期限", "周期", "起止", "时间"),
    "skill_level": ("技能", "熟练", "技术"),
    "place": ("居家", "在家", "地点", "到坊"),
    "notes": ("备注", "说明", "要求"),
}

LABELS = {
    "name": gettext_lazy("姓名"),
    "phone": gettext_lazy("手机号"),
    "id_number": gettext_lazy("身份证号"),
    "skills": gettext_lazy("技能"),
    "hours": gettext_lazy("每周小时"),
    "hours_day": gettext_lazy("每天小时"),
    "place": gettext_lazy("在家/到坊"),
    "area": gettext_lazy("片区"),
    "low_income": gettext_lazy("低收入"),
    "consent": gettext_lazy("本人同意"),
    "firm_name": gettext_lazy("企业名称"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "contact": gettext_lazy("联系人"),
    "contact_phone": gettext_lazy("联系电话"),
    "kind": gettext_lazy("工序"),
    "title": gettext_lazy("品名"),
    "pieces": gettext_lazy("每周件数"),
    "pieces_month": gettext_lazy("每月件数"),
    "people": gettext_lazy("需要人数"),
    "piece_rate": gettext_lazy("计件单价(元/件)"),
    "starts_on": gettext_lazy("开始日期"),
    "ends_on": gettext_lazy("结束日期"),
    "period": gettext_lazy("需求时段(如 9月到12月、长期)"),
    "skill_level": gettext_lazy("技能要求"),
    "notes": gettext_lazy("备注"),
}
# A demand's weekly hours share the key "hours" with a wish's; on the demand list it is labelled so.
DEMAND_LABELS = {**LABELS, "hours": gettext_lazy("每周工时"), "place": gettext_lazy("做工地点")}


def headers_for(kind: str) -> dict[str, tuple[str, ...]]:
    return WISH_HEADERS if kind == ImportKind.WISHES else DEMAND_HEADERS


def hints_for(kind: str) -> dict[str, tuple[str, ...]]:
    return WISH_HINTS if kind == ImportKind.WISHES else DEMAND_HINTS


def labels_for(kind: str) -> dict:
    fields = WISH_HEADERS if kind == ImportKind.WISHES else DEMAND_HEADERS
    labels = LABELS if kind == ImportKind.WISHES else DEMAND_LABELS
    return {name: labels[name] for name in fields}


# --- cell words ---------------------------------------------------------------------------------------

YES = set(_w("是 有 y yes true 1 √ ✓ ✔ 对 低收入 低保 低边 低收入户 同意 已签"))
NO = {"否", "无", "没有", "不是", "n", "no", "false", "0", "×", "✗", "-", "/", "非", "不同意"}

KIND_WORDS: dict[str, str] = {}
for _kind, _words in {
    ProcessKind.ASSEMBLY: ("零件装配", "装配", "组装", "零件组装", "零件", "拼装", "assembly"),
    ProcessKind.FABRIC: ("布料加工", "布料", "缝纫", "缝制", "缝补", "针织", "手工缝纫", "服装", "fabric"),
    ProcessKind.PACKAGING: ("产品包装", "包装", "装盒", "贴标", "打包", "packaging"),
    ProcessKind.OTHER: ("其他", "其它", "手工", "其他简单手工", "简单手工", "other"),
}.items():
    for _word in _words:
        KIND_WORDS[_word] = _kind

# Characters in a new skill's name that suggest its process kind (the "add as a new skill" preselection).
KIND_HINTS: dict[str, tuple[str, ...]] = {
    ProcessKind.FABRIC: ("扣", "线", "缝", "布", "绣", "织", "衣", "袜", "剪线", "锁边"),
    ProcessKind.ASSEMBLY: ("装", "拧", "插", "焊", "配", "串", "穿珠", "组"),
    ProcessKind.PACKAGING: ("包", "盒", "标", "袋", "折", "封"),
}

WISH_PLACES = {
    WorkPlace.HOME: _w("在家 居家 在家做 家里 家 在家里做 居家做 在家里 家里做 在自己家 自己家 home"),
    # Someone who can do either is put down as coming to the workshop: that suits both kinds of demand.
    WorkPlace.WORKSHOP: _w(
        "到坊 到坊做 工坊 在工坊 在工坊做 到工坊 到工坊做 坊内 坊里 来坊里 来坊里做 来坊 去坊里 均可 "
        "都可以 都行 皆可 workshop"
    ),
}
DEMAND_PLACES = {
    DemandPlace.WORKSHOP: _w("到坊 到坊做 工坊 在工坊 在工坊做 到工坊 坊内 来坊里 坊里 否 不可 不能 不行"),
    DemandPlace.HOME_OK: _w("可居家 可在家 可在家做 在家 居家 在家做 均可 都可以 都行 是 可以 能 行"),
}
SKILL_LEVELS = {
    SkillLevel.BEGINNER: ("零基础", "零基础可做", "无要求", "不限", "入门", "新手", "无", "一般", "低"),
    SkillLevel.EXPERIENCED: ("有经验", "做过类似的活", "做过", "熟悉", "有基础", "中", "中等"),
    SkillLevel.SKILLED: ("熟练", "熟练工", "技工", "精通", "高", "熟手"),
}


def _invert(choices: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: value for value, words in choices.items() for word in words}


WISH_PLACE_WORDS = _invert(WISH_PLACES)
DEMAND_PLACE_WORDS = _invert(DEMAND_PLACES)
SKILL_LEVEL_WORDS = _invert(SKILL_LEVELS)
