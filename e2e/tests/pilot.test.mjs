// A team lead pilots Milepost alone (issue 15), in headless Chromium against the real
// server started on an EMPTY data directory (no demo): from the set-up code `serve`
// prints to a first check-in by an invited colleague, using only the browser, at
// 1280 px and at 390 px. Every form submission is counted: the goal is at most five
// (set-up, invitation, objective with its key result, the colleague's password, the
// check-in), and no page scrolls sideways on the way.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer, startBrowser, newPage } from "../server.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser;
const servers = [];

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
});

/** The most form submissions the pilot may take. */
const MOST_SUBMISSIONS = 5;

function assertClean(page) {
  assert.deepEqual(page.problems, [], "the page met no console error, failed request or server error");
}

/** Fails when the page is wider than its window (it would scroll sideways). */
async function assertNoSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what}: the page is ${scroll} px wide in a ${client} px window`);
}

async function pilot(width) {
  const server = await startServer({ demo: false });
  servers.push(server);
  const printed = server.output();
  assert.ok(server.setupCode, `serve printed a set-up code:\n${printed}`);
  assert.match(printed, new RegExp(`${server.url.replaceAll(".", "\\.")}/setup`), "and where to give it");
  if (server.databaseUrl) {
    // On PostgreSQL the hints name the database the server uses (a password left out).
    const database = new URL(server.databaseUrl).pathname;
    assert.ok(
      printed.includes("--database-url") && printed.includes(database),
      `its CLI hints name this database (${database}):\n${printed}`,
    );
  } else {
    assert.ok(printed.includes(`--data-dir ${server.dataDir}`), `its CLI hints name this data directory:\n${printed}`);
  }

  let submissions = 0;
  /**
   * Submits the form whose button says `label`, counts it, waits for the next page and
   * checks that a page of this work's (set-up, settings, invitation) does not scroll
   * sideways. (The pages from before it, such as an objective's, are for the phone
   * work of issue 15's point 4.)
   */
  const submit = async (page, label) => {
    submissions += 1;
    await Promise.all([page.waitForNavigation(), page.click(`button:has-text("${label}")`)]);
    assertClean(page);
    const path = new URL(page.url()).pathname;
    if (/^\/(setup|getting-started|settings|invitations)/.test(path)) {
      await assertNoSidewaysScroll(page, `${path} after “${label}” at ${width} px`);
    }
  };
  const viewport = { width, height: 900 };

  // The lead opens the address: the set-up asks for the code, the company, herself,
  // when the teams check in; the current quarter is filled in as the first cycle.
  const lead = await newPage(browser, { viewport });
  await lead.goto(server.url);
  assert.equal(new URL(lead.url()).pathname, "/setup");
  await assertNoSidewaysScroll(lead, `/setup at ${width} px`);
  await lead.fill("#code", server.setupCode.toLowerCase());
  await lead.fill("#name", "Acme Outfitters");
  await lead.fill("#admin_name", "Lee Lead");
  await lead.fill("#admin_email", "lee@acme.example");
  await lead.fill("#password", "lee's pilot password");
  await lead.fill("#time_zone", "Europe/Paris");
  await lead.selectOption("#check_in_day", "friday");
  assert.ok(await lead.isChecked("#create_cycle"), "the first cycle is planned with the set-up");
  assert.match(await lead.inputValue("#cycle_name"), /^\d{4} Q[1-4]$/);
  await submit(lead, "Set up Milepost");
  assert.equal(new URL(lead.url()).pathname, "/getting-started");
  assert.match(await lead.textContent("main"), /runs from .* \(active\)/);

  // She invites a colleague from the guided path's People step.
  await Promise.all([lead.waitForNavigation(), lead.click('main a[href="/settings/people"]')]);
  await lead.fill("#name", "Sam Colleague");
  await lead.fill("#email", "sam@acme.example");
  await lead.selectOption("#role", "member");
  await submit(lead, "Invite");
  const link = await lead.inputValue("#invitation-link");
  assert.match(link, /\/invitations\/mi_[0-9a-f]{64}$/);

  // The first objective, its key result owned by the colleague.
  await Promise.all([lead.waitForNavigation(), lead.goto(`${server.url}/getting-started`)]);
  await Promise.all([lead.waitForNavigation(), lead.click('main a[href="/objectives/new"]')]);
  await lead.fill("#title", "Teams run on Milepost");
  await lead.fill("#kr-0-title", "Increase teams checking in weekly from 1 to 8");
  await lead.selectOption("#kr-0-owner", { label: "Sam Colleague" });
  await submit(lead, "Create");
  assert.match(new URL(lead.url()).pathname, /^\/objectives\/\d+$/);
  const objectivePage = lead.url();

  // The colleague opens the link, chooses a password and is logged in; then checks in.
  const sam = await newPage(browser, { viewport });
  await sam.goto(link);
  await assertNoSidewaysScroll(sam, `the invitation page at ${width} px`);
  await sam.fill("#password", "sam's own password");
  await sam.fill("#password_again", "sam's own password");
  await submit(sam, "Choose the password and log in");
  assert.equal(new URL(sam.url()).pathname, "/");
  await sam.goto(`${server.url}/check-in`);
  const value = sam.locator('input[id^="value-"]');
  assert.equal(await value.count(), 1, "Sam's one key result is on the check-in form");
  await value.fill("3");
  await sam.locator('input[id^="confidence-"]').fill("7");
  await submit(sam, "Save check-ins");
  assert.match(await sam.textContent("#saved"), /Saved 1 check-in/);

  for (const path of ["/settings", "/settings/teams", "/settings/people", "/settings/tokens", "/getting-started"]) {
    await lead.goto(`${server.url}${path}`);
    await assertNoSidewaysScroll(lead, `${path} at ${width} px`);
    assertClean(lead);
  }

  // The lead sees it on the objective's page.
  await lead.goto(objectivePage);
  assert.match(await lead.textContent("main"), /Sam Colleague/);
  assertClean(lead);

  assert.ok(
    submissions <= MOST_SUBMISSIONS,
    `from an empty directory to a first check-in took ${submissions} form submissions (at most ${MOST_SUBMISSIONS})`,
  );
  assert.equal(submissions, 5, "the count this path is known to take");
  console.log(`pilot at ${width} px: ${submissions} form submissions from serve to a colleague's first check-in`);
  await lead.context().close();
  await sam.context().close();
}

