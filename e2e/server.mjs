// Starts the real server (`milepost serve --demo`) on a random port in a fresh data
// directory, and headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
// Used by the tests and by screenshots.mjs. With MILEPOST_E2E_POSTGRES_URL set (a
// database on a PostgreSQL server where that user may create databases), each server
// gets a fresh PostgreSQL database of its own instead of SQLite, dropped when it stops.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The binary under test: MILEPOST_BIN, else the debug build of the target directory. */
export function binary() {
  if (process.env.MILEPOST_BIN) return process.env.MILEPOST_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(root, "target");
  return join(target, "debug", "milepost");
}

/**
 * Starts `milepost serve --demo` on 127.0.0.1:0; resolves to { url, token, stop }, the
 * token being the demo's admin API token the server prints. `options.env` adds to the
 * server's environment (a test clock: `MILEPOST_TEST_CLOCK_FILE`). With
 * `options.demo === false` the server starts on an empty data directory instead, and
 * the answer holds the set-up code it prints (`setupCode`) and all it printed (`output`).
 */
export async function startServer(options = {}) {
  const bin = binary();
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}: run cargo build first (or set MILEPOST_BIN)`);
  const dataDir = mkdtempSync(join(tmpdir(), "milepost-e2e-"));
  const demo = options.demo !== false;
  const args = ["serve", ...(demo ? ["--demo"] : []), "--listen", "127.0.0.1:0", "--data-dir", dataDir];
  const postgres = freshPostgres();
  if (postgres) args.push("--database-url", postgres.url);
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MILEPOST_LOG: "warn", ...(options.env ?? {}) },
  });
  let output = "";
  let errors = "";
  child.stderr.on("data", (chunk) => (errors += chunk));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${output}\n${errors}`)), 60_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/[0-9.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}\n${errors}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    postgres?.drop();
  };
  // The token line (or the set-up code's) follows the address; wait for it a moment
  // (polling, not sleeping blind).
  const wanted = demo ? /Token: +(\S+)/ : /Code: +([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/;
  let found;
  for (let tries = 0; tries < 100 && !(found = output.match(wanted)?.[1]); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A set-up's command-line hints follow the code; wait for them too, so a test reads
  // everything serve printed.
  const hinted = () => /milepost user create [^\n]*\n/.test(output);
  for (let tries = 0; !demo && tries < 100 && !hinted(); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    token: demo ? found : undefined,
    setupCode: demo ? undefined : found,
    // The PostgreSQL database the server uses, when it uses one (else SQLite in dataDir).
    databaseUrl: postgres?.url,
    output: () => output,
    dataDir,
    stop,
    logs: () => errors,
  };
}

/** A new, empty PostgreSQL database when MILEPOST_E2E_POSTGRES_URL is set (made and
 * dropped with psql), or null for SQLite. */
function freshPostgres() {
  const admin = process.env.MILEPOST_E2E_POSTGRES_URL;
  if (!admin) return null;
  const name = `milepost_e2e_${process.pid}_${Date.now()}`;
  execFileSync("psql", [admin, "-q", "-c", `CREATE DATABASE ${name}`]);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => execFileSync("psql", [admin, "-q", "-c", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}

/** Launches headless Chromium. */
export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** The demo's logins. */
export const ADMIN = { workspace: "demo", email: "alex.morgan@example.com", password: "milepost-demo-admin" };
export const MEMBER = { workspace: "demo", email: "dana.whitfield@example.com", password: "milepost-demo-member" };

/**
 * A new page that records every console error, page error and failed request, so a
 * test can fail on any of them.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  // A request the browser gave up because the test navigated on (net::ERR_ABORTED) is
  // not a failure of the page; anything else is.
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    if (!reason.includes("ERR_ABORTED")) page.problems.push(`request failed: ${request.url()} ${reason}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 500) page.problems.push(`${response.status()} from ${response.url()}`);
  });
  return page;
}

/** Logs in through the login form (which asks for the workspace only when there are several). */
export async function logIn(page, url, who) {
  await page.goto(`${url}/login`);
  if (await page.locator("#workspace").count()) await page.fill("#workspace", who.workspace);
  await page.fill("#email", who.email);
  await page.fill("#password", who.password);
  await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);
}
