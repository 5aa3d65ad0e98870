// Every page of the web app, found by following its links, on a phone and on a desktop:
// no page scrolls sideways at 390 px, and axe-core (the accessibility engine, from npm)
// finds no serious or critical violation of WCAG 2.1 A and AA, in light and dark mode.
//
// The pages are not listed by hand: the test starts at the dashboard and follows every
// link of the site (as an admin, then as a member), visiting one page of each kind
// (`/objectives/7` and `/objectives/12` are one kind), so a page added later is checked
// without anyone remembering to add it here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer, startBrowser, newPage, logIn, ADMIN, MEMBER } from "../server.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

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

const PHONE = { width: 390, height: 844 };
// axe is injected as a script of the test's own, which the app's Content Security Policy
// (script-src 'self') rightly refuses; these contexts let the test's script in. The
// other tests keep the policy, and fail on anything it blocks.
const AXE_CONTEXT = { bypassCSP: true };
const DESKTOP = { width: 1280, height: 900 };

/** The kind of a page: its path with every number as `{id}` (the query left out). */
function kindOf(url) {
  return url.pathname.replace(/\/\d+(?=\/|$)/g, "/{id}");
}

/** Whether a link leads to a page of the app to check (not a download, not a file). */
function isPage(url, origin) {
  if (url.origin !== origin) return false;
  const path = url.pathname;
  if (path.startsWith("/static/") || path.startsWith("/api/") || path === "/logout") return false;
  if (/\.(md|html|csv|json|svg|ics)$/.test(path)) return false; // downloads
  return true;
}

/**
 * Every kind of page reachable by links from the dashboard (and the lists a large
 * company reaches through "see all"), one URL of each. From each page read, the first
 * link of each kind is followed, up to eight pages of a kind, so a link only some pages
 * of a kind have (a closed cycle's objectives with their retrospectives, an active
 * cycle's close) is found too.
 */
async function crawl(page, limit = 200) {
  const origin = new URL(server.url).origin;
  const kinds = new Map(); // kind -> the first URL of it
  const visits = new Map(); // kind -> how many of its pages were read for links
  const visited = new Set();
  const queue = ["/", "/objectives", "/key-results/at-risk", "/cycles"].map((path) => `${server.url}${path}`);
  while (queue.length > 0 && visited.size < limit) {
    const next = queue.shift();
    const kind = kindOf(new URL(next));
    if (visited.has(next) || (visits.get(kind) ?? 0) >= 8) continue;
    visited.add(next);
    visits.set(kind, (visits.get(kind) ?? 0) + 1);
    const response = await page.goto(next);
    if (!kinds.has(kind)) kinds.set(kind, next);
    if (!response || response.status() >= 400 || !(response.headers()["content-type"] ?? "").includes("text/html")) {
      continue;
    }
    const links = await page.$$eval("a[href]", (anchors) => anchors.map((a) => a.href));
    const kindsHere = new Set();
    for (const link of links) {
      const url = new URL(link);
      url.hash = "";
      const linked = kindOf(url);
      if (!isPage(url, origin) || visited.has(url.toString()) || kindsHere.has(linked)) continue;
      kindsHere.add(linked);
      queue.push(url.toString());
    }
  }
  return [...kinds.values()];
}

/** How far the page is wider than the window, and the widest elements that stick out. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const over = document.documentElement.scrollWidth - width;
    if (over <= 1) return null;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      // Inside a box that scrolls on its own (a wide table's), sticking out is fine.
      .filter((el) => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
          if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
    return { over, culprits };
  });
}

/** axe-core's serious and critical violations of WCAG 2.1 A and AA on the page. */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), e.g. ${v.nodes[0]?.target?.join(" ")}: ${v.nodes[0]?.failureSummary?.split("\n").slice(0, 2).join(" ")}`);
}

async function checkEveryPage(who) {
  const crawler = await newPage(browser, { viewport: DESKTOP });
  await logIn(crawler, server.url, who);
  const pages = await crawl(crawler);
  const cookies = await crawler.context().cookies();
  await crawler.context().close();
  assert.ok(pages.length >= 15, `the crawl found the app's pages (found ${pages.length}: ${pages.join(", ")})`);

  const failures = [];
  const views = [
    { name: "390 px", viewport: PHONE, colorScheme: "light", overflow: true },
    { name: "1280 px", viewport: DESKTOP, colorScheme: "light", overflow: false },
    { name: "1280 px dark", viewport: DESKTOP, colorScheme: "dark", overflow: false },
  ];
  for (const view of views) {
    const page = await newPage(browser, { ...AXE_CONTEXT, viewport: view.viewport, colorScheme: view.colorScheme });
    await page.context().addCookies(cookies);
    for (const url of pages) {
      const response = await page.goto(url);
      if ((response?.status() ?? 0) >= 400) {
        failures.push(`${url} (${view.name}): answered ${response?.status()}`);
        continue;
      }
      if (view.overflow) {
        const wide = await overflow(page);
        if (wide) failures.push(`${url} (${view.name}): scrolls sideways by ${wide.over} px; sticking out: ${wide.culprits.join("; ")}`);
      }
      for (const violation of await axe(page)) failures.push(`${url} (${view.name}): ${violation}`);
    }
    failures.push(...page.problems.map((p) => `(${view.name}) ${p}`));
    await page.context().close();
  }
  return { pages, failures };
}

