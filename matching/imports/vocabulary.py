"""The words communities write in their spreadsheets, as tables: which headers name which field, and
which cell words mean which process kind, place, skill level, yes or no.

Data only (no parsing, no queries): ``parsing`` and ``checking`` read these tables. Add a synonym here
when a community's sheet uses a header or a word the importer does not know yet.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from workshop.models import ProcessKind, WorkPlace

from ..models import DemandPlace, SkillLevel

# --- headers ------------------------------------------------------------------------------------------

WISH_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "人员姓名", "户主姓名"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    "skills": ("技能", "会做的活", "技能特长", "特长", "擅长", "会做什么", "可做工序", "工种"),
    "hours": (
        "每周小时",
        "每周工时",
        "每周小时数",
        "每周可做小时",
        "每周可做",
        "每周能做",
        "每周能做小时",
        "每周可用工时",
        "每周可用时间",
        "可用时间",
        "时长",
    ),
    "place": (
        "在家/到坊",
        "到坊/在家",
        "居家/到坊",
        "在家或到坊",
        "做工地点",
        "工作地点",
        "地点",
        "做工方式",
    ),
    "area": ("片区", "居住片区", "所在片区", "小区", "居住小区", "网格", "所在网格", "住址", "居住地"),
    "low_income": ("低收入", "是否低收入", "低收入户", "低收入家庭", "是否低收入户"),
    "consent": ("本人同意", "同意", "是否同意", "已签同意书", "同意书"),
}
WISH_KEY, WISH_REQUIRED = "phone", ("name", "phone", "skills", "hours", "place", "area")

DEMAND_HEADERS: dict[str, tuple[str, ...]] = {
    "firm_name": ("企业名称", "企业", "企业全称", "公司名称", "公司", "单位名称", "单位"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码"),
    "contact": ("联系人", "企业联系人"),
    "contact_phone": ("联系电话", "联系人电话", "电话", "手机号", "手机", "联系方式"),
    "kind": ("工序", "工序类别", "加工工序", "加工类型", "活的种类", "工种"),
    "title": ("品名", "产品", "工作内容", "加工内容", "品名/工序", "产品名称"),
    "pieces": ("件数/每周", "每周件数", "件数", "周件数", "每周需求件数", "需求件数"),
    "hours": ("工时/每周", "每周工时", "每周小时", "工时", "每周用工小时"),
    "people": ("人数", "需要人数", "用工人数", "需求人数", "需用工人数"),
    "starts_on": ("开始日期", "起始日期", "开始时间", "开始", "起始时间"),
    "ends_on": ("结束日期", "截止日期", "结束时间", "结束", "截止时间"),
    "skill_level": ("技能要求", "技能等级", "熟练程度", "技能"),
    "place": ("在家/到坊", "做工地点", "工作地点", "地点", "可否居家", "是否可居家", "能否在家做"),
    "notes": ("备注", "说明", "其他要求"),
}
DEMAND_KEY, DEMAND_REQUIRED = "credit_code", ("credit_code", "kind", "starts_on")

LABELS = {
    "name": gettext_lazy("姓名"),
    "phone": gettext_lazy("手机号"),
    "skills": gettext_lazy("技能"),
    "hours": gettext_lazy("每周小时"),
    "place": gettext_lazy("在家/到坊"),
    "area": gettext_lazy("片区"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "kind": gettext_lazy("工序"),
    "starts_on": gettext_lazy("开始日期"),
}

# --- cell words ---------------------------------------------------------------------------------------

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对", "低收入", "低保", "低边", "低收入户"}
NO = {"否", "无", "没有", "不是", "n", "no", "false", "0", "×", "✗", "-", "/", "非"}

KIND_WORDS: dict[str, str] = {}
for _kind, _words in {
    ProcessKind.ASSEMBLY: ("零件装配", "装配", "组装", "零件组装", "零件", "拼装", "assembly"),
    ProcessKind.FABRIC: ("布料加工", "布料", "缝纫", "缝制", "缝补", "针织", "手工缝纫", "服装", "fabric"),
    ProcessKind.PACKAGING: ("产品包装", "包装", "装盒", "贴标", "打包", "packaging"),
    ProcessKind.OTHER: ("其他", "其它", "手工", "其他简单手工", "简单手工", "other"),
}.items():
    for _w in _words:
        KIND_WORDS[_w] = _kind

WISH_PLACES = {
    WorkPlace.HOME: ("在家", "居家", "在家做", "家里", "家", "在家里做", "居家做", "home"),
    # Someone who can do either is put down as coming to the workshop: that suits both kinds of demand.
    WorkPlace.WORKSHOP: (
        "到坊",
        "到坊做",
        "工坊",
        "在工坊",
        "在工坊做",
        "到工坊",
        "到工坊做",
        "坊内",
        "坊里",
        "均可",
        "都可以",
        "都行",
        "皆可",
        "workshop",
    ),
}
DEMAND_PLACES = {
    DemandPlace.WORKSHOP: (
        "到坊",
        "到坊做",
        "工坊",
        "在工坊",
        "在工坊做",
        "到工坊",
        "坊内",
        "否",
        "不可",
        "不能",
    ),
    DemandPlace.HOME_OK: (
        "可居家",
        "可在家",
        "可在家做",
        "在家",
        "居家",
        "在家做",
        "均可",
        "都可以",
        "都行",
        "是",
        "可以",
        "能",
    ),
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
