"""The names of China's provincial-level divisions (GB/T 2260) in the reader's language.

``province_label("浙江")`` → ``"浙江"`` in Chinese, ``"Zhejiang"`` in English; a name not in the list
(a typo, a city) comes back as written. A minimum wage's ``region`` is stored as the short Chinese name
(``浙江``), so pages and sentences about it go through here."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

# Short names as the provinces' own minimum-wage notices write them; the English is the pinyin the
# State Council's English site uses (Inner Mongolia, Tibet and the two SARs by their usual names).
_NAMES = {
    "北京": pgettext_lazy("province", "北京"),
    "天津": pgettext_lazy("province", "天津"),
    "河北": pgettext_lazy("province", "河北"),
    "山西": pgettext_lazy("province", "山西"),
    "内蒙古": pgettext_lazy("province", "内蒙古"),
    "辽宁": pgettext_lazy("province", "辽宁"),
    "吉林": pgettext_lazy("province", "吉林"),
    "黑龙江": pgettext_lazy("province", "黑龙江"),
    "上海": pgettext_lazy("province", "上海"),
    "江苏": pgettext_lazy("province", "江苏"),
    "浙江": pgettext_lazy("province", "浙江"),
    "安徽": pgettext_lazy("province", "安徽"),
    "福建": pgettext_lazy("province", "福建"),
    "江西": pgettext_lazy("province", "江西"),
    "山东": pgettext_lazy("province", "山东"),
    "河南": pgettext_lazy("province", "河南"),
    "湖北": pgettext_lazy("province", "湖北"),
    "湖南": pgettext_lazy("province", "湖南"),
    "广东": pgettext_lazy("province", "广东"),
    "广西": pgettext_lazy("province", "广西"),
    "海南": pgettext_lazy("province", "海南"),
    "重庆": pgettext_lazy("province", "重庆"),
    "四川": pgettext_lazy("province", "四川"),
    "贵州": pgettext_lazy("province", "贵州"),
    "云南": pgettext_lazy("province", "云南"),
    "西藏": pgettext_lazy("province", "西藏"),
    "陕西": pgettext_lazy("province", "陕西"),
    "甘肃": pgettext_lazy("province", "甘肃"),
    "青海": pgettext_lazy("province", "青海"),
    "宁夏": pgettext_lazy("province", "宁夏"),
    "新疆": pgettext_lazy("province", "新疆"),
    "香港": pgettext_lazy("province", "香港"),
    "澳门": pgettext_lazy("province", "澳门"),
    "台湾": pgettext_lazy("province", "台湾"),
}


def province_label(name: str) -> str:
    """``name`` (a short Chinese province name such as ``浙江``) in the reader's language; as written when
    it is not a province's short name."""
    label = _NAMES.get((name or "").strip())
    return str(label) if label is not None else (name or "")


def region_and_tier(region: str, tier_label) -> str:
    """``浙江第三档`` / ``Zhejiang Tier 3``: a minimum wage's province and tier, for a sentence."""
    text = pgettext("minimum wage region", "%(region)s%(tier)s")
    return text % {"region": province_label(region), "tier": tier_label}
