// End-to-end tests of the web app on the demo workspace, in headless Chromium against
// the real server. Every test fails on any console error, page error, failed request
// or server error the page meets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startServer, startBrowser, newPage, logIn, ADMIN, MEMBER } from "../server.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], "the page met no console error, failed request or server error");
}

test("a visitor without a session is sent to the login page, and a wrong password says so", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/alignment`);
  assert.equal(new URL(page.url()).pathname, "/login");
  // The demo installation has one workspace: the form does not ask for it.
  assert.equal(await page.locator("#workspace").count(), 0);
  await page.fill("#email", MEMBER.email);
  await page.fill("#password", "not the password");
  // The 401 answer of the login form is a page, not an error.
  page.problems = [];
  await page.click("button[type=submit]");
  await page.waitForSelector("#login-error");
  assert.match(await page.textContent("#login-error"), /password is wrong/);
  page.problems = page.problems.filter((p) => !p.includes("401"));
  assertClean(page);
  await page.context().close();
});

test("every page of the nav bar loads, with its heading and no console error", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, ADMIN);
  const pages = [
    ["Dashboard", "/", /Dashboard/],
    ["Alignment", "/alignment", /Alignment/],
    ["Check-in", "/check-in", /Weekly check-in/],
    ["KPIs", "/kpis", /KPIs/],
    ["Cycles", "/cycles", /Cycles/],
    ["New objective", "/objectives/new", /New objective/],
  ];
  for (const [link, path, heading] of pages) {
    await page.click(`nav[aria-label=Main] >> text=${link}`);
    await page.waitForURL(`${server.url}${path}`);
    assert.match(await page.textContent("h1"), heading, path);
    assert.equal(await page.getAttribute(`nav[aria-label=Main] a[href="${path}"]:not(.brand)`, "aria-current"), "page");
  }
  // The dashboard shows the company's objectives with their status in words.
  await page.goto(`${server.url}/`);
  const company = await page.textContent("#company-heading + figure");
  assert.match(company, /On track|At risk|Off track|Done|Stale|Not started/);
  // An objective page, with a burn-up chart drawn by uPlot and the check-in history.
  await page.click("#company-heading + figure tbody tr:first-child th a");
  await page.waitForSelector("h1");
  assert.match(page.url(), /\/objectives\/\d+$/);
  await page.waitForSelector("figure.burnup.drawn .uplot canvas");
  assert.ok((await page.locator("table.history tbody tr").count()) > 0, "the check-in history is shown");
  // The KPI board with sparklines, and a KPI's chart with its target, drawn by uPlot.
  await page.goto(`${server.url}/kpis`);
  assert.ok((await page.locator("section[aria-labelledby=board-heading] svg.sparkline").count()) > 0);
  assert.match(await page.textContent("section[aria-labelledby=board-heading]"), /On target|In the warning band|Off target|No data/);
  await page.click("section[aria-labelledby=board-heading] tbody tr:first-child th a");
  await page.waitForSelector("figure.kpi-chart.drawn .uplot canvas");
  assert.match(await page.textContent("figure.kpi-chart figcaption"), /points from \d+ measurements/);
  // A cycle page, and the closed cycle's review.
  await page.goto(`${server.url}/cycles`);
  const closed = page.locator("li.timeline-cycle", { hasText: "Closed" }).first();
  await closed.locator("h2 a").click();
  await page.waitForSelector("#review-heading");
  assert.match(await page.textContent("section[aria-labelledby=review-heading]"), /succeeded/);
  assert.match(await page.textContent("section[aria-labelledby=review-heading]"), /Green|Yellow|Red/);
  // Its confidence calibration: a Brier score for everyone, then each team and person.
  assert.match(await page.textContent("#calibration-heading + p"), /\d+ of \d+ key results succeeded/);
  assert.match(await page.textContent("table#calibration tbody tr:first-child"), /Everyone\s*0\.\d\d\s*\d+/);
  assert.ok((await page.locator("table#calibration tbody tr").count()) > 2, "teams and people are calibrated too");
  // The alignment tree opens level by level: a root team, closed, fetches what is under
  // it when opened (htmx), and closes again; it filters by status.
  await page.goto(`${server.url}/alignment`);
  const first = page.locator("ul.tree > li.node-team > details").first();
  assert.equal(await first.getAttribute("open"), null);
  await first.locator("summary").first().click();
  assert.equal(await first.getAttribute("open"), "");
  await first.locator(".node-body ul").first().waitFor();
  assert.ok((await first.locator(".node-body a[href^='/objectives/'], .node-body li.node-team").count()) > 0, "its level is shown");
  await first.locator("summary").first().click();
  assert.equal(await first.getAttribute("open"), null);
  await page.selectOption("#status", "at_risk");
  await Promise.all([page.waitForURL(/status=at_risk/), page.click(".filters button[type=submit]")]);
  assert.match(await page.textContent("main"), /objectives under the company/);
  assertClean(page);
  await page.context().close();
});

test("a weekly check-in with the keyboard alone saves the rows that changed, and the objective page shows it", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, MEMBER);
  await page.goto(`${server.url}/check-in`);
  const rows = page.locator("fieldset.check-in-row");
  const count = await rows.count();
  assert.ok(count >= 2, `dana owns key results in the active cycle (found ${count})`);
  const firstId = (await rows.first().getAttribute("id")).replace("row-", "");
  const secondId = (await rows.nth(1).getAttribute("id")).replace("row-", "");
  const valueBefore = Number(await page.inputValue(`#value-${firstId}`));
  // From the top of the page, Tab to the first value field; type; Tab on to the note.
  await page.focus("body");
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.id)) === `value-${firstId}`) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), `value-${firstId}`, "the value field is reached with Tab");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(String(valueBefore + 1));
  await page.keyboard.press("Tab");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("11");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Checked in from the keyboard");
  // A confidence of 11 is refused next to its field, and nothing is saved.
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.type === "submit" && document.activeElement.closest("form[action='/check-in']"))) break;
  }
  page.problems = [];
  await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
  await page.waitForSelector(`#confidence-${firstId}-error`);
  assert.match(await page.textContent(`#confidence-${firstId}-error`), /10/);
  assert.match(await page.textContent("#form-problems"), /Nothing was saved/);
  page.problems = page.problems.filter((p) => !p.includes("422"));
  // Fix it with the keyboard: the field says what is wrong, and keeps what was typed.
  await page.focus(`#confidence-${firstId}`);
  await page.keyboard.press("Control+A");
  await page.keyboard.type("8");
  // The second row did not move: say so on purpose with its box, from the keyboard.
  // Every other row is left alone, so it is not saved.
  await page.focus(`#no-change-${secondId}`);
  await page.keyboard.press("Space");
  assert.ok(await page.isChecked(`#no-change-${secondId}`), "the box is ticked with Space");
  await page.focus("form[action='/check-in'] button[type=submit]");
  await Promise.all([page.waitForURL(/saved=2$/), page.keyboard.press("Enter")]);
  assert.match(await page.textContent("#saved"), /Saved 2 check-ins\./);
  // The same form sent back as it is drawn changes nothing, and says so.
  await page.goto(`${server.url}/check-in`);
  await Promise.all([page.waitForURL(/saved=0$/), page.click("form[action='/check-in'] button[type=submit]")]);
  assert.match(await page.textContent("#saved"), /Nothing changed: no check-in saved\./);
  // The key result's page shows the new value and the note.
  await page.goto(`${server.url}/check-in`);
  await page.click(`#row-${firstId} legend a`);
  await page.waitForSelector(`#key-result-${firstId}`);
  const block = await page.textContent(`#key-result-${firstId}`);
  assert.match(block, /Checked in from the keyboard/);
  assertClean(page);
  await page.context().close();
});

