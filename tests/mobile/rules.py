"""Measure MIIT's 2021 elderly-friendly rules (适老化通用设计规范) in a real page, from computed styles.

``check_page(page)`` measures, in the browser at the page's current size:

- every visible element with text of its own: font size ≥ 18 px and line height ≥ 1.3 × font size;
- key figures (``.key``): font size ≥ 30 px, and at least one on pages that show pieces or yuan;
- primary controls (``.primary``, the tabs, the − / + steppers, the report's number box): box ≥ 60×60 px;
- every other control (buttons, links, inputs, selects; a checkbox or radio by the label that wraps it,
  its real tap target): box ≥ 44×44 px;
- contrast of each text element's colour against its effective background ≥ 4.5:1 (WCAG formula), the
  background found by walking up the ancestors to the first non-transparent background colour (white
  at the top), semi-transparent colours blended over what is under them;
- larger text: the root font size is set to 150 % (what Android's and WeChat's larger-text settings do to
  a page whose sizes are in rem, as ours are); then the body text must have grown to ≥ 27 px and the
  page must still fit 360 px: no horizontal scroll (document scroll width ≤ viewport width) and no
  element's right edge past the viewport. The root size is put back afterwards.

``Sizes`` sums what a page load transferred (response headers + encoded bodies, from the browser's own
request sizes) with the browser cache turned off through the DevTools protocol, so every page is
measured as a first visit would cost, including its CSS, script and icons.
"""

from __future__ import annotations

import json
from pathlib import Path

MEASURE = r"""
() => {
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility !== "hidden" && s.display !== "none";
  };
  const ownText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const label = (el) => {
    const cls = typeof el.className === "string" && el.className.trim();
    const text = (el.innerText || el.value || "").trim().slice(0, 20);
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    return name + (cls ? "." + cls.split(/\s+/).join(".") : "") + " «" + text + "»";
  };

  const out = {
    body: parseFloat(getComputedStyle(document.body).fontSize),
    text: [], keys: [], primary: [], controls: [], contrast: [],
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el) || !ownText(el)) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === "normal" ? 1.2 * size : parseFloat(s.lineHeight);
    const bg = background(el);
    const fg = over(parse(s.color), bg);
    out.text.push({ el: label(el), size, lh: lh / size });
    out.contrast.push({ el: label(el), ratio: ratio(fg, bg) });
  }
  for (const el of document.querySelectorAll(".key")) {
    if (visible(el)) out.keys.push({ el: label(el), size: parseFloat(getComputedStyle(el).fontSize) });
  }
  const primary = new Set(document.querySelectorAll(".primary, .tabs a, .stepper .step, .stepper input"));
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { el: label(el), w: r.width, h: r.height };
  };
  for (const el of primary) if (visible(el)) out.primary.push(box(el));
  for (const el of document.querySelectorAll("a, button, input, select, textarea")) {
    if (primary.has(el) || el.type === "hidden") continue;
    const target = (el.type === "checkbox" || el.type === "radio") ? el.closest("label") : el;
    if (target && visible(target)) out.controls.push(box(target));
  }
  return out;
}
"""

OVERFLOW_AT_150 = r"""
() => {
  const root = document.documentElement;
  const before = root.style.fontSize;
  root.style.fontSize = "150%";
  const vw = root.clientWidth;
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const scroll = root.scrollWidth - vw;
  const past = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > vw + 0.5)
    .map((el) => el.tagName.toLowerCase() + "." + String(el.className)
      + " «" + (el.innerText || "").trim().slice(0, 20) + "»");
  root.style.fontSize = before;
  return { body, scroll, past };
}
"""


def check_page(page, *, figures: bool = False) -> dict:
    """Assert the rules on ``page`` as it is now; return the measurements (for the report)."""
    m = page.evaluate(MEASURE)
    problems = []
    if m["body"] < 18:
        problems.append(f"body font {m['body']}px < 18")
    problems += [f"text {t['el']} {t['size']}px < 18" for t in m["text"] if t["size"] < 18 - 0.01]
    problems += [f"line height {t['el']} {t['lh']:.2f} < 1.3" for t in m["text"] if t["lh"] < 1.3 - 0.01]
    problems += [f"key figure {k['el']} {k['size']}px < 30" for k in m["keys"] if k["size"] < 30]
    if figures and not m["keys"]:
        problems.append("no key figure (.key) on a page that shows figures")
    problems += [
        f"primary {b['el']} {b['w']:.0f}×{b['h']:.0f} < 60×60"
        for b in m["primary"]
        if min(b["w"], b["h"]) < 60
    ]
    problems += [
        f"control {b['el']} {b['w']:.0f}×{b['h']:.0f} < 44×44"
        for b in m["controls"]
        if min(b["w"], b["h"]) < 44
    ]
    problems += [f"contrast {c['el']} {c['ratio']:.2f} < 4.5" for c in m["contrast"] if c["ratio"] < 4.5]
    big = page.evaluate(OVERFLOW_AT_150)
    if big["body"] < 27:
        problems.append(f"at 150 % text the body is {big['body']}px: sizes do not follow the text setting")
    if big["scroll"] > 0 or big["past"]:
        problems.append(
            f"at 150 % text: horizontal scroll {big['scroll']}px, past the edge: {big['past'][:5]}"
        )
    assert not problems, "\n".join(problems)
    return m


BUDGET = Path(__file__).resolve().parent.parent.parent / "artifacts" / "mobile-page-sizes.json"
LIMIT = 150 * 1024


class Sizes:
    """What each page load transferred, with the browser cache off (see the module docstring)."""

    def __init__(self, page):
        self.page = page
        self.requests: list = []
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.on("requestfinished", lambda request: self.requests.append(request))

    def load(self, url: str | None = None) -> int:
        """Load ``url`` (or reload the current page) and return the bytes it transferred."""
        self.requests.clear()
        if url is None:
            self.page.reload(wait_until="networkidle")
        else:
            self.page.goto(url, wait_until="networkidle")
        # Lazy images (the job photo) load when scrolled to: a worker reading the page pulls them too.
        self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(200)
        self.page.evaluate("window.scrollTo(0, 0)")
        total = 0
        for request in list(self.requests):
            sizes = request.sizes()
            total += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        return total

    def measure(self, name: str, url: str | None = None) -> int:
        """Load and assert the page is under 150 KB; record it in artifacts/mobile-page-sizes.json."""
        total = self.load(url)
        assert total < LIMIT, f"{name}: {total} bytes transferred ≥ 150 KB"
        data = json.loads(BUDGET.read_text()) if BUDGET.exists() else {}
        data[name] = {"bytes": total, "requests": len(self.requests)}
        BUDGET.parent.mkdir(parents=True, exist_ok=True)
        BUDGET.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        return total
