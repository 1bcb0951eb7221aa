"""A county's routing day for the benchmark: 50 workshops around 新街社区 (Haiyan), each with its couriers'
stops for one day (door deliveries, collections, hand-overs to the firm). Plain data, seeded, no database."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from logistics.routing import COLLECT, DELIVER, HANDOVER, Point, StopRequest, VehicleSpec

XINJIE = Point(30.53, 120.94)  # 新街社区, Haiyan
M_PER_DEG = 111_195


@dataclass(frozen=True)
class WorkshopDay:
    """One workshop's routing input: its depot, the day's stops and its 1–2 vehicles."""

    workshop: str
    depot: Point
    stops: tuple[StopRequest, ...]
    vehicles: tuple[VehicleSpec, ...]


def _near(rng: random.Random, centre: Point, radius_m: float) -> Point:
    """A point uniformly within ``radius_m`` metres of ``centre``."""
    r, a = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return Point(
        round(centre.lat + r * math.sin(a) / M_PER_DEG, 6),
        round(centre.lng + r * math.cos(a) / (M_PER_DEG * math.cos(math.radians(centre.lat))), 6),
    )


def route_day(seed: int = 7, workshops: int = 50, stops_each: int = 20) -> list[WorkshopDay]:
    """``workshops`` workshops within 12 km of 新街社区, each with about ``stops_each`` stops (±4) within 3 km
    of it: deliveries (1–4 boxes), collections (1–4), a hand-over or two (2–8); one stop in 20 has no map
    point, three in 10 have a 60–120-minute window; 1–2 vehicles of 6–12 boxes. Same seed, same day."""
    rng = random.Random(seed)
    out = []
    for w in range(workshops):
        depot = _near(rng, XINJIE, 12_000)
        stops = []
        for i in range(max(1, stops_each + rng.randint(-4, 4))):
            kind = rng.choices([DELIVER, COLLECT, HANDOVER], weights=[45, 45, 10])[0]
            boxes = rng.randint(2, 8) if kind == HANDOVER else rng.randint(1, 4)
            point = None if rng.random() < 0.05 else _near(rng, depot, 3000)
            window = None
            if rng.random() < 0.3:
                opens = rng.randrange(0, 180, 15)
                window = (opens, opens + rng.choice([60, 90, 120]))
            stops.append(StopRequest(f"{kind}:{w}:{i}", kind, point, boxes, window))
        vehicles = tuple(
            VehicleSpec(f"ws{w}-v{k}", rng.randint(6, 12), rng.choice([10.0, 12.0, 15.0]))
            for k in range(rng.randint(1, 2))
        )
        out.append(WorkshopDay(f"ws{w}", depot, tuple(stops), vehicles))
    return out
