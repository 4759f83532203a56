// Looks at an HTML report the way a person does: loads it in the real
// Chromium through puppeteer-core, and for every element that shows text
// (HTML text and SVG <text>) computes the WCAG 2 contrast ratio of its
// colour against the background it is drawn on (the nearest ancestor
// backgrounds, alpha-blended down to the page's white). Writes a full-page
// screenshot, prints one line per element under the bar and a summary as
// JSON, and exits 1 when any text falls under the bar.
//
// usage: node contrast.mjs PUPPETEER_DIR CHROMIUM PAGE.html SCREENSHOT.png [MIN_RATIO]
import { createRequire } from "node:module";
import path from "node:path";

const [dir, chromium, page, shot, minArg] = process.argv.slice(2);
const min = Number(minArg || 4.5);
const require = createRequire(path.join(dir, "node_modules", "x.js"));
const puppeteer = require("puppeteer-core");

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1280, height: 1000 });
  await tab.goto("file://" + path.resolve(page), { waitUntil: "load" });
  const result = await tab.evaluate((min) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const lum = (c) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    // the background an element is drawn on: its own and its ancestors', blended
    const background = (el) => {
      const layers = [];
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const s = getComputedStyle(e);
        const c = parse(e instanceof SVGElement && e.tagName === "svg" ? s.backgroundColor
                                                                      : s.backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a >= 1) break;
      }
      let bg = { r: 255, g: 255, b: 255, a: 1 };
      for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
      return bg;
    };
    const section = (el) => {
      const s = el.closest("section[id], h2, table, footer, svg, div.incomplete");
      const sec = el.closest("section");
      if (sec && sec.id) return sec.id + (sec.className ? " (" + sec.className + ")" : "");
      let h = null;
      for (let e = el; e && !h; e = e.previousElementSibling || e.parentElement)
        if (e.tagName === "H2") h = e.textContent;
      return (h || "top") + (s ? " / " + s.tagName.toLowerCase() : "");
    };
    const out = { checked: 0, failures: [], min: 99, minAt: "", bySection: {} };
    const all = document.querySelectorAll("body *");
    for (const el of all) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const s = getComputedStyle(el);
      if (s.visibility === "hidden" || s.display === "none") continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const isSvg = el instanceof SVGElement;
      const fg0 = parse(isSvg ? s.fill : s.color);
      if (!fg0) continue;
      const bg = background(isSvg ? el.ownerSVGElement || el : el);
      const fg = over(fg0, bg);
      const l1 = lum(fg), l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const where = section(el);
      out.checked++;
      const b = out.bySection[where] || (out.bySection[where] = { n: 0, min: 99 });
      b.n++;
      b.min = Math.min(b.min, ratio);
      if (ratio < out.min) { out.min = ratio; out.minAt = where + ": " + el.textContent.trim().slice(0, 40); }
      if (ratio < min)
        out.failures.push(`${ratio.toFixed(2)}:1 ${el.tagName.toLowerCase()}.${el.className?.baseVal ?? el.className} in ${where}: "${el.textContent.trim().slice(0, 60)}" (${s.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
    }
    return out;
  }, min);
  await tab.screenshot({ path: shot, fullPage: true });
  for (const f of result.failures.slice(0, 40)) console.log("under " + min + ":1: " + f);
  console.log(JSON.stringify({ checked: result.checked, failures: result.failures.length,
                               min: Number(result.min.toFixed(2)), minAt: result.minAt,
                               sections: Object.keys(result.bySection).length }));
  process.exitCode = result.failures.length || result.checked === 0 ? 1 : 0;
} finally {
  await browser.close();
}
