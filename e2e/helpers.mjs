// Shared helpers of the browser journeys: a `fabrique serve` on a fresh SQLite database
// (optionally with the demo data set), Debian's chromium driven by playwright-core, axe-core
// on every page a journey visits, screenshots under target/e2e/, and the checks that no
// hostile string ever executes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.FABRIQUE_BIN ?? join(ROOT, 'target/debug/fabrique');
export const OUT = join(ROOT, 'target/e2e');
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const PASSWORD = 'correct horse battery';
/** The password of every demo account (crates/fabrique_app/src/demo.rs). */
export const DEMO_PASSWORD = 'fabrique-demo';
/** Demo accounts: Camille administers the users' group `manchots-libres`, Karim the SCIC
 * `grenier-commun` (and is a member of the users' group), Louise the network `tiers-lieux-alpes`
 * (and is a member of the users' group). */
export const DEMO = {
  camille: { name: 'Camille Martin', email: 'camille.martin@demo.fabrique.test' },
  karim: { name: 'Karim Durand', email: 'karim.durand@demo.fabrique.test' },
  louise: { name: 'Louise Garcia', email: 'louise.garcia@demo.fabrique.test' },
};
export const VARIANTS = [
  { name: 'desktop', js: true, viewport: { width: 1280, height: 900 } },
  { name: 'nojs', js: false, viewport: { width: 1280, height: 900 } },
  { name: 'phone', js: true, viewport: { width: 390, height: 844 }, isMobile: true },
];

/** Starts `fabrique serve` on a free port and a fresh database; resolves once it answers. */
export async function startServer({ demo = false } = {}) {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'fabrique-e2e-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--database', `sqlite://${dir}/e2e.db`];
  if (demo) args.push('--demo');
  const child = spawn(BIN, args, {
    env: { ...process.env, FABRIQUE_LOG: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 600 && exited === null; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop: () => child.kill() };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`fabrique serve did not answer on ${base} (exit ${exited})`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context (own cookies) for a variant, in French. CSP is bypassed so the
 * hostile-input checks see what the markup alone would let run. */
export async function context(browser, variant) {
  return browser.newContext({ javaScriptEnabled: variant.js, viewport: variant.viewport, isMobile: variant.isMobile ?? false, bypassCSP: true, locale: 'fr-FR' });
}

/** Runs axe-core on the page (JavaScript contexts only) and fails on serious or critical violations. */
export async function accessible(page, variant) {
  if (!variant.js) return;
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${page.url()}`);
}

/** Fails unless the page answered with a success status. */
function answered(response, what) {
  assert.ok(response, `no response for ${what}`);
  assert.ok(response.status() < 400, `${what} answered ${response.status()}`);
  return response;
}

/** Opens a path and checks the page with axe. */
export async function visit(page, variant, path) {
  answered(await page.goto(new URL(path, page.context().base).href), path);
  await accessible(page, variant);
}

/** Clicks an element that leads to another page (a link or a form's button), waits for
 * that page and checks it with axe; `ok` false lets a refused form's page through. */
export async function follow(page, variant, locator, { ok = true } = {}) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  if (ok) answered(response, `${page.url()} (after a click)`);
  await accessible(page, variant);
  return response;
}

/** Submits a form (a locator of the <form>) with its submit button. */
export async function submit(page, variant, form, options) {
  return follow(page, variant, form.locator('button[type=submit]').last(), options);
}

/** The form whose action is `action` (a path), inside the main content. */
export function formTo(page, action) {
  return page.locator(`main form[action="${action}"]`);
}

/** A context of its own for one person, signed in with e-mail and password. */
export async function signedIn(browser, variant, base, email, password = DEMO_PASSWORD) {
  const ctx = await context(browser, variant);
  ctx.base = base;
  const page = await ctx.newPage();
  await visit(page, variant, '/login');
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await submit(page, variant, formTo(page, '/login'));
  assert.equal(new URL(page.url()).pathname, '/', `${email} is signed in`);
  return { ctx, page };
}

/** A signed-out context of its own. */
export async function anonymous(browser, variant, base) {
  const ctx = await context(browser, variant);
  ctx.base = base;
  return { ctx, page: await ctx.newPage() };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

/** The visible text of the main content. */
export async function mainText(page) {
  return page.locator('main').innerText();
}

/** Presses Tab until the focused element matches `selector` (keyboard only). */
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`${selector} is not reachable with Tab`);
}

/** Watches a page for hostile strings that execute: any dialog (alert, confirm, prompt)
 * counts, and so does the `__xss` flag the payloads set. */
export function watch(page) {
  const ran = [];
  page.on('dialog', async (d) => { ran.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
  return ran;
}

/** Fails if the page holds anything a hostile string could run through: a script element
 * in the content, an event-handler attribute, a `javascript:` address, or the `__xss` flag. */
export async function inert(page, ran) {
  const found = await page.evaluate(() => {
    const bad = [];
    if (window.__xss) bad.push(`window.__xss = ${window.__xss}`);
    for (const el of document.querySelectorAll('main *, header *, title')) {
      // Our own vendored scripts (same origin, under /static/, no inline code) are expected.
      const ours = el.tagName === 'SCRIPT' && /^\/static\/[\w.-]+\.js$/.test(el.getAttribute('src') ?? '') && !el.textContent.trim();
      if (el.tagName === 'SCRIPT' && !ours) bad.push(`<script> ${el.textContent.slice(0, 40)}`);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
        if (/^\s*(javascript|data|vbscript):/i.test(a.value) && /^(href|src|xlink:href|action|formaction)$/i.test(a.name)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
      }
    }
    return bad;
  });
  assert.deepEqual(found, [], `hostile markup on ${page.url()}`);
  assert.deepEqual(ran, [], `a script ran on ${page.url()}`);
}

/** Text that is unique to one run of one variant. */
export function tag(variant) {
  return `${variant.name}-${Date.now() % 100000}`;
}
