// Real-browser journeys against `fabrique serve` on a fresh SQLite database, in Debian's
// chromium driven by playwright-core. Each journey runs with JavaScript, without it, and on
// a phone-sized viewport; axe-core checks every page visited (no serious or critical
// violation); screenshots are kept under target/e2e/. Helpers are in helpers.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT, PASSWORD, VARIANTS, accessible as axe, context as newContext, launch, startServer } from './helpers.mjs';

let server;
let base;
let browser;

before(async () => {
  server = await startServer();
  base = server.base;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function context(variant) {
  return newContext(browser, variant);
}

async function accessible(page, variant) {
  return axe(page, variant);
}

async function submit(page) {
  await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').last().click()]);
}

async function signup(page, variant, name, email, path = '/signup') {
  await page.goto(base + path);
  await accessible(page, variant);
  await page.fill('#f-name', name);
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await submit(page);
  assert.equal(new URL(page.url()).pathname, '/');
}

for (const variant of VARIANTS) {
  test(`a newcomer signs up, creates an association, invites a member who joins (${variant.name})`, async () => {
    const tag = `${variant.name}-${Date.now() % 100000}`;
    const slug = `asso-${tag}`;
    const founder = await context(variant);
    const page = await founder.newPage();
    await signup(page, variant, 'Camille Martin', `camille-${tag}@example.org`);

    await page.goto(`${base}/orgs/new`);
    await accessible(page, variant);
    await page.fill('#f-slug', slug);
    await page.fill('#f-name', `Les Manchots ${tag}`);
    await page.selectOption('#f-kind', 'association');
    await page.fill('#f-description', 'Install party **chaque mois**.');
    await submit(page);
    assert.equal(new URL(page.url()).pathname, `/o/${slug}`);
    assert.match(await page.locator('main').innerText(), /chaque mois/);
    await accessible(page, variant);

    await page.goto(`${base}/o/${slug}/invitations`);
    await page.fill('#f-email', `lea-${tag}@example.org`);
    await submit(page);
    const link = (await page.locator('code.secret').innerText()).trim();
    assert.match(link, /\/invite\//);
    await accessible(page, variant);

    const invitee = await context(variant);
    const other = await invitee.newPage();
    await other.goto(link);
    await accessible(other, variant);
    await Promise.all([other.waitForNavigation(), other.click('a[href^="/signup?invitation="]')]);
    await other.fill('#f-name', 'Léa Dubois');
    await other.fill('#f-email', `lea-${tag}@example.org`);
    await other.fill('#f-password', PASSWORD);
    await submit(other);
    await other.goto(`${base}/o/${slug}`);
    assert.match(await other.locator('main').innerText(), /Vous êtes membre/);

    await page.goto(`${base}/o/${slug}/members`);
    assert.match(await page.locator('main table').innerText(), /Léa Dubois/);
    await accessible(page, variant);
    await page.screenshot({ path: join(OUT, `signup-invite-${variant.name}.png`), fullPage: true });
    await other.screenshot({ path: join(OUT, `joined-${variant.name}.png`), fullPage: true });
    await founder.close();
    await invitee.close();
  });
}

test('sign-up with the keyboard only', async () => {
  const variant = VARIANTS[0];
  const ctx = await context(variant);
  const page = await ctx.newPage();
  await page.goto(`${base}/signup`);
  let focused = '';
  for (let i = 0; i < 30 && focused !== 'f-name'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.id ?? '');
  }
  assert.equal(focused, 'f-name', 'the first field is reachable with Tab');
  await page.keyboard.type('Karim Benali');
  await page.keyboard.press('Tab');
  await page.keyboard.type(`karim-${Date.now()}@example.org`);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.match(await page.locator('header').innerText(), /Karim Benali/);
  await ctx.close();
});

test('hostile names and Markdown do not execute in the browser', async () => {
  const variant = VARIANTS[0];
  const ctx = await context({ ...variant });
  const page = await ctx.newPage();
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
  await signup(page, variant, '<img src=x onerror=alert(1)>', `x-${Date.now()}@example.org`);
  const slug = `xss-${Date.now() % 100000}`;
  await page.goto(`${base}/orgs/new`);
  await page.fill('#f-slug', slug);
  await page.fill('#f-name', '<svg onload=alert(2)>');
  await page.fill('#f-description', '<script>alert(3)</script> [x](javascript:alert(4)) <img src=y onerror=alert(5)>');
  await submit(page);
  for (const path of [`/o/${slug}`, '/orgs', `/o/${slug}/members`, '/account']) {
    await page.goto(base + path);
    const links = await page.locator('a[href^="javascript:"]').count();
    assert.equal(links, 0, path);
  }
  assert.equal(dialogs, 0, 'no script ran');
  await ctx.close();
});
