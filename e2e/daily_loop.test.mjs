// End-to-end: the daily loop on a phone and a desktop. A runner signs up,
// has a plan, logs today's run in one tap (it shows as done on the calendar,
// where today is marked in words, on Today and in Activities), reads
// progress (labels a readable size, the prediction in words), imports a
// watch file and reads the import report (what came in, in the runner's day
// and units, the planned run it counted for, a refused file and why), moves around
// with the tab bar (phone) or the header (desktop), looks at activities and
// the race's pacing plan. axe-core checks every page (0 violations).
// Screenshots go to e2e/artifacts/daily-loop/<phone|desktop>/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, devicePage, iso, REPO, suite, utcToday } from './harness.mjs';

const s = suite({ before, after }, 'daily-loop');

for (const device of ['phone', 'desktop']) {
  test(`the daily loop on a ${device}`, { timeout: 5 * 60_000 }, async () => {
    const { context, page, base, dir, visit, api } = await devicePage(s, device, { 'x-requested-with': 'runcoach' });
    const nav = device === 'phone' ? 'nav.tabs' : 'header nav';

    await page.goto(`${base}/signup`);
    await visit('00-signup');
    await page.getByLabel('Name').fill('Loop Runner');
    await page.getByLabel('Email').fill(`loop-${device}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /sign up/i }).click();
    await page.waitForURL(/onboarding/);
    await visit('00-onboarding');
    // The runner's day is the harness's UTC day.
    assert.equal((await api('PATCH', '/api/v1/me', { time_zone: 'Etc/UTC' })).status(), 200);

    // A half marathon whose weeks end today (a plan may start on any
    // weekday), from a 10k in 50:00, running today and three earlier days
    // of this week: whatever the weekday, there is a run to log today and
    // earlier runs for the watch's file.
    const t = utcToday();
    const WD = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const wd = (d) => WD[d.getUTCDay()];
    const start = addDays(t, -20);
    const created = await api('POST', '/api/v1/plans', {
      race: 'half', race_date: iso(addDays(start, 12 * 7 - 2)), start: iso(start),
      run_days: [0, -2, -4, -5].map((n) => wd(addDays(t, n))), long_run_day: wd(addDays(t, -2)),
      level: 'experienced', weekly_km: 40, recent: { distance: '10k', time: '50:00' }, strength_days: 2,
    });
    assert.equal(created.status(), 201, await created.text());
    const plan = await created.json();

    // The tab bar on a phone, the header's menu on a desktop: one of them shows.
    await page.goto(`${base}/today`);
    assert.equal(await page.locator('nav.tabs').isVisible(), device === 'phone');
    assert.equal(await page.locator('header nav').isVisible(), device === 'desktop');
    assert.match(await page.locator(`${nav} a[aria-current="page"]`).innerText(), /Today$/);
    await visit('01-today');

    // Log today's run from its page, in one tap.
    const days = plan.weeks.flatMap((w) => w.days);
    const today = iso(t);
    const RUNS = ['easy', 'long', 'recovery', 'tempo', 'intervals', 'repetition', 'marathon_pace'];
    const run = days.find((d) => d.date === today).sessions.find((s) => RUNS.includes(s.kind));
    assert.ok(run, `a run today (${today})`);
    await page.locator(`a.today-card[href="/sessions/${run.id}"]`).click();
    await page.waitForURL(new RegExp(`/sessions/${run.id}$`));
    await visit('02-session');
    await page.getByRole('button', { name: 'Done as planned' }).click();
    await page.locator('p.notice', { hasText: 'Logged. Well done.' }).waitFor();
    await visit('03-logged');

    // Done on the calendar (this week is open, today marked in words)...
    await page.locator(`${nav}`).getByRole('link', { name: 'Plan' }).click();
    await page.waitForURL(/\/plans\//);
    const item = page.locator(`a.item[href="/sessions/${run.id}"]`);
    assert.match(await item.innerText(), /✓\s*Done/);
    assert.ok(await item.isVisible(), 'this week is open');
    assert.match(await page.locator('li.day[aria-current="date"] .today-tag').textContent(), /^Today$/);
    await visit('04-calendar-done');
    // ... on Today ...
    await page.locator(`${nav}`).getByRole('link', { name: 'Today' }).click();
    await page.waitForURL(/\/today$/);
    assert.match(await page.locator(`a.today-card[href="/sessions/${run.id}"] .status`).innerText(), /Done/);
    // The week strip: seven days, today's run a tick with its words.
    assert.equal(await page.locator('ol.week-strip > li').count(), 7);
    const cell = page.locator('ol.week-strip > li[aria-current="date"]');
    assert.match(await cell.locator('.mark.st-done').first().textContent(), /^✓.*: Done$/);
    await visit('04b-today-done');
    // ... and in Activities.
    await page.goto(`${base}/activities`);
    assert.match(await page.locator('.activity-list li').first().innerText(), /Done/);
    await visit('05-activities');

    // Import from the watch: a run on an earlier run day of this week
    // (the day's planned run takes it), and a file that is not an activity.
    const other = days.filter((d) => d.date < today && d.date > iso(addDays(t, -7)))
      .map((d) => ({ date: d.date, s: d.sessions.find((s) => RUNS.includes(s.kind)) }))
      .find(({ s }) => s);
    assert.ok(other, 'an earlier run this week');
    const ranOn = other.date;
    const gpx = readFileSync(join(REPO, 'testdata/activities/gpx/gg__fr265s-10k-hr.gpx'), 'utf8')
      .replaceAll('2024-10-03T', `${ranOn}T`);
    await page.goto(`${base}/imports`);
    await page.getByLabel('Activity files or a Strava export').setInputFiles([
      { name: 'morning-run.gpx', mimeType: 'application/gpx+xml', buffer: Buffer.from(gpx) },
      { name: 'notes.fit', mimeType: 'application/octet-stream', buffer: Buffer.from('not a FIT file at all') },
    ]);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/imports\/[^/]+$/);
    // The report refreshes itself until the job is done.
    await page.locator('h1', { hasText: 'Import done' }).waitFor({ timeout: 60_000 });
    const came = page.locator('ul.came li');
    assert.equal(await came.count(), 1);
    const line = await came.first().innerText();
    assert.match(line, /\d+\.\d (km|mi) · /, line);
    assert.match(line, /Counted for /, line);
    assert.equal(await came.first().locator('.matched a').getAttribute('href'), `/sessions/${other.s.id}`);
    const refused = page.locator('table.report tr.failed');
    assert.match(await refused.innerText(), /notes\.fit\s+refused: could not be read/);
    await visit('05b-import-report');
    // The planned run the watch recorded reads done, and says where from.
    await page.goto(`${base}/plans/${plan.id}`);
    assert.match(await page.locator(`a.item[href="/sessions/${other.s.id}"] .status`).innerText(), /Done, from your watch/);
    await visit('05c-calendar-watch');

    // Progress: labels at least 12 px on the screen, the prediction in words.
    await page.locator(`${nav}`).getByRole('link', { name: 'Progress' }).click();
    await page.waitForURL(/\/progress/);
    assert.match(await page.locator('.prediction .big').innerText(), /^Half marathon \d:\d\d:\d\d/);
    const sizes = await page.locator('svg.chart text.axis').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().height));
    if (sizes.length) {
      const smallest = Math.min(...sizes);
      assert.ok(smallest >= 12, `chart labels ${smallest.toFixed(1)} px tall`);
    }
    // The plain names open a line of explanation with one tap.
    const term = page.locator('details.term', { hasText: 'What is freshness?' }).first();
    await term.locator('summary').click();
    assert.equal(await term.evaluate((d) => d.open), true);
    assert.match(await term.locator('p').innerText(), /tiredness/);
    await visit('06-progress');

    // The race's pacing plan: negative splits in miles.
    const race = days.flatMap((d) => d.sessions).find((s) => s.kind === 'race');
    await page.goto(`${base}/sessions/${race.id}`);
    await page.getByLabel('Goal time').fill('1:50:00');
    await page.getByLabel('Negative (faster second half)').check();
    await page.getByLabel('Mile').check();
    await page.getByRole('button', { name: 'Show splits' }).click();
    await page.locator('table.splits').waitFor();
    assert.equal(await page.locator('table.splits tbody tr').count(), 14);
    assert.equal(await page.locator('table.splits tbody tr').last().locator('td').last().innerText(), '1:50:00');
    await visit('07-race-pacing');

    // More: the pages the tab bar has no room for.
    await page.goto(`${base}/more`);
    await visit('08-more');
    await context.close();
  });
}