test("with JavaScript off, pages read and the check-in form saves", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await logIn(page, server.url, MEMBER);
  await page.goto(`${server.url}/`);
  assert.match(await page.textContent("h1"), /Dashboard/);
  assert.ok((await page.locator("svg.bar").count()) > 0, "progress bars are drawn by the server");
  // The alignment tree opens a team through a plain link, to a page of its level.
  await page.goto(`${server.url}/alignment`);
  const first = page.locator("ul.tree > li.node-team > details").first();
  await first.locator("summary").first().click();
  await Promise.all([page.waitForURL(/\/alignment\?.*team_id=\d+/), first.locator(".node-body a").first().click()]);
  assert.ok((await page.locator("li.node-opened .node-body ul").count()) > 0, "the team's level is shown");
  await page.goto(`${server.url}/check-in`);
  const firstId = (await page.locator("fieldset.check-in-row").first().getAttribute("id")).replace("row-", "");
  await page.fill(`#note-${firstId}`, "Checked in without JavaScript");
  await Promise.all([page.waitForURL(/saved=1$/), page.click("form[action='/check-in'] button[type=submit]")]);
  assert.match(await page.textContent("#saved"), /Saved 1 check-in\./);
  assertClean(page);
  await page.context().close();
});

test("creating an objective: typing a sentence fills the key result's fields, and the page shows it", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, MEMBER);
  await page.goto(`${server.url}/objectives/new`);
  await page.fill("#title", "Make onboarding effortless (e2e)");
  await page.selectOption("#commitment", "aspirational");
  // htmx asks the server's sentence parser as the sentence is typed.
  await page.locator("#kr-0-title").pressSequentially("Increase activation from 40% to 65%", { delay: 5 });
  await page.waitForFunction(() => document.querySelector("#kr-0-kind")?.value === "increase");
  assert.equal(await page.inputValue("#kr-0-start"), "40");
  assert.equal(await page.inputValue("#kr-0-target"), "65");
  assert.equal(await page.inputValue("#kr-0-unit"), "%");
  await page.locator("#kr-1-title").pressSequentially("Keep setup time at or below 10 min", { delay: 5 });
  await page.waitForFunction(() => document.querySelector("#kr-1-kind")?.value === "maintain");
  await Promise.all([page.waitForURL(/\/objectives\/\d+$/), page.click("main form button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Make onboarding effortless \(e2e\)/);
  const text = await page.textContent("main");
  assert.match(text, /Increase activation from 40% to 65%/);
  assert.match(text, /Keep setup time at or below 10 min/);
  assert.match(text, /Aspirational/);
  assert.match(text, /Start\s*40%/);
  assert.match(text, /Target\s*65%/);
  assert.equal(await page.locator("article.key-result").count(), 2);
  // It is on the dashboard, among my team's objectives (or on the list of all of them
  // when the dashboard shows only the first), and in the alignment tree opened at my
  // team, under my name.
  await page.goto(`${server.url}/`);
  const seeAll = page.locator("section[aria-labelledby=team-heading] a[href^='/objectives?']");
  if ((await seeAll.count()) > 0) {
    await Promise.all([page.waitForURL(/\/objectives\?/), seeAll.click()]);
  }
  assert.match(await page.textContent("main"), /Make onboarding effortless \(e2e\)/);
  await page.goto(`${server.url}/`);
  await Promise.all([page.waitForURL(/\/alignment\?/), page.click("section[aria-labelledby=team-heading] a.team-tree")]);
  assert.match(await page.textContent("ul.tree"), /Make onboarding effortless \(e2e\)/);
  assertClean(page);
  await page.context().close();
});

test("defining a KPI through its form, then changing its target: its page shows both, and a bad value is refused next to its field", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, ADMIN);
  await page.goto(`${server.url}/kpis/new`);
  assert.match(await page.textContent("h1"), /New KPI/);
  await page.fill("#name", "Checkout success rate (e2e)");
  await page.fill("#description", "Share of checkouts that end in a paid order");
  await page.fill("#unit", "%");
  await page.selectOption("#direction", "higher_is_better");
  await page.fill("#target", "97.5");
  await page.fill("#warning_band", "1.5");
  await page.selectOption("#cadence", "weekly");
  await page.fill("#tags", "payments, e2e");
  await Promise.all([page.waitForURL(/\/kpis\/\d+$/), page.click("main form button[type=submit]")]);
  const kpiUrl = page.url();
  assert.match(await page.textContent("h1"), /Checkout success rate \(e2e\)/);
  assert.match(await page.textContent("hgroup"), /Share of checkouts that end in a paid order/);
  assert.match(await page.textContent("dl.values"), /Goal\s*≥ 97\.5\s*%/);
  assert.match(await page.textContent("dl.values"), /Warning band\s*1\.5\s*%/);
  // It is on the board.
  await page.goto(`${server.url}/kpis`);
  assert.match(await page.textContent("section[aria-labelledby=board-heading]"), /Checkout success rate \(e2e\)/);
  // Edit its target: the form is filled in with what was entered.
  await page.goto(kpiUrl);
  await Promise.all([page.waitForURL(/\/edit$/), page.click("main a[href$='/edit']")]);
  assert.equal(await page.inputValue("#name"), "Checkout success rate (e2e)");
  assert.equal(await page.inputValue("#target"), "97.5");
  assert.equal(await page.inputValue("#cadence"), "weekly");
  await page.fill("#target", "99");
  await Promise.all([page.waitForURL(kpiUrl), page.click("main form button[type=submit]")]);
  assert.match(await page.textContent("dl.values"), /Goal\s*≥ 99\s*%/);
  // A target that is not a number is refused next to the target field, and nothing is saved.
  await page.goto(`${kpiUrl}/edit`);
  await page.fill("#target", "ninety");
  page.problems = [];
  await Promise.all([page.waitForLoadState("load"), page.click("main form button[type=submit]")]);
  await page.waitForSelector("#target-error");
  assert.match(await page.textContent("#target-error"), /number/);
  assert.equal(await page.getAttribute("#target", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#target", "aria-describedby"), "target-error");
  assert.equal(await page.locator(".field-error").count(), 1, "only the target field is marked");
  assert.equal(await page.inputValue("#target"), "ninety", "the field keeps what was typed");
  assert.match(await page.textContent("#form-problems"), /Nothing was saved/);
  page.problems = page.problems.filter((p) => !p.includes("422"));
  await page.goto(kpiUrl);
  assert.match(await page.textContent("dl.values"), /Goal\s*≥ 99\s*%/);
  assertClean(page);
  await page.context().close();
});

test("planning the next quarter from the cycles page: the form offers it, a quarter that is not three months is refused at its last day", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, ADMIN);
  await page.goto(`${server.url}/cycles`);
  await Promise.all([page.waitForURL(/\/cycles\/new$/), page.click("main a[href='/cycles/new']")]);
  assert.match(await page.textContent("h1"), /New cycle/);
  const name = await page.inputValue("#name");
  assert.match(name, /^\d{4} Q[1-4]$/, "the next quarter is offered");
  assert.equal(await page.inputValue("#kind"), "quarter");
  const start = await page.inputValue("#start_date");
  const end = await page.inputValue("#end_date");
  // A quarter two weeks too short is refused next to its last day, and nothing is saved.
  const [year, month] = end.split("-");
  await page.fill("#end_date", `${year}-${month}-15`);
  page.problems = [];
  await Promise.all([page.waitForLoadState("load"), page.click("main form button[type=submit]")]);
  await page.waitForSelector("#end_date-error");
  assert.match(await page.textContent("#end_date-error"), new RegExp(`ends on ${end}`));
  assert.equal(await page.getAttribute("#end_date", "aria-invalid"), "true");
  assert.equal(await page.locator(".field-error").count(), 1, "only the last day is marked");
  page.problems = page.problems.filter((p) => !p.includes("422"));
  await page.fill("#end_date", end);
  await Promise.all([page.waitForURL(/\/cycles\/\d+$/), page.click("main form button[type=submit]")]);
  assert.match(await page.textContent("h1"), new RegExp(`${name}\\s*Planning`));
  assert.match(await page.textContent("p.lead"), new RegExp(`${start} to ${end} \\(quarter\\)`));
  assertClean(page);
  await page.context().close();
});

