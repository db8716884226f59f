// End-to-end: coaching on a phone. An admin creates a coach account; the
// coach invites two runners, who accept on the invitation page; the roster
// puts the runner who logged knee pain 5 first, with the alert in words;
// the coach comments on one of her sessions and she reads it on her session
// page; a third runner's data stays 404 for the coach. axe-core checks every
// page (0 violations); nothing scrolls sideways. Screenshots go to
// e2e/artifacts/coaching/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, addDays, buildBinary, iso, launchBrowser, mondayOf, startServer, utcToday } from './harness.mjs';

const SHOTS = join(ARTIFACTS, 'coaching');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;

before(
  async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(buildBinary(), { name: 'coaching-server', args: ['--demo'] });
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

async function phone() {
  const context = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  return context.newPage();
}

async function logIn(page, email, password) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** A runner signs up and gets a 50 km plan begun two weeks ago (the demo sells the road distances). */
async function runner(name, email) {
  const page = await phone();
  await page.goto(`${server.base}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/onboarding/);
  const api = (method, path, data) =>
    page.request.fetch(`${server.base}${path}`, { method, data, headers: { origin: server.base } });
  const start = addDays(mondayOf(utcToday()), -14);
  const r = await api('POST', '/api/v1/plans', {
    race: '50k', race_date: iso(addDays(start, 16 * 7 - 1)), start: iso(start),
    run_days: ['tue', 'thu', 'sat', 'sun'], long_run_day: 'sun', level: 'experienced',
    weekly_km: 60, longest_run_km: 25, strength_days: 2,
  });
  assert.equal(r.status(), 201, await r.text());
  const plan = await r.json();
  const me = await (await api('GET', '/api/v1/me')).json();
  return { page, api, plan, id: me.id };
}

test('invite, accept, roster by need, comment both ways, a stranger stays invisible', { timeout: 6 * 60_000 }, async () => {
  const base = server.base;

  // The admin creates the coach's account.
  const admin = await phone();
  await logIn(admin, 'admin@runcoach.local', 'demo-password');
  await admin.goto(`${base}/admin/coaches`);
  await admin.getByLabel('Name').fill('Cora Coach');
  await admin.getByLabel('Email').fill('cora@example.com');
  await admin.getByLabel('Password').fill('tempo tuesdays forever');
  await admin.getByRole('button', { name: 'Create coach' }).click();
  await admin.waitForURL(/notice=/);
  assert.match(await admin.locator('main').innerText(), /Cora Coach/);
  await check(admin, '01-admin-coaches');

  const coach = await phone();
  await logIn(coach, 'cora@example.com', 'tempo tuesdays forever');
  await coach.goto(`${base}/coach`);
  // The header's menu marks Athletes; on a phone the tab bar marks More.
  assert.equal((await coach.locator('header nav a[aria-current="page"]').textContent()).trim(), 'Athletes');
  assert.match(await coach.locator('nav.tabs a[aria-current="page"]').innerText(), /More$/);
  await coach.getByRole('link', { name: 'Your profile' }).click();
  await coach.getByLabel('About you').fill('Ultra runner; patient with comebacks from injury.');
  await coach.getByLabel(/Specialities/).fill('ultra, injury comeback');
  await coach.getByLabel('I coach online').check();
  await coach.getByRole('button', { name: 'Save profile' }).click();
  await coach.waitForURL(/notice=/);
  await check(coach, '01b-coach-profile');
  const invite = async (email) => {
    await coach.goto(`${base}/coach`);
    await coach.getByLabel("Athlete's e-mail").fill(email);
    await coach.getByRole('button', { name: 'Create invitation link' }).click();
    return (await coach.getByLabel('Invitation link').inputValue()).replace(/^https?:\/\/[^/]+/, base);
  };
  const anaLink = await invite('ana@example.com');
  await check(coach, '02-invitation-link');
  const boLink = await invite('bo@example.com');

  const ana = await runner('Ana Runner', 'ana@example.com');
  const bo = await runner('Bo Runner', 'bo@example.com');
  // Ana hurt her knee yesterday; Bo ran easy.
  const yesterday = iso(addDays(utcToday(), -1));
  let r = await ana.api('POST', '/api/v1/logs', {
    date: yesterday, kind: 'run', status: 'done', duration_s: 2400, distance_m: 7000, rpe: 6,
    pain: [{ location: 'knee', score: 5 }],
  });
  assert.equal(r.status(), 201, await r.text());
  r = await bo.api('POST', '/api/v1/logs', { date: yesterday, kind: 'run', status: 'done', duration_s: 2400, distance_m: 8000, rpe: 4 });
  assert.equal(r.status(), 201, await r.text());

  await ana.page.goto(anaLink);
  assert.match(await ana.page.locator('h1').innerText(), /Cora Coach invites you/);
  await check(ana.page, '03-invitation');
  await ana.page.getByLabel('See and comment').check();
  await ana.page.getByRole('button', { name: 'Accept' }).click();
  await ana.page.waitForURL(/\/settings/);
  assert.match(await ana.page.locator('#coaches ~ form').first().innerText(), /Cora Coach can see and comment/);
  await check(ana.page, '04-settings-coaches');
  await bo.page.goto(boLink);
  await bo.page.getByRole('button', { name: 'Accept' }).click();
  await bo.page.waitForURL(/\/settings/);
  // Used is used.
  await bo.page.goto(boLink);
  assert.match(await bo.page.locator('h1').innerText(), /Invitation not found/);

  // The roster: Ana first, her pain in words.
  await coach.goto(`${base}/coach`);
  const cards = coach.locator('ol.roster > li');
  assert.equal(await cards.count(), 2);
  assert.match(await cards.nth(0).innerText(), /Ana Runner[\s\S]*Pain[\s\S]*knee 5\/10/);
  assert.match(await cards.nth(1).innerText(), /Bo Runner/);
  await check(coach, '05-roster');

  // The coach comments on one of Ana's sessions this week.
  await cards.nth(0).getByRole('link', { name: 'Ana Runner' }).click();
  await coach.waitForURL(/\/coach\/athletes\//);
  const session = coach.locator('li.coach-session').first();
  const sessionId = (await session.getAttribute('id')).slice(2);
  await session.locator('summary').click();
  await session.getByLabel('Comment').fill('Ease off until the knee settles. <b>No</b> hills.');
  await session.getByRole('button', { name: 'Send' }).click();
  await coach.waitForURL(/#s-/);
  assert.match(await coach.locator(`#s-${sessionId} .comments`).innerText(), /Ease off until the knee settles\. <b>No<\/b> hills\./);
  await check(coach, '06-athlete-plan');

  // Ana sees it (escaped, as written) on her session page, and answers.
  let unread = await (await ana.api('GET', '/api/v1/comments/unread')).json();
  assert.equal(unread.count, 1);
  await ana.page.goto(`${base}/sessions/${sessionId}`);
  assert.match(await ana.page.locator('#comments').innerText(), /Cora Coach \(coach\).*Ease off until the knee settles\. <b>No<\/b> hills\./s);
  unread = await (await ana.api('GET', '/api/v1/comments/unread')).json();
  assert.equal(unread.count, 0, 'reading marks read');
  await check(ana.page, '07-session-comments');
  await ana.page.getByLabel('Add a comment').fill('Will do, thanks!');
  await ana.page.getByRole('button', { name: 'Send' }).click();
  await ana.page.waitForURL(/#comments/);
  await coach.goto(`${base}/coach`);
  assert.match(await coach.locator('ol.roster > li').nth(0).innerText(), /1 unread/);

  // Ana lets Cora change her plan. Cora changes this week in the week
  // editor (checked first, saved with a note); Ana sees the change, who
  // made it and why, with its undo.
  const [grant] = await (await ana.api('GET', '/api/v1/coaching/grants')).json();
  r = await ana.api('PATCH', `/api/v1/coaching/grants/${grant.id}`, { access: 'edit' });
  assert.equal(r.status(), 200, await r.text());
  await coach.goto(`${base}/coach/athletes/${ana.id}`);
  await coach.getByRole('link', { name: 'Change this week' }).last().click();
  await coach.waitForURL(/\/weeks\/\d+\/edit$/);
  await check(coach, '08-coach-week-editor');
  const day = coach.locator('.week-editor select').first();
  const days = await day.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const was = await day.inputValue();
  await day.selectOption(days.find((d) => d !== was));
  await coach.getByRole('button', { name: 'Check the week' }).click();
  await coach.getByRole('heading', { name: 'Check the change' }).waitFor();
  await check(coach, '09-coach-week-check');
  await coach.getByLabel('Note for the change (optional)').fill('Moved so the knee gets an extra easy day.');
  await coach.getByRole('button', { name: /^Save/ }).click();
  await coach.waitForURL(new RegExp(`/coach/athletes/${ana.id}$`));
  await ana.page.goto(`${base}/plans/${ana.plan.id}`);
  const changes = ana.page.locator('#changes');
  assert.match(await changes.innerText(), /Moved so the knee gets an extra easy day\./);
  assert.ok(await changes.getByRole('button', { name: /undo/i }).count() >= 1, 'the change can be undone');
  await check(ana.page, '10-athlete-sees-coach-change');

  // A third runner who granted nothing: 404 for the coach, page and API.
  const cy = await runner('Cy Runner', 'cy@example.com');
  const page404 = await coach.goto(`${base}/coach/athletes/${cy.id}`);
  assert.equal(page404.status(), 404);
  const api404 = await coach.request.get(`${base}/api/v1/plans/${cy.plan.id}`);
  assert.equal(api404.status(), 404);
  const progress404 = await coach.request.get(`${base}/api/v1/progress?athlete_id=${cy.id}`);
  assert.equal(progress404.status(), 404);
});
