// End-to-end: hip strength in the runner's hand, on a phone and a desktop
// (the follow-along; the library and exercise pages on a phone). A runner opens
// a hip session (every movement drawn, the kit it needs), follows it one
// movement at a time — sets counted, holds and rests timed by the page's
// own script under the real CSP, the clock driven by Playwright's clock so
// no test waits 30 real seconds — and logs it at the end: the session then
// reads "done" on its page and on the calendar. Also: a quality run drawn,
// an exercise page (and its still figure for reduced motion), the library
// filtered. axe-core at 0 violations on every new page state; screenshots
// in e2e/artifacts/strength/ (the follow-along under phone/ and desktop/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, assertAxeClean, iso, mondayOf, suite, utcToday, VIEWPORTS } from './harness.mjs';

const s = suite({ before, after }, 'strength');
const SHOTS = s.dir;

for (const device of ['phone', 'desktop']) test(`follow a hip session to the end on a ${device}, then it reads done`, { timeout: 5 * 60_000 }, async () => {
  const dir = join(SHOTS, device);
  mkdirSync(dir, { recursive: true });
  const context = await s.browser.newContext({ ...VIEWPORTS[device] });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.clock.install();
  const base = s.server.base;
  let shot = 0;
  const visit = async (name) => {
    shot += 1;
    await page.screenshot({ path: join(dir, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    await assertAxeClean(page, `${device} ${name}`);
  };
  const api = (method, path, data) =>
    page.request.fetch(`${base}${path}`, { method, data, headers: { origin: base } });

  await page.goto(`${base}/signup`);
  await page.getByLabel('Name').fill('Hip Runner');
  await page.getByLabel('Email').fill(`hips-${device}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/onboarding/);
  assert.equal((await api('PATCH', '/api/v1/me', { time_zone: 'Etc/UTC' })).status(), 200);
  const start = addDays(mondayOf(utcToday()), -14);
  const created = await api('POST', '/api/v1/plans', {
    race: 'half', race_date: iso(addDays(start, 12 * 7 - 1)), start: iso(start),
    run_days: ['tue', 'thu', 'sat', 'sun'], long_run_day: 'sun', level: 'experienced',
    weekly_km: 40, recent: { distance: '10k', time: '50:00' }, strength_days: 2, equipment: ['band', 'bench'],
  });
  assert.equal(created.status(), 201, await created.text());
  const plan = await created.json();
  const sessions = plan.weeks.flatMap((w) => w.days.flatMap((d) => d.sessions));
  const hips = sessions.find((s) => s.kind === 'strength');
  const quality = sessions.find((s) => ['intervals', 'tempo'].includes(s.kind) && s.steps?.length);

  // A quality run: drawn, every step with time, distance and target.
  await page.goto(`${base}/sessions/${quality.id}`);
  const drawing = page.locator('svg.workout[role="img"]');
  assert.match(await drawing.getAttribute('aria-label'), /about .*min/);
  assert.ok((await page.locator('.workout-steps .target').count()) >= 3);
  assert.equal(await page.getByText(/\d:\d\d jog/).count(), 0, 'no jog written as a clock');
  await visit('quality-run');

  // The hip session: a figure per movement and the kit.
  await page.goto(`${base}/sessions/${hips.id}`);
  assert.equal(await page.locator('.movements svg.figure[role="img"]').count(), hips.exercises.length);
  await assert.doesNotReject(page.getByText('Kit', { exact: true }).waitFor());
  await visit('hip-session');
  // In print: the movements drawn, no navigation or moving figures.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.movements svg.figure[role="img"]').first().isVisible(), true);
  assert.equal(await page.locator('header.top').isVisible(), false);
  await page.screenshot({ path: join(dir, '02b-hip-session-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  await page.getByRole('link', { name: /follow along/i }).click();
  await page.waitForURL(/\/follow$/);
  const act = page.locator('#follow-act');
  await assert.doesNotReject(act.waitFor());
  assert.equal(await act.textContent(), 'Start the session');
  assert.equal(await page.locator('#finish').isVisible(), false);
  await visit('follow-ready');
  await act.click();

  // Work through every step: tap reps done, start holds and let them run
  // out, let rests run out on the clock.
  const seen = new Set();
  let sets = 0;
  for (let i = 0; i < 300 && !(await page.locator('#finish').isVisible()); i++) {
    const label = (await act.textContent()).trim();
    const now = (await page.locator('.player .now').textContent()).trim();
    if (label.startsWith('Done: set')) {
      if (!seen.has('reps')) { seen.add('reps'); await visit('follow-reps'); }
      assert.match(await page.locator('.player .next').textContent(), /^Next up: /);
      await act.click();
      sets += 1;
    } else if (label.startsWith('Start the')) {
      const secs = Number(label.match(/(\d+) s hold/)[1]);
      await act.click();
      await page.clock.runFor(1_000);
      if (!seen.has('hold')) {
        seen.add('hold');
        assert.equal(await page.locator('.player .clock').textContent(), `0:${String(secs - 1).padStart(2, '0')}`);
        await visit('follow-hold');
      }
      await page.clock.runFor(secs * 1000);
      sets += 1;
    } else if (label === 'Skip rest') {
      if (!seen.has('rest')) {
        seen.add('rest');
        assert.match(now, /^(Rest|Switch sides)/);
        // The player has the screen: no tab bar over "Skip rest".
        assert.equal(await page.locator('nav.tabs').isVisible(), false, 'tab bar hidden while following');
        await visit('follow-rest');
      }
      await page.clock.runFor(61_000);
    } else {
      assert.fail(`unexpected button "${label}" (${now})`);
    }
  }
  assert.ok(await page.locator('#finish').isVisible(), 'the end is reached');
  assert.ok(seen.has('reps') && seen.has('rest'), [...seen].join());
  const planned = hips.exercises.reduce((n, e) => n + e.sets * (e.hold_s && e.per_side ? 2 : 1), 0);
  assert.equal(sets, planned, 'every set of every movement');
  assert.equal(await page.locator('#finish-h').textContent(), 'All done: log it');
  assert.match(await page.locator('#minutes').inputValue(), /^\d+$/);
  await visit('follow-finished');

  await page.getByRole('button', { name: 'Log this session as done' }).click();
  await page.waitForURL(new RegExp(`/sessions/${hips.id}\\?logged=1`));
  await assert.doesNotReject(page.locator('.logged', { hasText: 'Done' }).first().waitFor());
  await visit('hip-session-logged');
  await page.goto(`${base}/plans/${plan.id}`);
  const item = page.locator(`a.item[href="/sessions/${hips.id}"]`);
  assert.match(await item.getAttribute('class'), /st-done/);
  assert.equal(await page.locator('a.item svg.workout-mini').count() > 0, true, 'quality days drawn small');
  assert.deepEqual(errors, [], 'no script errors, no CSP refusals');
  await context.close();
});

test('exercise pages are drawn, still for reduced motion, and the library filters', { timeout: 2 * 60_000 }, async () => {
  const context = await s.browser.newContext({ ...VIEWPORTS.phone, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const base = s.server.base;
  await page.goto(`${base}/exercises/copenhagen_plank`);
  const still = page.locator('svg.figure[role="img"]');
  assert.match(await still.getAttribute('aria-label'), /^Copenhagen Plank, drawn at the start/);
  assert.equal(await page.locator('svg.figure-move').isVisible(), false, 'no motion when asked');
  await page.screenshot({ path: join(SHOTS, '20-exercise-reduced-motion.png'), fullPage: true });
  await assertAxeClean(page, 'exercise, reduced motion');

  const moving = await s.browser.newContext({ ...VIEWPORTS.phone });
  const p2 = await moving.newPage();
  await p2.goto(`${base}/exercises/bird_dog`);
  assert.equal(await p2.locator('svg.figure-move').isVisible(), true);
  await p2.screenshot({ path: join(SHOTS, '21-exercise.png'), fullPage: true });
  await assertAxeClean(p2, 'exercise');

  await p2.goto(`${base}/exercises`);
  await p2.getByLabel('Kit you have').selectOption('none');
  await p2.getByLabel('Helps with').selectOption('knee');
  await p2.getByRole('button', { name: 'Show movements' }).click();
  await p2.waitForURL(/niggle=knee/);
  const found = await p2.locator('main ul.list a').allTextContents();
  assert.ok(found.includes('Clamshells') && !found.includes('Monster Walks'), found.join());
  assert.equal((await p2.locator('main h2').allTextContents())[0], 'Side of the hip (abductors)');
  await p2.screenshot({ path: join(SHOTS, '22-library-filtered.png'), fullPage: true });
  await assertAxeClean(p2, 'library filtered');
  await moving.close();
  await context.close();
});
