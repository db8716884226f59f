// End-to-end: the affiliate program in real headless Chromium on a phone.
// A coach follows the footer's "Earn up to $100 per referral", signs up,
// applies and gets the dashboard (link, QR code, weekly chart); a runner
// follows the link, lands on the store with the referral cookie and signs
// up, and the coach's dashboard counts them; the admin page lists the
// affiliate. axe-core checks every page; nothing scrolls sideways.
// Screenshots go to e2e/artifacts/affiliates/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, buildBinary, launchBrowser, startServer } from './harness.mjs';

const SHOTS = join(ARTIFACTS, 'affiliates');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;

before(
  async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(buildBinary(), { name: 'affiliates-server', args: ['--demo'] });
    browser = await launchBrowser();
  },
  { timeout: 25 * 60_000 },
);

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function check(page, what) {
  await page.screenshot({ path: join(SHOTS, `${what}.png`), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what}: no sideways scrolling on a phone (page is ${width}px wide)`);
  await page.evaluate(AXE);
  const result = await page.evaluate(() => globalThis.axe.run({ resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

test('a coach applies from the footer, a runner follows the link, the admin sees it', { timeout: 5 * 60_000 }, async () => {
  const coachContext = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const coach = await coachContext.newPage();
  await coach.goto(`${server.base}/`);
  await coach.getByRole('link', { name: 'Earn up to $100 per referral' }).click();
  await coach.waitForURL(/\/affiliate$/);
  await check(coach, '01-apply-signed-out');
  await coach.getByRole('link', { name: 'Sign up to apply' }).click();
  await coach.getByLabel('Name').fill('Trail Club');
  await coach.getByLabel('Email').fill('club@example.com');
  await coach.getByLabel('Password').fill('correct horse battery');
  await coach.getByRole('button', { name: /sign up/i }).click();
  await coach.waitForURL(/\/affiliate$/);
  await check(coach, '02-apply');
  await coach.getByLabel(/your link name/i).fill('trail-club');
  await coach.getByRole('button', { name: 'Apply' }).click();
  await coach.waitForURL(/\/affiliate\?notice=/);
  const link = await coach.getByLabel(/share it/i).inputValue();
  assert.match(link, /\/r\/trail-club$/);
  assert.ok(await coach.getByRole('img', { name: /QR code for/ }).isVisible());
  await check(coach, '03-dashboard');

  // Headless Chromium says so in its user agent, which counts as a robot:
  // the runner's phone says what a phone's browser says.
  const runnerContext = await browser.newContext({
    ...VIEWPORTS.phone,
    bypassCSP: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
  });
  const runner = await runnerContext.newPage();
  await runner.goto(`${link.replace(/^https?:\/\/[^/]+/, server.base)}?to=/store`);
  await runner.waitForURL(/\/store$/);
  const cookie = (await runnerContext.cookies()).find((c) => c.name === 'rc_ref');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', 'the referral cookie');
  await runner.goto(`${server.base}/signup`);
  await runner.getByLabel('Name').fill('Ana');
  await runner.getByLabel('Email').fill('ana@example.com');
  await runner.getByLabel('Password').fill('correct horse battery');
  await runner.getByRole('button', { name: /sign up/i }).click();
  await runner.waitForURL(/\/onboarding/);

  await coach.goto(`${server.base}/affiliate`);
  assert.match(await coach.locator('main').innerText(), /1 click · 1 sign-up · 0 paying runners/);
  assert.doesNotMatch(await coach.locator('main').innerText(), /ana@example\.com|Ana\b/);
  await check(coach, '04-dashboard-after-a-referral');

  const adminContext = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const admin = await adminContext.newPage();
  await admin.goto(`${server.base}/login`);
  await admin.getByLabel('Email').fill('admin@runcoach.local');
  await admin.getByLabel('Password').fill('demo-password');
  await admin.getByRole('button', { name: /log in/i }).click();
  await admin.goto(`${server.base}/admin/affiliates`);
  assert.match(await admin.locator('main').innerText(), /trail-club · approved/);
  await check(admin, '05-admin');
  await coachContext.close();
  await runnerContext.close();
  await adminContext.close();
});
