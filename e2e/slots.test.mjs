// End-to-end: in-person coaching in real headless Chromium on a phone. A
// coach (made with `runcoach admin create-user --role coach`) publishes a
// two-place session on the slots page; one runner books through the API;
// a second runner, on a phone, opens the bookings page and books the last
// place; the coach's day view lists both. axe-core checks every page.
// Screenshots go to e2e/artifacts/slots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, addDays, buildBinary, iso, launchBrowser, startServer, utcToday } from './harness.mjs';

const SHOTS = join(ARTIFACTS, 'slots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';

let binary;
let server;
let browser;

before(
  async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    binary = buildBinary();
    server = await startServer(binary, { name: 'slots-server', args: ['--demo'] });
    browser = await launchBrowser();
  },
  { timeout: 25 * 60_000 },
);

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => globalThis.axe.run({ resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

/** A signed-in API client (its own cookie jar) for `email`. */
async function api(email, { signup = false } = {}) {
  const ctx = await browser.newContext({ extraHTTPHeaders: { 'x-requested-with': 'runcoach' } });
  const path = signup ? '/api/v1/signup' : '/api/v1/login';
  const password = email === 'admin@runcoach.local' ? 'demo-password' : PASSWORD;
  const data = signup ? { email, password, name: email.split('@')[0] } : { email, password };
  const r = await ctx.request.post(`${server.base}${path}`, { data });
  assert.ok(r.ok(), `${path} ${email}: ${r.status()} ${await r.text()}`);
  const call = async (method, url, body) => {
    const res = await ctx.request.fetch(`${server.base}${url}`, { method, data: body });
    return { status: res.status(), body: await res.json() };
  };
  return { ctx, call };
}

async function login(page, email) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

test('a runner books the last in-person place on a phone', { timeout: 5 * 60_000 }, async () => {
  const made = spawnSync(
    binary,
    ['admin', 'create-user', '--role', 'coach', '--email', 'coach@example.com', '--name', 'Coach Kim', '--data-dir', server.dataDir],
    { encoding: 'utf8', env: { ...process.env, RUNCOACH_PASSWORD: PASSWORD } },
  );
  assert.equal(made.status, 0, made.stderr);
  const coachApi = await api('coach@example.com');
  const { body: coach } = await coachApi.call('GET', '/api/v1/me');

  // The operator sells two sessions with Coach Kim; two runners buy them.
  const admin = await api('admin@runcoach.local');
  const product = await admin.call('POST', '/api/v1/admin/products', {
    slug: 'kim-2', name: 'Two sessions with Kim', kind: 'coaching_package',
    price_minor: 12000, currency: 'USD', coach_id: coach.id, sessions: 2,
  });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  const runners = [];
  for (const email of ['ana@example.com', 'ben@example.com']) {
    const runner = await api(email, { signup: true });
    const order = await runner.call('POST', '/api/v1/orders', { items: [{ product_id: product.body.id }] });
    assert.equal(order.status, 201);
    const paid = await admin.call('POST', `/api/v1/admin/orders/${order.body.id}/mark-paid`);
    assert.equal(paid.status, 200);
    runners.push(runner);
  }

  // The coach publishes a two-place session three days out, on a phone.
  const day = addDays(utcToday(), 3);
  const coachCtx = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const coachPage = await coachCtx.newPage();
  await login(coachPage, 'coach@example.com');
  await coachPage.goto(`${server.base}/coach/slots`);
  await coachPage.screenshot({ path: join(SHOTS, '01-coach-slots.png'), fullPage: true });
  await axe(coachPage, 'coach slots');
  await coachPage.getByLabel('Date').fill(iso(day));
  await coachPage.getByLabel(/^Start/).fill('07:30');
  await coachPage.getByLabel('Minutes').fill('60');
  await coachPage.getByLabel('Places').fill('2');
  await coachPage.getByLabel('Where to meet').fill('Riverside track, gate 2');
  await coachPage.getByRole('button', { name: 'Publish' }).click();
  await coachPage.waitForURL(new RegExp(`/coach/day/${iso(day)}$`));
  assert.match(await coachPage.locator('main').innerText(), /07:30–08:30 · Riverside track, gate 2/);

  // Ana takes the first place through the API.
  const { body: slots } = await runners[0].call('GET', `/api/v1/coaches/${coach.id}/slots`);
  assert.equal(slots.length, 1);
  const first = await runners[0].call('POST', `/api/v1/slots/${slots[0].id}/bookings`);
  assert.equal(first.status, 201, JSON.stringify(first.body));

  // Ben, on his phone, books the last one.
  const ctx = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const page = await ctx.newPage();
  await login(page, 'ben@example.com');
  await page.goto(`${server.base}/bookings`);
  assert.match(await page.locator('main').innerText(), /With Coach Kim: 2 of 2 sessions left/);
  assert.match(await page.locator('main').innerText(), /1 place left/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
  await page.screenshot({ path: join(SHOTS, '02-bookings.png'), fullPage: true });
  await axe(page, 'bookings');
  await page.getByRole('button', { name: /^Book / }).click();
  await page.waitForURL(/\/bookings\?notice=/);
  const text = await page.locator('main').innerText();
  assert.match(text, /Booked: .+ with Coach Kim/);
  assert.match(text, /With Coach Kim: 1 of 2 sessions left/);
  assert.match(text, /Cancel this booking/);
  await page.screenshot({ path: join(SHOTS, '03-booked.png'), fullPage: true });
  await axe(page, 'booked');

  // The place was the last: the API now says the session is full.
  const full = await runners[0].call('GET', `/api/v1/coaches/${coach.id}/slots`);
  assert.equal(full.body[0].places_left, 0);

  // The coach's day view lists both runners.
  await coachPage.goto(`${server.base}/coach/day/${iso(day)}`);
  const dayText = await coachPage.locator('main').innerText();
  assert.match(dayText, /2 of 2 booked · full/);
  assert.match(dayText, /ana/);
  assert.match(dayText, /ben/);
  await coachPage.screenshot({ path: join(SHOTS, '04-coach-day.png'), fullPage: true });
  await axe(coachPage, 'coach day');

  await ctx.close();
  await coachCtx.close();
  await coachApi.ctx.close();
  await admin.ctx.close();
  for (const r of runners) await r.ctx.close();
});