test("every page an admin reaches works at 390 px without sideways scrolling, and axe finds no serious or critical violation", async (t) => {
  const { pages, failures } = await checkEveryPage(ADMIN);
  t.diagnostic(`checked ${pages.length} kinds of page: ${pages.map((url) => kindOf(new URL(url))).join(" ")}`);
  // The pages this crawl must reach, so a broken nav cannot make the test pass by
  // checking nothing.
  for (const kind of [
    "/", "/alignment", "/check-in", "/kpis", "/cycles", "/cycles/{id}", "/objectives", "/objectives/{id}", "/kpis/{id}",
    "/objectives/new", "/settings/scoring", "/cycles/{id}/close", "/cycles/{id}/carry", "/objectives/{id}/retrospective",
    "/key-results/{id}/edit",
  ]) {
    assert.ok(pages.some((url) => kindOf(new URL(url)) === kind), `the crawl reached ${kind}`);
  }
  assert.deepEqual(failures, [], `${failures.length} problems on ${pages.length} pages`);
});

test("every page a member reaches works at 390 px without sideways scrolling, and axe finds no serious or critical violation", async (t) => {
  const { pages, failures } = await checkEveryPage(MEMBER);
  t.diagnostic(`checked ${pages.length} kinds of page: ${pages.map((url) => kindOf(new URL(url))).join(" ")}`);
  assert.deepEqual(failures, [], `${failures.length} problems on ${pages.length} pages`);
});

test("the login page works at 390 px and passes axe", async () => {
  const page = await newPage(browser, { ...AXE_CONTEXT, viewport: PHONE });
  await page.goto(`${server.url}/login`);
  assert.equal(await overflow(page), null, "the login page does not scroll sideways");
  assert.deepEqual(await axe(page), []);
  // A wrong password is said on the page, which still passes.
  await page.fill("#workspace", "demo").catch(() => {});
  await page.fill("#email", "nobody@example.com");
  await page.fill("#password", "wrong-password");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  assert.deepEqual(await axe(page), []);
  await page.context().close();
});

test("a form shown again with problems shows all of them at once and puts the focus on the first", async () => {
  const page = await newPage(browser, { ...AXE_CONTEXT, viewport: DESKTOP });
  await logIn(page, server.url, MEMBER);
  await page.goto(`${server.url}/check-in`);
  const row = page.locator("fieldset.check-in-row:has(input[name^='value.'])").first();
  const id = (await row.getAttribute("id")).replace("row-", "");
  // A value that is not a number and a confidence out of range, in one submit.
  await page.fill(`#value-${id}`, "lots");
  await page.fill(`#confidence-${id}`, "11");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/check-in'] button[type=submit]")]);
  await page.waitForSelector(`#value-${id}-error`);
  await page.waitForSelector(`#confidence-${id}-error`);
  assert.match(await page.textContent(`#confidence-${id}-error`), /10/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), `value-${id}`, "focus is on the first field at fault");
  assert.deepEqual(await axe(page), [], "the form with its problems passes axe");
  await page.context().close();
});

test("on a phone the navigation collapses behind a Menu button that opens it, and a wide screen shows it whole", async () => {
  const phone = await newPage(browser, { viewport: PHONE });
  await logIn(phone, server.url, MEMBER);
  const toggle = phone.locator("button.menu-toggle");
  assert.ok(await toggle.isVisible(), "the Menu button shows at 390 px");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await phone.locator("#nav-links a[href='/kpis']").isVisible(), false, "the links are folded away");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await Promise.all([phone.waitForURL(`${server.url}/kpis`), phone.locator("#nav-links a[href='/kpis']").click()]);
  assert.equal(await overflow(phone), null);
  assert.deepEqual(phone.problems, []);
  await phone.context().close();

  const desktop = await newPage(browser, { viewport: DESKTOP });
  await logIn(desktop, server.url, MEMBER);
  assert.equal(await desktop.locator("button.menu-toggle").isVisible(), false, "no Menu button on a wide screen");
  assert.ok(await desktop.locator("#nav-links a[href='/kpis']").isVisible(), "the links show");
  await desktop.context().close();

  // Without JavaScript the links wrap instead, and every one is there.
  const plain = await newPage(browser, { viewport: PHONE, javaScriptEnabled: false });
  await logIn(plain, server.url, MEMBER);
  assert.ok(await plain.locator("#nav-links a[href='/kpis']").isVisible(), "without JavaScript the nav stays open");
  assert.equal(await overflow(plain), null);
  await plain.context().close();
});
