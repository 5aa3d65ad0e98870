// The KPI loop in headless Chromium against the real server, on a clock the test moves
// (MILEPOST_TEST_CLOCK_FILE): a KPI on target turns lagging as days pass and values
// fall; from its page an admin creates the OKR to fix it; the KPI page then offers
// "View the recovery OKR" and shows it recovering, and so do the board and the
// dashboard. Then the KPI gets a source from its page, against a real JSON endpoint
// the test serves: tried (the value shown, nothing recorded), saved and run now (the
// value recorded).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, startBrowser, newPage, logIn, ADMIN } from "../server.mjs";

const clock = join(mkdtempSync(join(tmpdir(), "milepost-clock-")), "now");
/** Moves the server's clock to `instant` (RFC 3339). */
const setClock = (instant) => writeFileSync(clock, instant);

let server;
let browser;
/** The JSON endpoint the KPI's source reads, and how often it was asked. */
let metrics;
let metricsUrl;
let metricsHits = 0;

before(async () => {
  metrics = createServer((request, response) => {
    if (request.url === "/status.json") {
      metricsHits += 1;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ data: { checkout: { success: 98.2 } } }));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => metrics.listen(0, "127.0.0.1", resolve));
  metricsUrl = `http://127.0.0.1:${metrics.address().port}`;
  setClock("2026-12-07T09:00:00Z");
  server = await startServer({
    env: { MILEPOST_TEST_CLOCK_FILE: clock, MILEPOST_HTTP_SOURCES: `${metricsUrl}/` },
  });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => metrics?.close(resolve));
});

