// A quarter from start to finish, as a team runs it, in headless Chromium against the
// real server on a clock the test moves (MILEPOST_TEST_CLOCK_FILE: no sleeping through
// weeks). An admin plans next quarter; its start date comes and it becomes active by
// itself; a team lead aligns her team's OKR to the company's; a member checks in over
// several weeks; the admin closes the quarter early, confirming it; two objectives are
// carried into the next quarter; the review is opened and its HTML report downloaded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, startBrowser, newPage, logIn, ADMIN, MEMBER } from "../server.mjs";

const clock = join(mkdtempSync(join(tmpdir(), "milepost-clock-")), "now");
/** Moves the server's clock to `instant` (RFC 3339). */
const setClock = (instant) => writeFileSync(clock, instant);

let server;
let browser;

before(async () => {
  setClock("2026-12-07T09:00:00Z");
  server = await startServer({ env: { MILEPOST_TEST_CLOCK_FILE: clock } });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The admin token the test uses: the demo's lasts 30 days, the quarter longer. */
let token;

/** The JSON API with an admin token, for set-up and for checking outcomes. */
async function api(method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? server.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Polls `check` until it holds, for at most `ms`. */
async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: not within ${ms} ms`);
}

function assertClean(page) {
  assert.deepEqual(page.problems, [], "the page met no console error, failed request or server error");
}

/**
 * Opens `path` as `who`, logging in again first when the session ran out (the clock
 * moves weeks at a time, as people come back after a while).
 */
async function visit(page, who, path) {
  await page.goto(`${server.url}${path}`);
  if (new URL(page.url()).pathname === "/login") {
    await logIn(page, server.url, who);
    await page.goto(`${server.url}${path}`);
  }
}

/** Submits the form the button with `label` belongs to and waits for the next page. */
async function submit(page, label) {
  await Promise.all([page.waitForNavigation(), page.click(`button:has-text("${label}")`)]);
}

test("a team runs a quarter: plan, start, align, check in weekly, close early, carry over, review", async () => {
  assert.ok(server.token, "the demo server printed its admin token");
  token = (await api("POST", "/api/v1/tokens", { name: "quarter test", role: "admin", expires_in_days: 365 })).token;
  // The team lead gets a password (people are administered in the browser by issue 15).
  const people = (await api("GET", "/api/v1/people?limit=100")).items;
  const hannah = people.find((p) => p.email === "hannah.brooks@example.com");
  const dana = people.find((p) => p.email === MEMBER.email);
  await api("POST", `/api/v1/people/${hannah.id}/password`, { password: "hannah-leads-support" });
  const LEAD = { workspace: "demo", email: hannah.email, password: "hannah-leads-support" };
  const teams = (await api("GET", "/api/v1/teams?limit=100")).items;
  const company = teams.find((t) => t.slug === "company");
  const success = teams.find((t) => t.slug === "customer-success");

  // The admin plans next quarter from the form, which offers it.
  const admin = await newPage(browser);
  await logIn(admin, server.url, ADMIN);
  await admin.goto(`${server.url}/cycles/new`);
  assert.equal(await admin.inputValue("#name"), "2027 Q1");
  await submit(admin, "Create");
  const quarter = Number(new URL(admin.url()).pathname.split("/").pop());
  assert.match(await admin.textContent("h1"), /2027 Q1\s+Planning/);

  // Its start date comes: the scheduler starts it, once.
  setClock("2027-01-01T08:00:00Z");
  await until("2027 Q1 becomes active", async () => (await api("GET", `/api/v1/cycles/${quarter}`)).status === "active");
  await visit(admin, ADMIN, `/cycles/${quarter}`);
  assert.match(await admin.textContent("h1"), /2027 Q1\s+Active/);

  // The company's objective for the quarter, then the team lead's, aligned to it.
  await visit(admin, ADMIN, "/objectives/new");
  await admin.selectOption("#cycle_id", String(quarter));
  await admin.fill("#title", "Customers never wait for us");
  await admin.selectOption("#owner", `team:${company.id}`);
  await admin.fill("#kr-0-title", "Raise CSAT from 80% to 90%");
  await submit(admin, "Create");
  assert.match(admin.url(), /\/objectives\/\d+$/);
  assertClean(admin);

  const lead = await newPage(browser);
  await logIn(lead, server.url, LEAD);
  await lead.goto(`${server.url}/objectives/new`);
  await lead.selectOption("#cycle_id", String(quarter));
  await lead.fill("#title", "Answer every ticket within the hour");
  await lead.selectOption("#owner", `team:${success.id}`);
  await lead.selectOption("#parent", { label: "Customers never wait for us (2027 Q1)" });
  await lead.fill("#kr-0-title", "Reduce first response time from 90 min to 30 min");
  await lead.selectOption("#kr-0-owner", String(dana.id));
  await lead.fill("#kr-1-title", "Increase tickets solved on first contact from 40% to 70%");
  await lead.selectOption("#kr-1-owner", String(dana.id));
  await submit(lead, "Create");
  assertClean(lead);
  const objectives = (await api("GET", `/api/v1/objectives?cycle_id=${quarter}`)).items;
  const companyObjective = objectives.find((o) => o.title === "Customers never wait for us");
  const teamObjective = objectives.find((o) => o.title === "Answer every ticket within the hour");
  assert.equal(teamObjective.parent_objective_id, companyObjective.id, "aligned to the company's objective");

  // The member checks in each week on the check-in page.
  const member = await newPage(browser);
  await logIn(member, server.url, MEMBER);
  const [response, solved] = teamObjective.key_results;
  const weeks = [
    ["2027-01-11T10:00:00Z", 75, 45, 7],
    ["2027-01-18T10:00:00Z", 60, 50, 6],
    ["2027-01-25T10:00:00Z", 52, 52, 5],
    ["2027-02-01T10:00:00Z", 45, 55, 5],
  ];
  for (const [day, minutes, share, confidence] of weeks) {
    setClock(day);
    await visit(member, MEMBER, "/check-in");
    await member.fill(`#value-${response.id}`, String(minutes));
    await member.fill(`#confidence-${response.id}`, String(confidence));
    await member.fill(`#value-${solved.id}`, String(share));
    await member.fill(`#confidence-${solved.id}`, String(confidence));
    await submit(member, "Save");
    assert.match(await member.textContent("#saved"), /Saved 2 check-ins/, day);
  }
  const history = await api("GET", `/api/v1/key-results/${response.id}/check-ins?limit=50`);
  assert.equal(history.items.length, 4, "one check-in a week");
  assertClean(member);

  // The admin closes the quarter six weeks early: the page asks first.
  setClock("2027-02-15T09:00:00Z");
  await visit(admin, ADMIN, `/cycles/${quarter}`);
  await Promise.all([admin.waitForNavigation(), admin.click("text=Close and grade it…")]);
  assert.match(await admin.textContent("#early-warning"), /ends on 2027-03-31, 44 days from now/);
  assert.ok((await admin.locator("#closing-scores tbody tr").count()) >= 2, "the scores it will freeze");
  admin.problems = [];
  await submit(admin, "Close and grade 2027 Q1");
  // Not confirmed: refused at the checkbox (a 409 page, not an error), nothing closed.
  assert.match(await admin.textContent("#confirm_early-error"), /closing it now freezes its scores early/);
  admin.problems = admin.problems.filter((p) => !p.includes("409"));
  assert.equal((await api("GET", `/api/v1/cycles/${quarter}`)).status, "active");
  await admin.check("#confirm_early");
  await submit(admin, "Close and grade 2027 Q1");
  assert.match(await admin.textContent("h1"), /2027 Q1\s+Closed/);
  assert.match(await admin.textContent("#closings"), /\(early\)/);
  const graded = await api("GET", `/api/v1/objectives/${teamObjective.id}`);
  assert.equal(graded.score.frozen, true, "the close froze the scores");
  assertClean(admin);

  // Next quarter, and the two unfinished objectives carried into it from the review.
  await visit(admin, ADMIN, "/cycles/new");
  assert.equal(await admin.inputValue("#name"), "2027 Q2");
  await submit(admin, "Create");
  const next = Number(new URL(admin.url()).pathname.split("/").pop());
  await visit(admin, ADMIN, `/cycles/${quarter}`);
  await Promise.all([admin.waitForNavigation(), admin.click(`a[href^="/cycles/${quarter}/carry"]`)]);
  await admin.selectOption("#target-choice", String(next));
  await submit(admin, "Show");
  assert.ok(await admin.isChecked(`#carry-objective-${companyObjective.id}`), "unfinished: checked");
  assert.ok(await admin.isChecked(`#carry-objective-${teamObjective.id}`), "unfinished: checked");
  await submit(admin, "Carry the checked objectives into 2027 Q2");
  assert.match(await admin.textContent("[role=status]"), /Carried 2 objective\(s\) into 2027 Q2/);
  const copies = (await api("GET", `/api/v1/objectives?cycle_id=${next}`)).items;
  assert.equal(copies.length, 2, "two objectives carried");
  const teamCopy = copies.find((o) => o.carried_from_objective_id === teamObjective.id);
  const companyCopy = copies.find((o) => o.carried_from_objective_id === companyObjective.id);
  assert.equal(teamCopy.parent_objective_id, companyCopy.id, "aligned to its parent's copy");
  const starts = Object.fromEntries(teamCopy.key_results.map((k) => [k.carried_from_key_result_id, k.start]));
  assert.deepEqual(starts, { [response.id]: 45, [solved.id]: 55 }, "each copy starts from the value reached");
  assertClean(admin);

  // The team lead writes what worked and what did not on her objective.
  await visit(lead, LEAD, `/objectives/${teamObjective.id}/retrospective`);
  await lead.fill("#worked", "A shared queue and a daily triage");
  await lead.fill("#did_not_work", "Weekend coverage");
  await submit(lead, "Save the retrospective");
  assert.match(await lead.textContent("#retrospective"), /daily triage/);
  assertClean(lead);

  // The review, and its HTML report downloaded: one file that names what happened.
  const reviewer = await newPage(browser, { acceptDownloads: true });
  await logIn(reviewer, server.url, ADMIN);
  await reviewer.goto(`${server.url}/cycles/${quarter}`);
  assert.match(await reviewer.textContent("#review-heading"), /Review/);
  const [download] = await Promise.all([
    reviewer.waitForEvent("download"),
    reviewer.click(`main a[href='/cycles/${quarter}/report.html']`),
  ]);
  const file = join(mkdtempSync(join(tmpdir(), "milepost-quarter-")), download.suggestedFilename());
  await download.saveAs(file);
  const html = readFileSync(file, "utf8");
  for (const words of ["Answer every ticket within the hour", "A shared queue and a daily triage", "2027 Q2", "<svg"]) {
    assert.ok(html.includes(words), `the report holds ${words}`);
  }
  assertClean(reviewer);
});
