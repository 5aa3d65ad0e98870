// The demo's driver tree on a phone: weekly revenue's page shows its inputs and named
// driver with their health, says which driver explains most of its fall, does not scroll
// sideways at 390 px, and axe finds no serious or critical violation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer, startBrowser, newPage, logIn, MEMBER } from "../server.mjs";

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

test("the driver tree reads on a phone and passes axe", async () => {
  // axe is injected as a script of the test's own: the page's CSP would refuse it.
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
  await logIn(page, server.url, MEMBER);
  await page.goto(`${server.url}/kpis`);
  await Promise.all([page.waitForURL(/\/kpis\/\d+$/), page.getByRole("link", { name: "Weekly revenue" }).first().click()]);
  const tree = page.locator("#driver-tree");
  await tree.waitFor();
  const text = await tree.innerText();
  for (const name of ["Weekly revenue", "Orders", "Average order value", "Storefront conversion rate"]) {
    assert.ok(text.includes(name), `${name} is in the tree: ${text}`);
  }
  assert.match(text, /Most of the change comes from Orders/);
  assert.ok((await page.locator("#record").count()) === 0, "nobody records a formula KPI's values");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide at 390 px`);
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} (${v.nodes[0]?.target?.join(" ")})`), []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
