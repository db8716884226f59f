// End-to-end: the shop in real headless Chromium. A first-timer on the demo
// (whose paid distances are for sale) asks onboarding for a half-marathon
// plan, is offered the plan, applies `run10`, pays on a stand-in for
// Stripe's hosted checkout (a local server that answers Stripe's API and,
// on "Pay", sends the signed checkout.session.completed webhook the way
// Stripe does), comes back to the unlocked plan and generates it; RUN10 is
// then refused. axe-core checks every shop page. Screenshots go to
// e2e/artifacts/shop/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, addDays, buildBinary, iso, launchBrowser, mondayOf, startServer, utcToday } from './harness.mjs';

const SECRET = 'whsec_e2e_only';
const SHOTS = join(ARTIFACTS, 'shop');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let stripe;
let browser;

/** Stripe's API and hosted checkout, as far as runcoach uses them. */
function fakeStripe(webhookUrl) {
  const sessions = new Map();
  const read = (req) => new Promise((resolve) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => resolve(body));
  });
  const srv = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://stripe.test');
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const form = new URLSearchParams(await read(req));
      const id = `cs_test_${sessions.size + 1}`;
      let amount = 0;
      for (const [k, v] of form) if (k.endsWith('[unit_amount]')) amount += Number(v);
      sessions.set(id, { form, amount });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id, url: `${stripe.base}/pay/${id}` }));
    } else if (req.method === 'GET' && url.pathname.startsWith('/pay/')) {
      const s = sessions.get(url.pathname.slice(5));
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html lang="en"><title>Test checkout</title><main><h1>Test checkout</h1>
        <p>${(s.amount / 100).toFixed(2)} ${s.form.get('line_items[0][price_data][currency]').toUpperCase()}</p>
        <form method="post"><button>Pay</button></form></main></html>`);
    } else if (req.method === 'POST' && url.pathname.startsWith('/pay/')) {
      const id = url.pathname.slice(5);
      const s = sessions.get(id);
      const orderId = s.form.get('client_reference_id');
      const event = JSON.stringify({
        id: `evt_${id}`, type: 'checkout.session.completed',
        data: { object: { id, object: 'checkout.session', client_reference_id: orderId,
          metadata: { order_id: s.form.get('metadata[order_id]') }, payment_status: 'paid',
          payment_intent: `pi_${id}`, amount_total: s.amount, currency: s.form.get('line_items[0][price_data][currency]') } },
      });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', SECRET).update(`${t}.${event}`).digest('hex');
      const hook = await fetch(webhookUrl(), {
        method: 'POST', body: event,
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
      });
      assert.equal(hook.status, 200, 'runcoach accepts the signed webhook');
      res.statusCode = 303;
      res.setHeader('location', s.form.get('success_url'));
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    resolve({ base: `http://127.0.0.1:${srv.address().port}`, sessions, close: () => srv.close() });
  }));
}

before(
  async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    stripe = await fakeStripe(() => `${server.base}/api/v1/webhooks/stripe`);
    server = await startServer(buildBinary(), {
      name: 'shop-server',
      args: ['--demo'],
      env: {
        RUNCOACH_STRIPE_SECRET_KEY: 'sk_test_e2e',
        RUNCOACH_STRIPE_API_BASE: stripe.base,
        RUNCOACH_STRIPE_WEBHOOK_SECRETS: SECRET,
      },
    });
    browser = await launchBrowser();
  },
  { timeout: 25 * 60_000 },
);

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  stripe?.close();
});

async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => globalThis.axe.run({ resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

test('a first-timer buys the half-marathon plan with run10 and makes it', { timeout: 5 * 60_000 }, async () => {
  const context = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const page = await context.newPage();
  const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const visit = async (name) => {
    await shot(name);
    await axe(page, name);
  };

  await page.goto(`${server.base}/store`);
  await visit('01-store');

  await page.goto(`${server.base}/signup`);
  await page.getByLabel('Name').fill('First Timer');
  await page.getByLabel('Email').fill('first@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up/i }).click();
  await page.waitForURL(/\/onboarding/);

  const start = mondayOf(addDays(utcToday(), 7));
  const fillOnboarding = async () => {
    await page.getByLabel('Distance', { exact: true }).selectOption('half');
    await page.getByLabel('Race date').fill(iso(addDays(start, 14 * 7 - 1)));
    await page.getByLabel('First day of training').fill(iso(start));
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
      await page.getByLabel(day, { exact: true }).setChecked(['Tuesday', 'Thursday', 'Sunday'].includes(day));
    }
    await page.getByLabel('Long-run day').selectOption('sun');
    await page.getByLabel('First time at this distance').check();
    await page.getByLabel('Kilometres in a typical week now').fill('15');
    await page.getByLabel('2 sessions a week').check();
    await page.getByRole('button', { name: 'Build my plan' }).click();
  };
  await fillOnboarding();

  // The half is for sale on the demo: onboarding offers the plan.
  await page.waitForURL(/\/store\/half-marathon-plan\?for=onboarding/);
  assert.match(await page.locator('.notice').first().innerText(), /comes with the Half-marathon plan/);
  await visit('02-product-from-onboarding');
  await page.getByRole('button', { name: 'Buy for $29.85' }).click();

  await page.getByLabel('Discount code').fill('run10');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.match(await page.locator('.notice').innerText(), /RUN10 takes \$2\.99 off/);
  await visit('03-checkout-run10');
  await page.getByRole('button', { name: 'Place order for $26.86' }).click();

  await page.waitForURL(/\/orders\//);
  await visit('04-order-awaiting-payment');
  const pay = page.getByRole('link', { name: /pay \$26\.86 securely with stripe/i });
  assert.ok((await pay.getAttribute('href')).startsWith(`${stripe.base}/pay/cs_test_`));
  await pay.click();
  await page.getByRole('button', { name: 'Pay' }).click();

  // Back from Stripe: the webhook has already unlocked the plan.
  await page.waitForURL(/\/orders\/.+\?paid=1/);
  assert.match(await page.locator('main').innerText(), /Paid/);
  await visit('05-order-paid');
  await page.getByRole('link', { name: 'Make your plan' }).click();
  // The answers given before the purchase come back filled in.
  assert.match(await page.locator('main').innerText(), /Your answers from before the purchase are filled in/);
  await fillOnboarding();
  // A first half from 15 km a week is a stretch: the ways out are offered
  // first, with the plan already made.
  await page.getByRole('link', { name: 'See the plan as it is' }).click();
  await page.waitForURL(/\/plans\//);
  await shot('06-plan');

  // RUN10 is once per athlete.
  await page.goto(`${server.base}/checkout?product=5k-plan&coupon=RUN10`);
  assert.match(await page.locator('.field-error').innerText(), /already used this code/);
  await visit('07-run10-used');

  await page.goto(`${server.base}/orders`);
  await visit('08-orders');
  await context.close();
});

test('the shop admin page on a phone', { timeout: 2 * 60_000 }, async () => {
  const context = await browser.newContext({ ...VIEWPORTS.phone, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill('admin@runcoach.local');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: /log in/i }).click();
  await page.goto(`${server.base}/admin/shop`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
  await page.screenshot({ path: join(SHOTS, '09-admin.png'), fullPage: true });
  await axe(page, 'admin');
  await context.close();
});