/** The JSON API with the demo's admin token, for set-up and for checking outcomes. */
async function api(method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
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

/** Clicks `selector` and waits for the page it leads to. */
async function follow(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** How many measurements KPI `id` has. */
async function measurements(id) {
  return (await api("GET", `/api/v1/kpis/${id}/series?from=2026-01-01T00:00:00Z`)).measurements;
}

test("a KPI turns lagging, an OKR is created from its page, and it shows recovering everywhere", async () => {
  assert.ok(server.token, "the demo server printed its admin token");
  const people = (await api("GET", "/api/v1/people?limit=100")).items;
  const alex = people.find((p) => p.email === ADMIN.email);
  const kpi = await api("POST", "/api/v1/kpis", {
    name: "Checkout success",
    unit: "%",
    direction: "higher_is_better",
    target: 99,
    warning_band: 0.5,
    cadence: "daily",
    lagging_after: 2,
    owner_person_id: alex.id,
  });
  // On target for three days.
  for (const day of ["2026-12-04", "2026-12-05", "2026-12-06"]) {
    await api("POST", `/api/v1/kpis/${kpi.id}/measurements`, { value: 99.5, measured_at: `${day}T12:00:00Z` });
  }
  const green = await api("GET", `/api/v1/kpis/${kpi.id}`);
  assert.equal(green.state.health, "green");
  assert.equal(green.state.lagging, false);

  const admin = await newPage(browser);
  await logIn(admin, server.url, ADMIN);
  await admin.goto(`${server.url}/kpis/${kpi.id}`);
  assert.equal(await admin.locator("#recover-link").count(), 0, "on target: nothing to fix");

  // Three days on, the values have fallen below the warning band: two complete days
  // red in a row, and the KPI lags.
  setClock("2026-12-10T09:00:00Z");
  for (const day of ["2026-12-07", "2026-12-08", "2026-12-09"]) {
    await api("POST", `/api/v1/kpis/${kpi.id}/measurements`, { value: 97, measured_at: `${day}T12:00:00Z` });
  }
  await until("the KPI lags", async () => (await api("GET", `/api/v1/kpis/${kpi.id}`)).state.lagging);

  // From the KPI page: "Create an OKR to fix this", the form, saved.
  await logIn(admin, server.url, ADMIN);
  await admin.goto(`${server.url}/kpis/${kpi.id}`);
  assert.match(await admin.textContent(".summary"), /Lagging/);
  await follow(admin, "#recover-link");
  assert.match(await admin.textContent("h1"), /Create an OKR to fix Checkout success/);
  assert.match(await admin.textContent("main"), /Bring Checkout success from 97% to 99%/);
  await follow(admin, 'button:has-text("Create the OKR")');
  const objective = Number(new URL(admin.url()).pathname.split("/").pop());
  assert.ok(objective > 0, `on the new objective's page: ${admin.url()}`);
  const made = await api("GET", `/api/v1/objectives/${objective}`);
  assert.equal(made.key_results[0].kpi_id, kpi.id, "its key result is fed by the KPI");

  // The KPI page now points at it, and says the KPI is recovering.
  await admin.goto(`${server.url}/kpis/${kpi.id}`);
  assert.equal(await admin.locator("#recover-link").count(), 0);
  assert.equal(await admin.textContent("#recovery-link"), "View the recovery OKR");
  assert.equal(await admin.getAttribute("#recovery-link", "href"), `/objectives/${objective}`);
  assert.match(await admin.textContent("#recovering"), /Recovering/);
  assert.match(await admin.textContent(".kpi-work"), /the recovery OKR/);

  // The board, and the dashboard's lagging list: recovering, linked to the OKR.
  await admin.goto(`${server.url}/kpis`);
  const row = admin.locator(`section[aria-labelledby="lagging-heading"] tr:has(th a[href="/kpis/${kpi.id}"])`);
  assert.match(await row.textContent(), /Recovering/);
  assert.equal(await row.locator(".recovering-link").getAttribute("href"), `/objectives/${objective}`);
  await admin.goto(`${server.url}/`);
  const line = admin.locator(`tr:has(th a[href="/kpis/${kpi.id}"])`);
  assert.match(await line.textContent(), /Recovering/);
  assert.equal(await line.locator(".recovering-link").getAttribute("href"), `/objectives/${objective}`);
  await follow(admin, `tr:has(th a[href="/kpis/${kpi.id}"]) .recovering-link`);
  assert.equal(new URL(admin.url()).pathname, `/objectives/${objective}`);
  assertClean(admin);
});

test("a KPI's source is set, tried without recording, and run now from its page", async () => {
  const kpi = (await api("GET", "/api/v1/kpis?limit=500")).items.find((k) => k.name === "Checkout success");
  const admin = await newPage(browser);
  await logIn(admin, server.url, ADMIN);
  await admin.goto(`${server.url}/kpis/${kpi.id}`);
  assert.match(await admin.textContent("#source"), /No source/);
  await follow(admin, "#source-edit");
  assert.match(await admin.textContent("h1"), /Source of Checkout success/);

  // Tried before it is saved: the value it would record, and nothing recorded.
  const before = await measurements(kpi.id);
  await admin.selectOption("#kind", "http_json");
  await admin.fill("#url", `${metricsUrl}/status.json`);
  await admin.fill("#path", "data.checkout.success");
  await follow(admin, "#source-test-button");
  assert.match(await admin.textContent("#source-test-value"), /98\.2/);
  assert.match(await admin.textContent("#source-test"), /Nothing was recorded/);
  assert.equal(metricsHits, 1, "the endpoint was really asked");
  assert.equal(await measurements(kpi.id), before, "a test records nothing");
  assert.equal((await api("GET", `/api/v1/kpis/${kpi.id}`)).source, null, "nor saves the source");

  // A path that finds nothing: the reason, in words.
  await admin.fill("#path", "data.checkout.nothing");
  await follow(admin, "#source-test-button");
  assert.ok((await admin.textContent("#source-test-error")).length > 20);
  // The form kept what was typed: fix the path, and save.
  await admin.fill("#path", "data.checkout.success");
  await follow(admin, "#source-save");
  assert.equal(new URL(admin.url()).pathname, `/kpis/${kpi.id}`);
  assert.match(await admin.textContent("#source"), /JSON over HTTP/);
  assert.match(await admin.textContent("#source"), /data\.checkout\.success/);

  // Run now: the value recorded and shown as the latest.
  await follow(admin, "#source-run");
  assert.match(await admin.textContent("#source-last-value"), /98\.2/);
  assert.notEqual(await admin.textContent("#source-last-run"), "not yet");
  assert.equal(await admin.locator("#source-last-error").count(), 0);
  await until("the run is recorded", async () => (await measurements(kpi.id)) >= before + 1);
  const after = await api("GET", `/api/v1/kpis/${kpi.id}`);
  assert.equal(after.state.last_value, 98.2);
  assert.equal(after.source.kind, "http_json");
  assertClean(admin);
});
