// End-to-end: the runner's own day on a phone. A runner with two weeks of
// a plan behind them (some sessions logged done, partly done and skipped,
// the rest missed) reads the calendar and Today with each status in words
// beside its colour, finds the current page marked in the navigation,
// downloads a session for the watch and subscribes to the calendar feed
// with one webcal:// tap. axe-core checks every page (0 violations).
// Screenshots go to e2e/artifacts/athlete-day/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addDays, assertAxeClean, iso, mondayOf, suite, utcToday, VIEWPORTS } from './harness.mjs';

const s = suite({ before, after }, 'athlete-day');
const SHOTS = s.dir;

test('statuses, current page, watch download and webcal on a phone', { timeout: 5 * 60_000 }, async () => {
  const context = await s.browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const page = await context.newPage();
  const base = s.server.base;
  const visit = async (name) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    await assertAxeClean(page, name);
  };
  const api = (method, path, data) =>
    page.request.fetch(`${base}${path}`, { method, data, headers: { origin: base } });

  await page.goto(`${base}/signup`);
  await page.getByLabel('Name').fill('Day Runner');
  await page.getByLabel('Email').fill('day@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/onboarding/);

  // Two weeks behind, in the runner's own zone (UTC here: today's date is
  // the one the harness computes).
  const me = await api('PATCH', '/api/v1/me', { time_zone: 'Etc/UTC' });
  assert.equal(me.status(), 200, await me.text());
  const start = addDays(mondayOf(utcToday()), -14);
  const created = await api('POST', '/api/v1/plans', {
    race: '10k', race_date: iso(addDays(start, 10 * 7 - 1)), start: iso(start),
    run_days: ['tue', 'thu', 'sat', 'sun'], long_run_day: 'sun', level: 'experienced',
    weekly_km: 40, strength_days: 2,
  });
  assert.equal(created.status(), 201, await created.text());
  const plan = await created.json();
  const week1 = plan.weeks[0].days.flatMap((d) => d.sessions);
  for (const [i, status] of ['done', 'partial', 'skipped'].entries()) {
    const r = await api('POST', '/api/v1/logs', { session_id: week1[i].id, status, rpe: 4, duration_s: 1800 });
    assert.equal(r.status(), 201, await r.text());
  }

  await page.goto(`${base}/plans/${plan.id}`);
  // The plan opens on this week; unfold the others to read every week.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  await assert.doesNotReject(page.locator('nav.tabs a[aria-current="page"]', { hasText: 'Plan' }).waitFor());
  for (const words of ['Done', 'Partly done', 'Skipped']) {
    assert.ok(await page.locator('.item .status', { hasText: words }).count() > 0, words);
  }
  // The plan was made today: the unlogged days of the two weeks before are
  // not held against the runner (the API test backdates a plan to see
  // "Missed").
  assert.equal(await page.locator('.item .status', { hasText: 'Missed' }).count(), 0);
  assert.match(await page.locator('#week-1').innerText(), /of \d+\.\d km done/);
  await visit('01-calendar');
  await page.locator('section.week').first().screenshot({ path: join(SHOTS, '01-calendar-week-1.png') });

  await page.goto(`${base}/today`);
  assert.match(await page.locator('nav.tabs a[aria-current="page"]').innerText(), /Today$/);
  await visit('02-today');
  const today = plan.weeks.flatMap((w) => w.days).find((d) => d.date === iso(utcToday()));
  if (today?.sessions.length) {
    const r = await api('POST', '/api/v1/logs', { session_id: today.sessions[0].id, status: 'done', rpe: 4, duration_s: 1800 });
    assert.equal(r.status(), 201, await r.text());
    await page.goto(`${base}/today`);
    await page.locator('.today-card .status', { hasText: 'Done' }).first().waitFor();
    await visit('02-today-done');
  }

  await page.goto(`${base}/sessions/${week1[0].id}`);
  const download = page.getByRole('link', { name: /Download for your watch/ });
  const fit = await page.request.get(`${base}${await download.getAttribute('href')}`);
  assert.equal(fit.status(), 200);
  assert.equal(fit.headers()['content-type'], 'application/vnd.ant.fit');
  await visit('03-session');
  await download.locator('xpath=..').screenshot({ path: join(SHOTS, '03-session-watch.png') });

  await page.goto(`${base}/settings`);
  await page.getByRole('button', { name: 'New calendar feed' }).click();
  const feed = await page.locator('.feed-url').innerText();
  const subscribe = page.getByRole('link', { name: 'Subscribe in your calendar app' });
  assert.equal(await subscribe.getAttribute('href'), feed.replace(/^https?:\/\//, 'webcal://'));
  // On a phone Settings sits under the tab bar's "More".
  assert.match(await page.locator('nav.tabs a[aria-current="page"]').innerText(), /More$/);
  // The copy button (static/copy.js) puts the link on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.getByRole('button', { name: 'Copy the link' }).click();
  await page.locator('#feed-url-copied', { hasText: 'Copied.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), feed);
  await visit('04-settings-feed');
  // The new feed, its copy button and the subscribe link, in one picture
  // (page coordinates: the box is the viewport's, plus the scroll).
  const scrolled = await page.evaluate(() => window.scrollY);
  const from = await page.locator('p.notice', { hasText: 'Your new feed' }).boundingBox();
  const to = await subscribe.locator('xpath=..').boundingBox();
  await page.screenshot({
    path: join(SHOTS, '04-feed-created.png'), fullPage: true,
    clip: { x: 0, y: from.y + scrolled - 8, width: 390, height: to.y + to.height - from.y + 16 },
  });

  const icon = await page.request.get(`${base}/favicon.ico`);
  assert.equal(icon.status(), 200);
  await context.close();
});
