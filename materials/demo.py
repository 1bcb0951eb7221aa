"""Bills of materials for the demo lines (来料): what each kind of work really takes, per piece.

Used by the demo jobs (``dispatch.demo``) and by ``simulate``: parts assembly counts panels and screws,
fabric measures cloth and thread in metres, packaging counts boxes, inserts and labels.
"""

from __future__ import annotations

from workshop.models import ProcessKind

from .services import BomInput

# line name → [(material, unit, per piece, allowed loss %)]
DEMO_BOMS: dict[str, list[BomInput]] = {
    "开关面板装配线": [BomInput("开关面板", "ge", "1", "0.5"), BomInput("螺丝", "ge", "2", "1")],
    "插座组件装配线": [
        BomInput("插座外壳", "ge", "1", "0.5"),
        BomInput("铜片", "ge", "3", "1"),
        BomInput("螺丝", "ge", "2", "1"),
    ],
    "童装辅料缝制线": [BomInput("包边布", "m", "0.35", "2"), BomInput("缝纫线", "m", "1.2", "5")],
    "环保布袋加工线": [BomInput("帆布", "m", "0.8", "2"), BomInput("提手", "ge", "2", "0.5")],
    "礼盒包装线": [
        BomInput("礼盒", "ge", "1", "0.5"),
        BomInput("内衬", "ge", "1", "1"),
        BomInput("标签", "zhang", "2", "1"),
    ],
    "紧固件分拣装配线": [BomInput("螺栓", "ge", "1", "0.2"), BomInput("垫片", "ge", "2", "0.5")],
    "毛巾折叠包装线": [BomInput("包装袋", "ge", "1", "1"), BomInput("外箱", "ge", "0.05", "0")],
    "布艺修剪线": [BomInput("缝纫线", "m", "0.6", "5")],
}

BY_KIND: dict[str, list[BomInput]] = {
    ProcessKind.ASSEMBLY: [BomInput("零件", "ge", "1", "0.5")],
    ProcessKind.FABRIC: [BomInput("布料", "m", "0.5", "2")],
    ProcessKind.PACKAGING: [BomInput("包装盒", "ge", "1", "0.5")],
    ProcessKind.OTHER: [],
}


def bom_for_line(line) -> list[BomInput]:
    """The demo bill of materials of production ``line`` (by its name, else by its kind of work)."""
    return list(DEMO_BOMS.get(line.name) or BY_KIND.get(line.process_kind, []))
