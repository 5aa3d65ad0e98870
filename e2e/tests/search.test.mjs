// Search in headless Chromium on the demo workspace: the box in the navigation, the
// results page with the words marked, a result's link, the page without JavaScript and
// on a 390 px phone, with no console error and no sideways scrolling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, newPage, logIn, MEMBER } from "../server.mjs";

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

/** How far the page scrolls sideways, in CSS pixels. */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test("the search box in the navigation finds the demo's objectives by the start of a word", async () => {
  const page = await newPage(browser);
  await logIn(page, server.url, MEMBER);
  await page.fill("#nav-search-q", "checko");
  await Promise.all([page.waitForURL(/\/search\?q=checko/), page.press("#nav-search-q", "Enter")]);
  assert.match(await page.textContent("[role=status]"), /match/);
  const link = page.locator("#results-objective ~ ol a").first();
  assert.match(await link.textContent(), /checkout/i);
  assert.match(await link.locator("mark").first().textContent(), /^checkout$/i);
  // People by name, teams by name.
  await page.goto(`${server.url}/search?q=lena`);
  assert.match(await page.textContent("#results-person ~ ol"), /Lena Fischer/);
  // Following a result opens its page.
  await page.goto(`${server.url}/search?q=checkout&kind=objective`);
  await Promise.all([page.waitForURL(/\/objectives\/\d+$/), page.locator(".search-results a").first().click()]);
  assert.match(await page.textContent("h1"), /checkout/i);
  // Punctuation alone is refused at the field, with focusable help.
  await page.goto(`${server.url}/search?q=%22*%22`);
  assert.equal(await page.getAttribute("#search-q", "aria-invalid"), "true");
  assert.match(await page.textContent("#search-q-error"), /punctuation/);
  page.problems = page.problems.filter((p) => !p.includes("422"));
  assertClean(page);
});

test("the results page reads without JavaScript and fits a 390 px phone", async () => {
  for (const options of [{ javaScriptEnabled: false }, { viewport: { width: 390, height: 844 } }]) {
    const page = await newPage(browser, options);
    await logIn(page, server.url, MEMBER);
    await page.goto(`${server.url}/search?q=re`);
    assert.ok((await page.locator(".search-results li").count()) > 5, "results listed");
    assert.ok((await overflow(page)) <= 0, `no sideways scrolling (${JSON.stringify(options)})`);
    // The form itself, submitted by the button.
    await page.fill("#search-q", "trail club");
    await Promise.all([page.waitForURL(/q=trail\+club/), page.click("form.search-form button[type=submit]")]);
    assert.match(await page.textContent("main"), /Trail Club/);
    assertClean(page);
  }
});
