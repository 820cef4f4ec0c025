// Opens a sealant HTML report in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and prints, as one JSON object, what a reader sees after the page's script
// ran and after each interaction: the rows, the filters' effect, a row's detail, a chart bar's
// filter, sorting, console errors and any request the page tried to make. tests/html.rs asserts
// on it. Usage: node check-report.cjs '{"report": …, "screenshot": …, "text": …,
// "severity": …, "rule": …, "bar": {"filter": …, "value": …}}'
"use strict";
const path = require("path");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

async function rows(page) {
  return page.$$eval("#findings-table tbody tr.finding", (trs) =>
    trs.map((tr) => ({
      index: Number(tr.getAttribute("data-index")),
      severity: tr.getAttribute("data-severity"),
      location: tr.querySelector(".loc").textContent,
      secret: tr.querySelector(".secret").textContent,
    }))
  );
}

async function main() {
  const config = JSON.parse(process.argv[2]);
  const userData = require("fs").mkdtempSync(path.join(require("os").tmpdir(), "sealant-chromium-"));
  const browser = await chromium.launchPersistentContext(userData, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
  const out = { consoleErrors: [], requests: [] };
  try {
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") out.consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) out.requests.push(r.url()); });
    await page.goto("file://" + path.resolve(config.report), { waitUntil: "load" });
    await page.waitForFunction(() =>
      document.querySelector("#findings-table") || !document.getElementById("empty").hidden);
    out.title = await page.title();
    out.empty = await page.$eval("#empty", (e) => !e.hidden);
    out.header = await page.$eval("header", (e) => e.innerText);
    out.charts = await page.$$eval("figure.chart figcaption", (fs) => fs.map((f) => f.textContent));
    if (out.empty) {
      await page.screenshot({ path: config.screenshot, fullPage: true });
      return;
    }
    out.rows = await rows(page);
    out.shown = await page.textContent("#shown");
    if (config.text !== undefined) {
      await page.fill("#f-text", config.text);
      out.byText = await rows(page);
      await page.click("#f-clear");
    }
    if (config.severity !== undefined) {
      await page.selectOption("#f-severity", config.severity);
      out.bySeverity = await rows(page);
      out.shownBySeverity = await page.textContent("#shown");
      await page.click("#f-clear");
    }
    if (config.rule !== undefined) {
      await page.selectOption("#f-rule", config.rule);
      out.byRule = await rows(page);
      await page.click("#f-clear");
    }
    if (config.bar !== undefined) {
      await page.click(`g.bar[data-filter="${config.bar.filter}"][data-value="${config.bar.value}"]`);
      out.byBar = await rows(page);
      await page.click("#f-clear");
    }
    if (config.head !== undefined) {
      await page.selectOption("#f-head", config.head);
      out.byHead = await rows(page);
      await page.click("#f-clear");
    }
    await page.click('th[data-sort="location"]');
    out.sortedByLocation = (await rows(page)).map((r) => r.location);
    await page.click('th[data-sort="location"]');
    out.sortedByLocationDesc = (await rows(page)).map((r) => r.location);
    await page.click('th[data-sort="severity"]');
    await page.click("#findings-table tbody tr.finding");
    out.detail = await page.$eval("#findings-table tbody tr.detail", (e) => e.innerText);
    await page.screenshot({ path: config.screenshot, fullPage: !config.viewportOnly });
  } finally {
    await browser.close();
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exit(1);
});
