// The treasurer's month in a real browser, on the demo data set: add a bank account, import
// its OFX statement (fixtures/releve-novembre.ofx) by picking the file, import it again
// (nothing is created twice), reconcile the bank fees with an expense account, find the
// entry in the journal, and read the cash-flow alert on the dashboard. With JavaScript,
// without it, and on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEMO, FIXTURES, VARIANTS, formTo, launch, mainText, shot, signedIn, startServer, submit, visit } from './helpers.mjs';

const ORG = '/o/manchots-libres';
const STATEMENT = join(FIXTURES, 'releve-novembre.ofx');
// A bank account of its own per variant: a statement is imported once per account.
const ACCOUNTS = { desktop: '5122', nojs: '5123', phone: '5124' };
let server;
let browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function upload(page, variant, account) {
  await visit(page, variant, `${ORG}/treasury/import`);
  const form = formTo(page, `${ORG}/treasury/import/upload`);
  await form.locator('[name=bank_account]').selectOption(account);
  await form.locator('input[type=file]').setInputFiles(STATEMENT);
  await submit(page, variant, form);
  return page.locator('main [role=status]').innerText();
}

for (const variant of VARIANTS) {
  test(`a treasurer imports a bank statement, reconciles a line and sees the cash-flow alert (${variant.name})`, async () => {
    const account = ACCOUNTS[variant.name];
    const { ctx, page } = await signedIn(browser, variant, server.base, DEMO.camille.email);

    await visit(page, variant, `${ORG}/treasury/settings`);
    const bank = formTo(page, `${ORG}/treasury/bank-accounts`);
    await bank.locator('[name=number]').fill(account);
    await bank.locator('[name=label]').fill(`Banque du quartier (${variant.name})`);
    await submit(page, variant, bank);
    assert.match(await mainText(page), new RegExp(`${account}\\s+Banque du quartier \\(${variant.name}\\)`));

    assert.match(await upload(page, variant, account), /3 ligne\(s\) créée\(s\), 0 déjà importée\(s\), 0 refusée\(s\)/);
    assert.match(await upload(page, variant, account), /0 ligne\(s\) créée\(s\), 3 déjà importée\(s\)/, 'a second import creates nothing');

    // The bank fees of this account's statement, still to reconcile: booked to 627.
    const row = page.locator('main tbody tr')
      .filter({ hasText: 'FRAIS TENUE DE COMPTE' })
      .filter({ has: page.locator('form') })
      .first();
    const id = await row.getAttribute('id');
    assert.match(id ?? '', /^line-/);
    await row.locator('[name=category]').fill('627');
    await submit(page, variant, row.locator('form'));
    assert.equal(new URL(page.url()).pathname, `${ORG}/treasury/import`);
    assert.match(await page.locator(`#${id}`).innerText(), /rapprochée/);
    await shot(page, `treasury-reconciled-${variant.name}`);

    // The reconciliation booked an entry in the journal.
    await visit(page, variant, `${ORG}/treasury/entries`);
    assert.match(await mainText(page), /FRAIS TENUE DE COMPTE/);

    // The dashboard warns that cash runs short under the pessimistic scenario.
    await visit(page, variant, `${ORG}/treasury`);
    const alerts = page.locator('main [role=alert]');
    assert.ok((await alerts.count()) >= 1, 'a cash-flow alert shows');
    assert.match(await alerts.first().innerText(), /sous le seuil en .+, il manquera/);
    assert.match(await page.locator('main li').filter({ has: page.locator('[role=alert]') }).first().innerText(), /Scénario/);
    await shot(page, `treasury-alert-${variant.name}`);
    await ctx.close();
  });
}
