// Writes docs/screenshots/*.png: the main pages of the demo workspace in headless
// Chromium, against the real server (the debug build, or MILEPOST_BIN).
// Run from the repository root: `node e2e/screenshots.mjs` (after `cargo build` and
// `cd e2e && npm ci`).
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, startBrowser, newPage, logIn, MEMBER } from "./server.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "screenshots");
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await startBrowser();
try {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  await logIn(page, server.url, MEMBER);
  const shots = [
    ["dashboard", "/"],
    ["alignment", "/alignment"],
    ["check-in", "/check-in"],
    ["cycles", "/cycles"],
    ["kpis", "/kpis"],
    ["new-objective", "/objectives/new"],
  ];
  for (const [name, path] of shots) {
    await page.goto(`${server.url}${path}`);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  }
  // The first company objective, with its burn-up charts drawn.
  await page.goto(`${server.url}/`);
  await page.click("#company-heading + figure tbody tr:first-child th a");
  await page.waitForSelector("figure.burnup.drawn .uplot canvas");
  await page.screenshot({ path: join(out, "objective.png"), fullPage: false });
  // A KPI's chart with its target and warning band.
  await page.goto(`${server.url}/kpis`);
  await page.click("section[aria-labelledby=board-heading] tbody tr:first-child th a");
  await page.waitForSelector("figure.kpi-chart.drawn .uplot canvas");
  await page.screenshot({ path: join(out, "kpi.png"), fullPage: false });
  // The closed cycle's review.
  await page.goto(`${server.url}/cycles`);
  await page.locator("li.timeline-cycle", { hasText: "Closed" }).first().locator("h2 a").click();
  await page.waitForSelector("#review-heading");
  await page.screenshot({ path: join(out, "cycle-review.png"), fullPage: false });
  // Dark mode, as Pico follows the system's preference.
  const dark = await newPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
  await logIn(dark, server.url, MEMBER);
  await dark.screenshot({ path: join(out, "dashboard-dark.png"), fullPage: false });
  const problems = [...page.problems, ...dark.problems];
  if (problems.length) throw new Error(`the pages met problems:\n${problems.join("\n")}`);
  console.log(`wrote ${shots.length + 4} screenshots to ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
