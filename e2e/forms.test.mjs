// End-to-end: forms on a phone answer a refused post with every problem
// at once, each beside its field and linked for screen readers, and keep
// what the runner typed. Onboarding with four problems, then fixed; the
// settings' start times with a time zone the tz database does not know.
// axe-core checks every page state (0 violations).
// Screenshots go to e2e/artifacts/forms/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VIEWPORTS, addDays, assertAxeClean, iso, mondayOf, suite, utcToday } from './harness.mjs';

const s = suite({ before, after }, 'forms');

// Every marked field: its id, and the text of the element its
// aria-describedby names (empty when that element is missing).
function marked(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => ({
      id: el.id,
      message: document.getElementById(el.getAttribute('aria-describedby'))?.textContent.trim() ?? '',
    })),
  );
}

// The summary's links, as [href, text].
function summaryLinks(page) {
  return page.locator('#form-problems a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
}

test('onboarding and settings show every problem beside its field on a phone', { timeout: 5 * 60_000 }, async () => {
  const context = await s.browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const page = await context.newPage();
  const base = s.server.base;
  const visit = async (name) => {
    await page.screenshot({ path: join(s.dir, `${name}.png`), fullPage: true });
    await assertAxeClean(page, name);
  };

  await page.goto(`${base}/signup`);
  await page.getByLabel('Name').fill('Form Runner');
  await page.getByLabel('Email').fill('forms@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/onboarding/);

  // Four problems: two run days, no race date, a week in words and a
  // recent race without its time.
  const start = mondayOf(addDays(utcToday(), 7));
  await page.getByLabel('Race date').fill('');
  await page.getByLabel('First day of training').fill(iso(start));
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
    await page.getByLabel(day, { exact: true }).setChecked(day === 'Tuesday' || day === 'Thursday');
  }
  await page.getByLabel('Long-run day').selectOption('thu');
  await page.getByLabel('Kilometres in a typical week now').fill('lots');
  await page.getByLabel('Recent race distance').fill('10k');
  await page.getByLabel('Time', { exact: true }).fill('');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/onboarding') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Build my plan' }).click(),
  ]);
  assert.equal(refused.status(), 422);
  await page.waitForLoadState();

  const expected = [
    { id: 'race_date', message: 'Choose the date of your race.' },
    { id: 'run_days', message: 'Choose at least 3 run days (you ticked 2).' },
    { id: 'weekly_km', message: 'Enter your typical week in kilometres, like 25 (“lots” is not a number).' },
    { id: 'recent_time', message: 'Enter your time for that race, like 52:30 (or clear the distance).' },
  ];
  assert.deepEqual(await marked(page), expected);
  assert.deepEqual(await summaryLinks(page), expected.map((e) => [`#${e.id}`, e.message]));
  // What was typed is still there.
  assert.equal(await page.getByLabel('Kilometres in a typical week now').inputValue(), 'lots');
  assert.equal(await page.getByLabel('Recent race distance').inputValue(), '10k');
  assert.equal(await page.getByLabel('First day of training').inputValue(), iso(start));
  assert.ok(await page.getByLabel('Tuesday', { exact: true }).isChecked());
  assert.equal(await page.getByLabel('Long-run day').inputValue(), 'thu');
  await visit('01-onboarding-four-problems');
  await page.locator('#form-problems').screenshot({ path: join(s.dir, '01-onboarding-summary.png') });

  // The summary's link takes the runner to the field.
  await page.locator('#form-problems a[href="#weekly_km"]').click();
  assert.match(page.url(), /#weekly_km$/);
  await page.locator('#weekly_km').screenshot({ path: join(s.dir, '02-onboarding-weekly-field.png') });

  // Fixed, the same form builds the plan.
  await page.getByLabel('Race date').fill(iso(addDays(start, 12 * 7 - 1)));
  await page.getByLabel('Saturday', { exact: true }).check();
  await page.getByLabel('Sunday', { exact: true }).check();
  await page.getByLabel('Long-run day').selectOption('sun');
  await page.getByLabel('Kilometres in a typical week now').fill('25');
  await page.getByLabel('Time', { exact: true }).fill('52:30');
  await page.getByRole('button', { name: 'Build my plan' }).click();
  await page.waitForURL(/\/plans\/[^/]+$/);

  // Settings: start times kept when the time zone is refused.
  await page.goto(`${base}/settings`);
  await page.getByLabel('Tuesday').fill('18:30');
  await page.getByLabel('Saturday').fill('07:15');
  await page.getByLabel(/^Time zone/).fill('Europe/Atlantis');
  const [bad] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/settings/schedule')),
    page.getByRole('button', { name: 'Save times' }).click(),
  ]);
  assert.equal(bad.status(), 422);
  await page.waitForLoadState();
  const zoneMessage =
    '“Europe/Atlantis” is not a time zone we know: write the region and city, like Europe/Dublin or America/Los_Angeles.';
  assert.deepEqual(await marked(page), [{ id: 'time_zone', message: zoneMessage }]);
  assert.deepEqual(await summaryLinks(page), [['#time_zone', zoneMessage]]);
  assert.equal(await page.getByLabel(/^Time zone/).inputValue(), 'Europe/Atlantis');
  assert.equal(await page.getByLabel('Tuesday').inputValue(), '18:30');
  assert.equal(await page.getByLabel('Saturday').inputValue(), '07:15');
  // The time inputs are whole on a phone: wide enough for "18:30" and the
  // picker, and inside the screen.
  const box = await page.getByLabel('Tuesday').boundingBox();
  assert.ok(box.width >= 120, `time input ${box.width}px wide`);
  assert.ok(box.x + box.width <= 390, `time input ends at ${box.x + box.width}px`);
  await visit('03-settings-bad-zone');
  await page.locator('form[action="/settings/schedule"]').screenshot({ path: join(s.dir, '03-settings-times.png') });

  // A zone it knows saves every time.
  await page.getByLabel(/^Time zone/).fill('Europe/Dublin');
  await page.getByRole('button', { name: 'Save times' }).click();
  await page.waitForURL(/saved=settings/);
  assert.equal(await page.getByLabel('Tuesday').inputValue(), '18:30');
  assert.equal(await page.getByLabel(/^Time zone/).inputValue(), 'Europe/Dublin');
  await visit('04-settings-saved');
  await context.close();
});