test("the demo's closed quarter: its review report downloads as one HTML file that renders with the network off and asks for nothing", async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await logIn(page, server.url, ADMIN);
  const closed = await (await page.request.get(`${server.url}/api/v1/cycles?status=closed`)).json();
  assert.ok(closed.items.length > 0, "the demo has a closed quarter");
  const cycle = closed.items[0];
  await page.goto(`${server.url}/cycles/${cycle.id}`);
  const link = `main a[href='/cycles/${cycle.id}/report.html']`;
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(link)]);
  const dir = mkdtempSync(join(tmpdir(), "milepost-report-"));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  assert.match(download.suggestedFilename(), /^review-demo-.+\.html$/);
  assertClean(page);
  await page.context().close();

  // Opened from the disk as a mailed file would be, with the network off: every request
  // other than the file itself is aborted and counted.
  const context = await browser.newContext();
  await context.setOffline(true);
  const attempted = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    attempted.push(url);
    return route.abort();
  });
  const report = await context.newPage();
  const problems = [];
  report.on("request", (request) => {
    if (!request.url().startsWith("file:")) attempted.push(request.url());
  });
  report.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  report.on("pageerror", (error) => problems.push(error.message));
  await report.goto(pathToFileURL(file).href);
  assert.match(await report.textContent("h1"), new RegExp(`Review: ${cycle.name}`));
  const sections = await report.locator("h2").allTextContents();
  for (const section of ["Scores by team", "Scores by owner", "Committed and aspirational", "Confidence calibration",
    "Biggest movers", "KPIs that lagged", "Carried over", "Objectives"]) {
    assert.ok(sections.includes(section), `the report has the section ${section}: ${sections}`);
  }
  const chart = report.locator("svg.reliability");
  assert.equal(await chart.count(), 1, "the reliability chart is inline SVG");
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, "the chart is drawn");
  assert.ok((await report.locator("svg.reliability circle.forecast").count()) > 0, "the forecast's points are drawn");
  assert.ok((await report.locator("article[id^=objective-]").count()) > 0, "the objectives are listed");
  // Styles apply without any stylesheet from outside: the table headers have their background.
  const background = await report.locator("th").first().evaluate((th) => getComputedStyle(th).backgroundColor);
  assert.notEqual(background, "rgba(0, 0, 0, 0)");
  assert.deepEqual(attempted, [], "the report asked for nothing outside itself");
  assert.deepEqual(problems, [], "no console or page error");
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