test("from an empty directory to an invited colleague's first check-in, in the browser only, at 1280 px", async () => {
  browser ??= await startBrowser();
  await pilot(1280);
});

test("the same at 390 px, a phone's width, without scrolling sideways", async () => {
  browser ??= await startBrowser();
  await pilot(390);
});

/** axe-core's serious and critical violations of WCAG 2.1 A and AA on the page. */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}; e.g. ${v.nodes[0]?.target?.join(" ")}`);
}

test("the set-up (with its problems), the guided path and the invitation page pass axe at 390 px", async () => {
  browser ??= await startBrowser();
  const server = await startServer({ demo: false });
  servers.push(server);
  // axe is the test's own script, which the pages' CSP rightly refuses: this context lets it in.
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
  await page.goto(`${server.url}/setup`);
  assert.deepEqual(await axe(page), [], "/setup");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Set up Milepost")')]);
  assert.ok(await page.locator("#code-error").count(), "an empty form is refused at its fields");
  assert.deepEqual(await axe(page), [], "/setup with its problems");
  await page.fill("#code", server.setupCode);
  await page.fill("#name", "Axe Co");
  await page.fill("#admin_name", "Ada Admin");
  await page.fill("#admin_email", "ada@axe.example");
  await page.fill("#password", "a long enough password");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Set up Milepost")')]);
  assert.equal(new URL(page.url()).pathname, "/getting-started");
  assert.deepEqual(await axe(page), [], "/getting-started");
  await page.goto(`${server.url}/settings/people`);
  await page.fill("#name", "Sam");
  await page.fill("#email", "sam@axe.example");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Invite")')]);
  assert.deepEqual(await axe(page), [], "/settings/people with the invitation link");
  const link = await page.inputValue("#invitation-link");
  const guest = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
  await guest.goto(link);
  assert.deepEqual(await axe(guest), [], "the invitation page");
  await page.context().close();
  await guest.context().close();
});
