// End-to-end: a runner moves the long run onto the day after
// intervals from the session page, sees the rule it breaks before saving,
// saves it anyway with a note, finds it under "What changed and why" and
// undoes it; the week editor and the "replace your current plan?"
// question render too. axe-core checks every page (0 violations).
// The same on a phone and a desktop. Screenshots go to
// e2e/artifacts/plan-edits/<phone|desktop>/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, devicePage, iso, mondayOf, signUp, suite, utcToday } from './harness.mjs';

const s = suite({ before, after }, 'plan-edits');

/** A week with intervals on day D and its long run on another day than D+1. */
function intervalsAndLongRun(plan) {
  for (const w of plan.weeks) {
    const find = (kind) => w.days.find((d) => d.sessions.some((s) => s.kind === kind));
    const di = find('intervals');
    const dl = find('long');
    if (!di || !dl) continue;
    const next = iso(addDays(new Date(`${di.date}T00:00:00Z`), 1));
    if (dl.date !== next && w.days.some((d) => d.date === next)) {
      return { intervals: di.date, target: next, longDay: dl.date, long: dl.sessions.find((s) => s.kind === 'long') };
    }
  }
  throw new Error('no week with intervals and a long run to move');
}

for (const device of ['phone', 'desktop']) test(`move with a rule warning, save anyway, undo — on a ${device}`, { timeout: 5 * 60_000 }, async () => {
  const { context, page, base, visit, api } = await devicePage(s, device);

  await signUp(page, base, 'Edit Runner', `edit-${device}@example.com`);

  const start = addDays(mondayOf(utcToday()), 7);
  const created = await api('POST', '/api/v1/plans', {
    race: 'half', race_date: iso(addDays(start, 14 * 7 - 1)), start: iso(start),
    run_days: ['tue', 'thu', 'sat', 'sun'], long_run_day: 'sun', level: 'experienced',
    weekly_km: 40, recent: { distance: '10k', time: '50:00' }, strength_days: 2,
  });
  assert.equal(created.status(), 201, await created.text());
  const plan = await created.json();
  const { intervals, target, longDay, long } = intervalsAndLongRun(plan);

  // The session page offers the move; checking it shows the broken rule.
  await page.goto(`${base}/sessions/${long.id}`);
  await page.getByRole('heading', { name: 'Change this session' }).waitFor();
  await visit('01-session-change');
  await page.getByLabel('Move it to').selectOption(target);
  await page.getByRole('button', { name: 'Check the move' }).click();
  await page.getByRole('heading', { name: 'Check the change' }).waitFor();
  const alert = page.getByRole('alert');
  assert.match(await alert.innerText(), /quality session the day before the long run/);
  // The long run's new day is the runner's choice, not a finding of its own.
  assert.doesNotMatch(await alert.innerText(), /instead of the long-run day/);
  await visit('02-check-with-warning');
  // Nothing saved yet.
  let now = await (await api('GET', `/api/v1/plans/${plan.id}`)).json();
  assert.ok(now.weeks.flatMap((w) => w.days).find((d) => d.date === longDay).sessions.some((s) => s.id === long.id));

  await page.getByLabel('Note for the change (optional)').fill('Race-day rehearsal on tired legs');
  await page.getByRole('button', { name: 'Save anyway' }).click();
  await page.waitForURL(new RegExp(`/plans/${plan.id}#changes$`));
  const changes = page.locator('#changes');
  assert.match(await changes.innerText(), /You moved Long/);
  assert.match(await changes.innerText(), /Race-day rehearsal on tired legs/);
  await visit('03-what-changed');
  now = await (await api('GET', `/api/v1/plans/${plan.id}`)).json();
  const moved = now.weeks.flatMap((w) => w.days).find((d) => d.date === target);
  assert.ok(moved.sessions.some((s) => s.id === long.id), `long run on ${target} after intervals on ${intervals}`);

  // Undo puts it back.
  await changes.getByRole('button', { name: 'Undo this change' }).click();
  await page.waitForURL(new RegExp(`/plans/${plan.id}#changes$`));
  assert.match(await page.locator('#changes').innerText(), /\(undone\)/);
  await visit('04-undone');
  now = await (await api('GET', `/api/v1/plans/${plan.id}`)).json();
  assert.ok(now.weeks.flatMap((w) => w.days).find((d) => d.date === longDay).sessions.some((s) => s.id === long.id));

  // The week editor: a day per session, no script needed.
  await page.goto(`${base}/plans/${plan.id}/weeks/1/edit`);
  await page.getByRole('heading', { name: 'Edit week 1' }).waitFor();
  await visit('05-week-editor');
  const selects = page.locator('.week-editor select');
  assert.ok((await selects.count()) >= 4);
  const first = selects.first();
  const options = await first.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const current = await first.inputValue();
  await first.selectOption(options.find((o) => o !== current));
  await page.getByRole('button', { name: 'Check the week' }).click();
  await page.getByRole('heading', { name: 'Check the change' }).waitFor();
  await visit('06-week-check');

  // A second plan is asked for first: the current one would be archived.
  await page.goto(`${base}/onboarding`);
  await page.getByText('You have a current plan').first().waitFor();
  await visit('07-onboarding-replace');
  await context.close();
});
