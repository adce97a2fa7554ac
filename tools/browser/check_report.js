// Opens a migkaitai HTML report in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core), works it as a person would, and prints what the rendered page
// shows as one JSON object (tests/test_report_browser.py asserts on it):
//   node check_report.js REPORT.html SCREENSHOT.png [SEARCH]
// The browser runs offline: every request but the file itself is refused and counted.
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

async function main() {
  const [report, shot, query] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const out = { console: [], pageErrors: [], requests: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const url = "file://" + path.resolve(report);
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") out.console.push(m.type() + ": " + m.text());
    });
    page.on("pageerror", (e) => out.pageErrors.push(String(e)));
    await page.route("**/*", (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      out.requests.push(u);
      return route.abort();
    });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
    out.loadMs = Date.now() - t0;
    out.title = await page.title();
    out.facts = await page.$$eval("#facts tr", (rows) => rows.map((r) =>
      [r.querySelector("th").textContent, r.querySelector("td").textContent]));
    out.error = await page.$eval("#error", (e) => e.textContent).catch(() => null);
    out.faultMarker = (await page.$("#fault-marker")) !== null;
    out.ram = await page.$$eval(".ramblock", (els) => els.map((e) => {
      const counts = {};
      for (const a of e.getAttributeNames()) if (a.startsWith("data-count-")) counts[a.slice(11)] = Number(e.getAttribute(a));
      const c = e.querySelector("canvas");
      return { block: e.getAttribute("data-block"), cells: Number(e.getAttribute("data-cells")),
        perCell: Number(e.getAttribute("data-per-cell")), pages: Number(e.getAttribute("data-pages")), counts,
        canvas: c ? [c.width, c.height] : null,
        shown: Object.fromEntries([...e.querySelectorAll("td[data-class]")].map((td) =>
          [td.getAttribute("data-class"), Number(td.textContent.replace(/,/g, ""))])) };
    }));
    // the colour of the first cell of each block, as drawn
    out.firstCellRGB = await page.$$eval(".ramblock canvas", (cs) => cs.map((c) =>
      Array.from(c.getContext("2d").getImageData(2, 2, 1, 1).data.slice(0, 3))));
    // hover the first cell of the first block: the tip gives the exact counts
    const canvas = await page.$(".ramblock canvas");
    if (canvas) {
      const box = await canvas.boundingBox();
      await page.mouse.move(box.x + 3, box.y + 3);
      out.ramTip = await page.$eval("#tip", (t) => (t.hidden ? null : t.textContent));
      await page.mouse.move(0, 0);
    }
    const count = await page.$("#device-count");
    out.devices = Number(await count.getAttribute("data-devices"));
    out.sections = Number(await count.getAttribute("data-sections"));
    out.deviceCountText = await count.textContent();
    out.treeEntries = await page.$$eval("#device-tree > details.dev", (d) => d.length);
    out.segments = await page.$$eval("#file-bar rect.seg", (rs) => rs.map((r) =>
      [r.getAttribute("class").replace("seg seg-", ""), Number(r.getAttribute("data-device"))]));
    // expand the first device with fields: its children appear
    const first = await page.$("#device-tree > details.dev");
    out.expanded = null;
    if (first) {
      await first.$eval("summary", (s) => s.click());
      out.expanded = {
        name: await first.$eval("summary .name", (e) => e.textContent),
        open: await first.evaluate((d) => d.open),
        rows: await first.$$eval(":scope > details, :scope > div", (e) => e.length),
        firstRow: await first.$eval(":scope > details > summary, :scope > div", (e) => e.textContent).catch(() => null),
      };
    }
    // click a device section on the file map: its tree entry opens and is shown
    const devSeg = await page.$("#file-bar rect.seg-device");
    out.clickedDevice = null;
    if (devSeg) {
      const i = Number(await devSeg.getAttribute("data-device"));
      await devSeg.dispatchEvent("click");
      out.clickedDevice = {
        index: i,
        info: await page.$eval("#file-info", (e) => e.textContent),
        open: await page.$eval("#dev-" + i, (d) => d.open),
      };
    }
    // collapse everything again for the screenshot, then search
    await page.evaluate(() => { for (const d of document.querySelectorAll("details")) d.open = false; });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: false });
    if (query) {
      await page.fill("#device-search", query);
      out.search = {
        query,
        shown: Number(await count.getAttribute("data-shown")),
        visible: await page.$$eval("#device-tree > details.dev", (ds) => ds.filter((d) => !d.hidden).map((d) => d.querySelector(".name").textContent)),
        text: await count.textContent(),
      };
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(1); });
