"""Industries of the national economy (国民经济行业分类), GB/T 4754-2017: the 20 sections (门类, A–T) and
their 97 divisions (大类, two-digit codes 01–97), as a firm's industry is recorded and firms are grouped in
the firm directory. Names are the standard's own; English follows the ISIC wording where it matches.

A firm records its section and, optionally, its division (``PartnerFirm.industry``,
``PartnerFirm.industry_division``); a division belongs to exactly one section (``SECTION_OF``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# (letter, name, first division, last division)
SECTIONS = [
    ("A", _("农、林、牧、渔业"), 1, 5),
    ("B", _("采矿业"), 6, 12),
    ("C", _("制造业"), 13, 43),
    ("D", _("电力、热力、燃气及水生产和供应业"), 44, 46),
    ("E", _("建筑业"), 47, 50),
    ("F", _("批发和零售业"), 51, 52),
    ("G", _("交通运输、仓储和邮政业"), 53, 60),
    ("H", _("住宿和餐饮业"), 61, 62),
    ("I", _("信息传输、软件和信息技术服务业"), 63, 65),
    ("J", _("金融业"), 66, 69),
    ("K", _("房地产业"), 70, 70),
    ("L", _("租赁和商务服务业"), 71, 72),
    ("M", _("科学研究和技术服务业"), 73, 75),
    ("N", _("水利、环境和公共设施管理业"), 76, 79),
    ("O", _("居民服务、修理和其他服务业"), 80, 82),
    ("P", _("教育"), 83, 83),
    ("Q", _("卫生和社会工作"), 84, 85),
    ("R", _("文化、体育和娱乐业"), 86, 90),
    ("S", _("公共管理、社会保障和社会组织"), 91, 96),
    ("T", _("国际组织"), 97, 97),
]

DIVISIONS = [
    ("01", _("农业")),
    ("02", _("林业")),
    ("03", _("畜牧业")),
    ("04", _("渔业")),
    ("05", _("农、林、牧、渔专业及辅助性活动")),
    ("06", _("煤炭开采和洗选业")),
    ("07", _("石油和天然气开采业")),
    ("08", _("黑色金属矿采选业")),
    ("09", _("有色金属矿采选业")),
    ("10", _("非金属矿采选业")),
    ("11", _("开采专业及辅助性活动")),
    ("12", _("其他采矿业")),
    ("13", _("农副食品加工业")),
    ("14", _("食品制造业")),
    ("15", _("酒、饮料和精制茶制造业")),
    ("16", _("烟草制品业")),
    ("17", _("纺织业")),
    ("18", _("纺织服装、服饰业")),
    ("19", _("皮革、毛皮、羽毛及其制品和制鞋业")),
    ("20", _("木材加工和木、竹、藤、棕、草制品业")),
    ("21", _("家具制造业")),
    ("22", _("造纸和纸制品业")),
    ("23", _("印刷和记录媒介复制业")),
    ("24", _("文教、工美、体育和娱乐用品制造业")),
    ("25", _("石油、煤炭及其他燃料加工业")),
    ("26", _("化学原料和化学制品制造业")),
    ("27", _("医药制造业")),
    ("28", _("化学纤维制造业")),
    ("29", _("橡胶和塑料制品业")),
    ("30", _("非金属矿物制品业")),
    ("31", _("黑色金属冶炼和压延加工业")),
    ("32", _("有色金属冶炼和压延加工业")),
    ("33", _("金属制品业")),
    ("34", _("通用设备制造业")),
    ("35", _("专用设备制造业")),
    ("36", _("汽车制造业")),
    ("37", _("铁路、船舶、航空航天和其他运输设备制造业")),
    ("38", _("电气机械和器材制造业")),
    ("39", _("计算机、通信和其他电子设备制造业")),
    ("40", _("仪器仪表制造业")),
    ("41", _("其他制造业")),
    ("42", _("废弃资源综合利用业")),
    ("43", _("金属制品、机械和设备修理业")),
    ("44", _("电力、热力生产和供应业")),
    ("45", _("燃气生产和供应业")),
    ("46", _("水的生产和供应业")),
    ("47", _("房屋建筑业")),
    ("48", _("土木工程建筑业")),
    ("49", _("建筑安装业")),
    ("50", _("建筑装饰、装修和其他建筑业")),
    ("51", _("批发业")),
    ("52", _("零售业")),
    ("53", _("铁路运输业")),
    ("54", _("道路运输业")),
    ("55", _("水上运输业")),
    ("56", _("航空运输业")),
    ("57", _("管道运输业")),
    ("58", _("多式联运和运输代理业")),
    ("59", _("装卸搬运和仓储业")),
    ("60", _("邮政业")),
    ("61", _("住宿业")),
    ("62", _("餐饮业")),
    ("63", _("电信、广播电视和卫星传输服务")),
    ("64", _("互联网和相关服务")),
    ("65", _("软件和信息技术服务业")),
    ("66", _("货币金融服务")),
    ("67", _("资本市场服务")),
    ("68", _("保险业")),
    ("69", _("其他金融业")),
    ("70", _("房地产业")),
    ("71", _("租赁业")),
    ("72", _("商务服务业")),
    ("73", _("研究和试验发展")),
    ("74", _("专业技术服务业")),
    ("75", _("科技推广和应用服务业")),
    ("76", _("水利管理业")),
    ("77", _("生态保护和环境治理业")),
    ("78", _("公共设施管理业")),
    ("79", _("土地管理业")),
    ("80", _("居民服务业")),
    ("81", _("机动车、电子产品和日用产品修理业")),
    ("82", _("其他服务业")),
    ("83", _("教育")),
    ("84", _("卫生")),
    ("85", _("社会工作")),
    ("86", _("新闻和出版业")),
    ("87", _("广播、电视、电影和录音制作业")),
    ("88", _("文化艺术业")),
    ("89", _("体育")),
    ("90", _("娱乐业")),
    ("91", _("中国共产党机关")),
    ("92", _("国家机构")),
    ("93", _("人民政协、民主党派")),
    ("94", _("社会保障")),
    ("95", _("群众团体、社会团体和其他成员组织")),
    ("96", _("基层群众自治组织及其他组织")),
    ("97", _("国际组织")),
]

SECTION_CHOICES = [(letter, name) for letter, name, _first, _last in SECTIONS]
SECTION_NAMES = dict(SECTION_CHOICES)
DIVISION_NAMES = dict(DIVISIONS)
# Each division's section: "38" → "C".
SECTION_OF = {f"{n:02d}": letter for letter, _name, first, last in SECTIONS for n in range(first, last + 1)}
DIVISION_CHOICES = [(code, format_lazy("{}{} {}", SECTION_OF[code], code, name)) for code, name in DIVISIONS]


def divisions_of(section: str) -> list[str]:
    """The division codes of ``section`` ("K" → ["70"]); [] for an unknown letter."""
    return [code for code, letter in SECTION_OF.items() if letter == section]


def label(section: str, division: str = "") -> str:
    """How a firm's industry reads: "C 制造业 · 38 电气机械和器材制造业", "C 制造业", or "" for none."""
    if not section:
        return ""
    text = f"{section} {SECTION_NAMES.get(section, '')}"
    if division:
        text += f" · {division} {DIVISION_NAMES.get(division, '')}"
    return text


