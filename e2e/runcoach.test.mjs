// End-to-end: a new runner signs up, answers the onboarding form, and reads
// the plan calendar, a session, an exercise and today — on a phone (miles)
// and a desktop (kilometres) — in real headless Chromium against a real
// `runcoach serve` on a fresh SQLite database. Screenshots of every step go
// to e2e/artifacts/<viewport>/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  VIEWPORTS,
  addDays,
  buildBinary,
  dayLabel,
  iso,
  launchBrowser,
  mondayOf,
  startServer,
  utcToday,
} from './harness.mjs';

let server;
let browser;

before(
  async () => {
    for (const viewport of Object.keys(VIEWPORTS)) {
      rmSync(join(ARTIFACTS, viewport), { recursive: true, force: true });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const binary = buildBinary();
    server = await startServer(binary);
    browser = await launchBrowser();
  },
  { timeout: 25 * 60_000 },
);

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

// The race the runner enters: a marathon 18 weeks away, training from this
// week's Monday (so today falls inside week 1), on the README's example week.
const TODAY = utcToday();
const START = mondayOf(TODAY);
const RACE = addDays(START, 18 * 7 - 1); // a Sunday: weeks = days/7 + 1 = 18
const WEEKS = 18;
const RUN_DAYS = ['Monday', 'Tuesday', 'Thursday', 'Saturday', 'Sunday'];
const ALL_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const RUN_KINDS = ['easy', 'recovery', 'long', 'tempo', 'intervals', 'repetition', 'mp', 'race'];

// Daniels–Gilbert from a 10k in 52:30: VDOT 37.8, and the training paces
// `runcoach paces --race 10k --time 52:30 [--units mi]` prints.
const CASES = {
  phone: {
    units: 'mi',
    unitsLabel: 'Miles',
    other: 'km',
    easy: 'easy 9:59–11:08/mi',
    threshold: 'threshold 8:35',
    race: 'Race: marathon',
  },
  desktop: {
    units: 'km',
    unitsLabel: 'Kilometres',
    other: 'mi',
    easy: 'easy 6:12–6:55/km',
    threshold: 'threshold 5:20',
    race: 'Race: marathon',
  },
};

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

for (const [name, device] of Object.entries(VIEWPORTS)) {
  const c = CASES[name];
  const dir = join(ARTIFACTS, name);

  describe(`${name} ${device.viewport.width}×${device.viewport.height}`, () => {
    let context;
    let page;
    let step = 0;
    const shot = async (what, { fullPage = true } = {}) => {
      step += 1;
      const file = join(dir, `${String(step).padStart(2, '0')}-${what}.png`);
      await page.screenshot({ path: file, fullPage });
    };
    // Mobile first: no page may scroll sideways.
    const noSidewaysScroll = async (where) => {
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${where} scrolls sideways by ${overflow}px at ${device.viewport.width}px`);
    };
    const text = async (locator) => (await locator.innerText()).trim();
    // A calendar item's session, without the status tag days already past
    // carry ("✗ Missed"): which days those are depends on today's weekday.
    const sessionLabel = async (locator) =>
      (await text(locator)).replace(/\s*[✓◐–✗] (Done|Partly done|Skipped|Missed)$/, '');

    before(async () => {
      mkdirSync(dir, { recursive: true });
      context = await browser.newContext({ ...device, baseURL: server.base, locale: 'en-GB' });
      context.setDefaultTimeout(15_000);
      context.setDefaultNavigationTimeout(30_000);
      page = await context.newPage();
    });
    after(async () => {
      await context?.close().catch(() => {});
    });

    test('sign up → onboarding → plan calendar → session → exercise → today', { timeout: 90_000 }, async () => {
      // Landing → sign up
      await page.goto('/');
      assert.equal(await text(page.locator('h1')), 'Race plans with hip strength built in');
      await shot('landing');
      await page.locator('main').getByRole('link', { name: 'Build my plan' }).click();
      await page.waitForURL(/\/signup$/);
      assert.equal(await text(page.locator('h1')), 'Sign up');

      const email = `${name}-${Date.now()}@e2e.runcoach.test`;
      await page.getByLabel('Name').fill(`E2E ${name} runner`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await shot('signup');
      await page.getByRole('button', { name: 'Sign up' }).click();

      // Onboarding: the five steps on one form
      await page.waitForURL(/\/onboarding$/);
      assert.equal(await text(page.locator('h1')), 'Build your plan');
      // The steps (each group of choices inside a step has its own legend).
      const legends = await page.locator('form.wizard > fieldset > legend').allInnerTexts();
      assert.deepEqual(
        legends.map((l) => l.replace(/\s+/g, ' ').trim()),
        ['1 Your race', '2 Your week', '3 Your running now', '4 Hip strength', '5 Niggles and units'],
      );
      await noSidewaysScroll('/onboarding');
      await shot('onboarding-empty');

      await page.getByLabel('Distance', { exact: true }).selectOption('marathon');
      await page.getByLabel('Race date').fill(iso(RACE));
      await page.getByLabel('First day of training').fill(iso(START));
      for (const day of ALL_DAYS) {
        await page.getByLabel(day, { exact: true }).setChecked(RUN_DAYS.includes(day));
      }
      await page.getByLabel('Long-run day').selectOption('sun');
      await page.getByLabel('My week starts on').selectOption('mon');
      await page.getByLabel('First time at this distance').check();
      await page.getByLabel('Kilometres in a typical week now').fill('25');
      await page.getByLabel('Recent race distance').fill('10k');
      await page.getByLabel('Time', { exact: true }).fill('52:30');
      await page.getByLabel('2 sessions a week').check();
      await page.getByLabel(c.unitsLabel, { exact: true }).check();
      await shot('onboarding-filled');
      await page.getByRole('button', { name: 'Build my plan' }).click();

      // The plan calendar
      await page.waitForURL(new RegExp(`/plans/${UUID}$`));
      const planId = page.url().split('/').pop();
      const h1 = await text(page.locator('h1'));
      assert.match(h1, /marathon/i);
      const raceDate = RACE.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(/,/g, '');
      assert.ok(h1.includes(raceDate), `calendar heading "${h1}" names the race date ${raceDate}`);

      const pacesLine = await text(page.locator('main > p.muted').first());
      assert.ok(pacesLine.includes('10k in 52:30 (VDOT 37.8)'), pacesLine);
      assert.ok(pacesLine.includes(c.easy), `"${pacesLine}" shows ${c.easy}`);
      assert.ok(pacesLine.includes(c.threshold), `"${pacesLine}" shows ${c.threshold}`);
      assert.ok(!pacesLine.includes(`/${c.other}`), `paces in ${c.units} only: ${pacesLine}`);

      // The plan opens on this week; unfold the others to read every week.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      const weekHeadings = (await page.locator('section.week h2').allTextContents()).map((h) =>
        h.replace(/\s+/g, ' ').trim(),
      );
      assert.deepEqual(
        weekHeadings.map((h) => Number(/^Week (\d+)\b/.exec(h)?.[1])),
        Array.from({ length: WEEKS }, (_, i) => i + 1),
        'the calendar lists weeks 1–18',
      );
      for (const h of weekHeadings) {
        // Weeks begun also say how much of it is done.
        assert.match(
          h,
          new RegExp(`\\d+\\.\\d ${c.units}( \\+ race)?( \\d+\\.\\d of \\d+\\.\\d ${c.units} done)?$`),
          `week volume in ${c.units}: ${h}`,
        );
      }
      assert.match(weekHeadings[0], new RegExp(`0\\.0 of \\d+\\.\\d ${c.units} done$`), 'nothing logged yet');
      assert.match(weekHeadings[0], /^Week 1 base/);
      assert.match(weekHeadings[WEEKS - 1], /^Week 18 race/);

      // Week 1 starts on the chosen Monday; the race is the last day of week 18.
      const week1 = page.locator('section[aria-labelledby="week-1"]');
      const week18 = page.locator(`section[aria-labelledby="week-${WEEKS}"]`);
      assert.deepEqual(
        await week1.locator('li.day .date').allInnerTexts(),
        Array.from({ length: 7 }, (_, i) => dayLabel(addDays(START, i))),
      );
      const raceDay = week18.locator('li.day').last();
      assert.equal(await text(raceDay.locator('.date')), dayLabel(RACE));
      assert.equal(await text(raceDay.locator('a.k-race')), c.race);
      assert.equal(await page.locator('a.item.k-race').count(), 1, 'exactly one race');

      // Runs only on the ticked days, the long run on Sunday, two hip sessions.
      for (const [i, day] of ALL_DAYS.entries()) {
        const cell = week1.locator('li.day').nth(i);
        const runs = await cell.locator(RUN_KINDS.map((k) => `a.k-${k}`).join(',')).count();
        if (!RUN_DAYS.includes(day)) assert.equal(runs, 0, `no run on ${day} (not ticked)`);
      }
      assert.match(await text(week1.locator('li.day').nth(6).locator('a.k-long')), /^Long \d+\.\d /);
      assert.equal(await week1.locator('a.k-strength').count(), 2, 'two hip strength sessions in week 1');
      for (const label of await page.locator('a.item').allInnerTexts()) {
        assert.ok(!label.endsWith(` ${c.other}`), `calendar item "${label}" in ${c.units}`);
      }

      // Every session of the stored plan is on the calendar, and nothing else.
      const api = await page.request.get(`/api/v1/plans/${planId}`);
      assert.equal(api.status(), 200);
      const plan = await api.json();
      assert.equal(plan.weeks.length, WEEKS);
      assert.equal(plan.race.date, iso(RACE));
      // The plan's warnings (if any) are printed on the calendar as advice
      // (amber, not an error's red), without the command line's flags.
      const advice = await page.locator('main > p.advice').allInnerTexts();
      assert.equal(advice.length, plan.warnings.length);
      for (const a of advice) assert.match(a, /^Worth knowing: [^-]*$/);
      assert.equal(await page.locator('main > p.alert').count(), 0);
      const apiIds = plan.weeks.flatMap((w) => w.days.flatMap((d) => d.sessions.map((s) => s.id))).sort();
      const linkIds = (await page.locator('a.item').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
        .map((h) => h.replace('/sessions/', ''))
        .sort();
      assert.deepEqual(linkIds, apiIds);
      await noSidewaysScroll('/plans/{id}');
      await shot('plan-calendar-first-screen', { fullPage: false });
      await shot('plan-calendar');

      // A run in week 1: its distance and pace target in the runner's units.
      const longRun = week1.locator('a.k-long').first();
      const longLabel = await sessionLabel(longRun);
      await longRun.click();
      await page.waitForURL(new RegExp(`/sessions/${UUID}$`));
      assert.equal(await text(page.locator('h1')), longLabel);
      assert.equal(await text(page.locator('main p.muted a').first()), '← Week 1');
      const facts = Object.fromEntries(
        await page.locator('dl.facts dt').evaluateAll((dts) =>
          dts.map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]),
        ),
      );
      assert.equal(`Long ${facts.Distance}`, longLabel);
      assert.match(facts.Target, new RegExp(`^\\d+:\\d\\d–\\d+:\\d\\d/${c.units}$`), `target ${facts.Target}`);
      await page.getByRole('heading', { name: 'Why this session' }).waitFor();
      assert.ok((await text(page.locator('p.why'))).length > 40, 'the long run explains itself');
      await noSidewaysScroll('/sessions/{id} (run)');
      await shot('session-long-run');

      // A hip strength session in week 1, then one of its exercises.
      await page.goBack();
      await page.waitForURL(new RegExp(`/plans/${planId}$`));
      const hips = week1.locator('a.k-strength').first();
      // Called the same on the calendar as on its own page.
      assert.match(await sessionLabel(hips), /^Hip strength \d+ min$/);
      await hips.click();
      await page.waitForURL(new RegExp(`/sessions/${UUID}$`));
      assert.match(await text(page.locator('h1')), /^Hip strength \d+ min$/);
      await page.getByRole('heading', { name: 'Why this session' }).waitFor();
      assert.match(await text(page.locator('p.why')), /^Hip strength 1 of 2 this week/);
      const movements = page.locator('ul.exercises li');
      assert.ok((await movements.count()) >= 3, 'a hip session has at least three movements');
      for (const dose of await page.locator('ul.exercises .dose').allInnerTexts()) {
        assert.match(dose, /^\d+ × \d+( s)?( per side)?$/, `dose "${dose}"`);
      }
      await noSidewaysScroll('/sessions/{id} (strength)');
      await shot('session-strength');

      const first = movements.first().locator('a');
      const exerciseName = await text(first);
      const exerciseHref = await first.getAttribute('href');
      assert.match(exerciseHref, /^\/exercises\/[a-z0-9_]+$/);
      await first.click();
      await page.waitForURL((u) => u.pathname === exerciseHref);
      assert.equal(await text(page.locator('h1')), exerciseName);
      await page.getByRole('heading', { name: 'How to' }).waitFor();
      assert.ok((await page.locator('ol.steps li').count()) >= 2, 'how-to has steps');
      await page.getByRole('heading', { name: 'Common mistakes' }).waitFor();
      await noSidewaysScroll(exerciseHref);
      await shot('exercise');

      // Today: the same sessions the API lists for today, in the runner's units.
      // The header's menu on a desktop, the tab bar on a phone.
      await page.locator('nav:visible').getByRole('link', { name: 'Today' }).click();
      await page.waitForURL(/\/today$/);
      assert.equal(await text(page.locator('h1 .muted')), dayLabel(TODAY));
      const todayApi = await (await page.request.get('/api/v1/today')).json();
      assert.equal(todayApi.date, iso(TODAY));
      assert.equal(todayApi.plan_id, planId);
      assert.ok(todayApi.sessions.length >= 1, 'today is inside week 1 and every day of it has something');
      const cards = page.locator('a.today-card');
      const hrefs = await cards.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(
        [...hrefs].sort(),
        todayApi.sessions.map((s) => `/sessions/${s.id}`).sort(),
      );
      for (const target of await page.locator('a.today-card .target').allInnerTexts()) {
        assert.ok(target.endsWith(`/${c.units}`) || target.startsWith('effort'), `today's target "${target}"`);
      }
      await noSidewaysScroll('/today');
      await shot('today');
      await cards.first().click();
      await page.waitForURL((u) => u.pathname === hrefs[0]);
      await page.getByRole('heading', { name: 'Why this session' }).waitFor();
    });

    test('keyboard only: Tab reaches email, password, submit on /login with a visible focus ring', async () => {
      await page.context().clearCookies();
      await page.goto('/login');
      assert.equal(await text(page.locator('h1')), 'Log in');
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          const cs = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          return {
            tag: el.tagName.toLowerCase(),
            id: el.id,
            type: el.getAttribute('type'),
            text: (el.textContent || '').trim(),
            className: el.className,
            focusVisible: el.matches(':focus-visible'),
            outlineStyle: cs.outlineStyle,
            outlineWidth: parseFloat(cs.outlineWidth),
            outlineColor: cs.outlineColor,
            onScreen: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.width > 0,
          };
        });
      const assertRing = (f, what) => {
        assert.ok(f.focusVisible, `${what} matches :focus-visible`);
        assert.notEqual(f.outlineStyle, 'none', `${what} has an outline`);
        assert.ok(f.outlineWidth >= 2, `${what} outline is ${f.outlineWidth}px wide`);
        assert.ok(!/rgba\(.*, 0\)$/.test(f.outlineColor) && f.outlineColor !== 'transparent', `${what} outline colour ${f.outlineColor}`);
        assert.ok(f.onScreen, `${what} is on screen`);
      };

      // First stop: the skip link, which becomes visible when focused.
      await page.keyboard.press('Tab');
      const skip = await focused();
      assert.equal(skip.className, 'skip');
      assert.equal(skip.text, 'Skip to content');
      assertRing(skip, 'the skip link');

      const order = [];
      let f = skip;
      for (let i = 0; i < 15 && f.id !== 'email'; i++) {
        await page.keyboard.press('Tab');
        f = await focused();
        order.push(f.id || f.text || f.tag);
      }
      assert.equal(f.id, 'email', `Tab reached: ${order.join(' → ')}`);
      assertRing(f, 'the email field');
      await shot('login-focus-email');

      await page.keyboard.press('Tab');
      f = await focused();
      assert.equal(f.id, 'password');
      assertRing(f, 'the password field');

      await page.keyboard.press('Tab');
      f = await focused();
      assert.equal(f.tag, 'button');
      assert.equal(f.type, 'submit');
      assert.equal(f.text, 'Log in');
      assertRing(f, 'the submit button');
      await shot('login-focus-submit');
    });
  });
}
