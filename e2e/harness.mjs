// The e2e harness: build runcoach once, run `runcoach serve` on a free
// 127.0.0.1 port with a fresh data directory, and drive Debian's Chromium
// through playwright-core (which never downloads a browser).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = dirname(E2E_DIR);
export const ARTIFACTS = join(E2E_DIR, 'artifacts');
export const CHROMIUM = process.env.RUNCOACH_E2E_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `cargo build -p runcoach` from the repository root; the debug binary's path.
 * RUNCOACH_E2E_BIN=/path/to/runcoach skips the build and tests that binary.
 */
export function buildBinary() {
  if (process.env.RUNCOACH_E2E_BIN) return process.env.RUNCOACH_E2E_BIN;
  const started = Date.now();
  const r = spawnSync('cargo', ['build', '-p', 'runcoach'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, CARGO_TERM_COLOR: 'never' },
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      `cargo build -p runcoach failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr?.slice(-4000)}`,
    );
  }
  process.stderr.write(`cargo build -p runcoach: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // Cargo puts the binary under CARGO_TARGET_DIR when one is set.
  const target = process.env.CARGO_TARGET_DIR
    ? resolve(REPO, process.env.CARGO_TARGET_DIR)
    : join(REPO, 'target');
  return join(target, 'debug', 'runcoach');
}

/** A port that was free a moment ago: listen on 0, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `runcoach serve` on a fresh temp data dir and wait for /healthz;
 * `args` and `env` add flags and environment (the shop's test starts the
 * demo with a fake Stripe).
 * Returns { base, stop(), dataDir }; stop() is idempotent and also runs on exit.
 */
export async function startServer(binary, { args = [], env = {}, name = 'server' } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'runcoach-e2e-'));
    const log = openSync(join(ARTIFACTS, `${name}.log`), 'w');
    const child = spawn(binary, ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
      cwd: dataDir,
      stdio: ['ignore', log, log],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', ...env },
    });
    closeSync(log);
    let exited = null;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    const killNow = () => {
      if (exited === null) child.kill('SIGKILL');
    };
    // Never leave a server behind: on normal exit, and when the test process
    // itself is interrupted or terminated.
    const onSignal = (signal) => {
      killNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('exit', killNow);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, onSignal);

    const stop = async () => {
      if (exited === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
        if (exited === null) child.kill('SIGKILL');
        for (let i = 0; i < 20 && exited === null; i++) await sleep(50);
      }
      process.off('exit', killNow);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(sig, onSignal);
      rmSync(dataDir, { recursive: true, force: true });
    };

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && exited === null) {
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) {
          const body = await res.json();
          if (body.status === 'ok') return { base, port, stop, pid: child.pid, dataDir };
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    lastError = new Error(
      exited
        ? `runcoach serve exited early (${JSON.stringify(exited)}); see e2e/artifacts/${name}.log`
        : `runcoach serve did not answer /healthz within 30 s on ${base}`,
    );
    await stop();
  }
  throw lastError;
}

/** Debian's Chromium, headless, in a fresh (temporary) profile. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

export const VIEWPORTS = {
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  },
  desktop: {
    viewport: { width: 1366, height: 900 },
    deviceScaleFactor: 1,
    isMobile: false,
    hasTouch: false,
  },
};

// ---- dates, the way the server prints them (UTC, "%a %-d %b") ----

const WD = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function utcToday() {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
export const addDays = (d, n) => new Date(d.getTime() + n * 86_400_000);
export const iso = (d) => d.toISOString().slice(0, 10);
export const dayLabel = (d) => `${WD[d.getUTCDay()]} ${d.getUTCDate()} ${MON[d.getUTCMonth()]}`;
/** Monday of the week containing d. */
export const mondayOf = (d) => addDays(d, -((d.getUTCDay() + 6) % 7));

// ---- a test file's shared set-up: screenshots, server, browser, axe ----

/**
 * Registers before/after hooks for a test file: a fresh screenshot folder
 * `artifacts/<shots>`, a server (`serve` args and env) and a browser.
 * The returned object's `server` and `browser` are set once `before` ran.
 */
export function suite(hooks, shots, options = {}) {
  const dir = join(ARTIFACTS, shots);
  const s = { dir, server: null, browser: null };
  hooks.before(
    async () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      s.server = await startServer(buildBinary(), { name: shots, ...options });
      s.browser = await launchBrowser();
    },
    { timeout: 25 * 60_000 },
  );
  hooks.after(async () => {
    await s.browser?.close().catch(() => {});
    await s.server?.stop();
  });
  return s;
}

/** axe-core's violations on the page, as "rule: targets" lines. */
export async function axeViolations(page) {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(() => globalThis.axe.run({ resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fails the test when axe-core finds any violation on the page. */
export async function assertAxeClean(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
}

/**
 * One device's window in a suite: its `page`, `visit(name)` (a full-page
 * screenshot into the suite's `<device>/` folder, then axe) and
 * `api(method, path, data)` (a same-site request as the page's user, with
 * any extra `headers`). Close `context` at the end of the test.
 */
export async function devicePage(s, device, headers = {}) {
  const dir = join(s.dir, device);
  mkdirSync(dir, { recursive: true });
  const context = await s.browser.newContext({ ...VIEWPORTS[device], bypassCSP: true });
  const page = await context.newPage();
  const base = s.server.base;
  const visit = async (name) => {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    await assertAxeClean(page, `${device} ${name}`);
  };
  const api = (method, path, data) =>
    page.request.fetch(`${base}${path}`, { method, data, headers: { origin: base, ...headers } });
  return { context, page, base, dir, visit, api };
}

/** Signs a new runner up through the form; the page ends on onboarding. */
export async function signUp(page, base, name, email) {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/onboarding/);
}