UNCLASSIFIED = ""  # the group of firms whose industry is not recorded yet


@dataclass
class SectionGroup:
    """One section of the directory: its letter ("" for firms not yet classified), name and firms."""

    section: str
    name: str
    firms: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.firms)


def group_by_section(firms) -> list[SectionGroup]:
    """``firms`` (anything with ``industry``) grouped by section in the standard's order (A … T), the
    unclassified last; sections without a firm are left out; within a group, the given order."""
    groups: dict[str, SectionGroup] = {}
    for firm in firms:
        letter = firm.industry or UNCLASSIFIED
        if letter not in groups:
            groups[letter] = SectionGroup(section=letter, name=str(SECTION_NAMES.get(letter, "")))
        groups[letter].firms.append(firm)
    order = {letter: i for i, (letter, _name) in enumerate(SECTION_CHOICES)}
    return sorted(groups.values(), key=lambda g: order.get(g.section, len(order)))


NONE_PARAM = "none"  # how a page's query string asks for the unclassified firms (?industry=none)


def section_param(value: str | None) -> str | None:
    """A page's ``industry`` parameter read: a section letter, "" for the unclassified (``none``), or
    None for every section (absent, blank or unknown)."""
    value = (value or "").strip()
    if value == NONE_PARAM:
        return UNCLASSIFIED
    value = value.upper()
    return value if value in SECTION_NAMES else None
