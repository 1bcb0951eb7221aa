"""Draw the worker pages' app icons (a white heart on the brand's warm orange) into static/mobile/.

Run once when the design changes: `.venv/bin/python scripts/make_mobile_icons.py`. The PNGs are committed.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "mobile"
BRAND = (154, 52, 18)
WHITE = (255, 255, 255)


def heart(size: int, scale: float) -> list[tuple[float, float]]:
    """The classic parametric heart, centred, ``scale`` of the icon wide."""
    points = []
    for i in range(360):
        t = math.radians(i)
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((size / 2 + x * size * scale / 34, size * 0.52 - y * size * scale / 34))
    return points


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * 4  # draw large, scale down: smooth edges without anti-aliasing support in ImageDraw
    img = Image.new("RGB", (big, big), BRAND if maskable else (255, 250, 245))
    draw = ImageDraw.Draw(img)
    if not maskable:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big // 5, fill=BRAND)
    draw.polygon(heart(big, 0.5 if maskable else 0.62), fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
