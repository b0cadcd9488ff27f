// The knowledge commons in a real browser, on the demo data set: a member of the users'
// group forks a public recipe of the SCIC, adapts it, proposes the adaptation back from the
// fork's page, and the SCIC's administrator accepts it; the source then holds the change and
// its history credits the proposer. With JavaScript, without it, and on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, VARIANTS, follow, formTo, launch, mainText, shot, signedIn, startServer, submit, tag, visit } from './helpers.mjs';

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

// One recipe of the SCIC per variant, so each variant's proposal applies to a clean source.
const SOURCES = {
  desktop: 'Ouvrir une épicerie coopérative',
  nojs: 'Légumerie solidaire',
  phone: 'Groupement d\'achat de quartier',
};

for (const variant of VARIANTS) {
  test(`a member forks another organisation's recipe, adapts it and proposes it back, which is accepted (${variant.name})`, async () => {
    const t = tag(variant);
    const tip = `Astuce ${t} : peser les bocaux vides avant de les remplir.`;
    const { ctx: camilleCtx, page } = await signedIn(browser, variant, server.base, DEMO.camille.email);

    // Camille finds the SCIC's recipe and adapts it in her association.
    await visit(page, variant, '/o/grenier-commun/documents');
    await follow(page, variant, page.locator('main').getByRole('link', { name: SOURCES[variant.name], exact: true }));
    const source = new URL(page.url()).pathname;
    assert.match(source, /^\/o\/grenier-commun\/documents\/[a-z0-9-]+$/);
    const fork = formTo(page, `${source}/fork`);
    await fork.locator('select[name=into]').selectOption('manchots-libres');
    await submit(page, variant, fork);
    const adapted = new URL(page.url()).pathname;
    assert.match(adapted, /^\/o\/manchots-libres\/documents\//);
    assert.match(await mainText(page), new RegExp(`Adapté de « ${SOURCES[variant.name]} »`));

    // She edits her adaptation.
    await follow(page, variant, page.locator(`main a[href="${adapted}/edit"]`));
    const tips = page.locator('textarea[name="fields.tips"]');
    await tips.fill(`${await tips.inputValue()}\n\n${tip}`);
    await page.fill('input[name=message]', 'Notre astuce des bocaux');
    await submit(page, variant, formTo(page, `${adapted}/edit`));
    assert.equal(new URL(page.url()).pathname, adapted);
    assert.match(await mainText(page), new RegExp(tip));

    // From the fork's page, she proposes her changes to the source.
    await follow(page, variant, page.locator(`main a[href^="${source}/edit?fork="]`));
    assert.equal(await page.locator('textarea[name="fields.tips"]').inputValue().then((v) => v.includes(tip)), true, 'the form holds the adaptation');
    await page.fill('input[name=message]', `Peser les bocaux (${t})`);
    await submit(page, variant, formTo(page, `${source}/proposals`));
    const proposal = new URL(page.url()).pathname;
    assert.match(proposal, new RegExp(`^${source}/proposals/`));
    assert.match(await mainText(page), /ouverte/);
    assert.equal(await page.locator('main ins').filter({ hasText: 'bocaux' }).count() > 0, true, 'the change is shown');
    await shot(page, `commons-proposal-${variant.name}`);

    // The SCIC's administrator reviews it from the proposals list and accepts it.
    const { ctx: karimCtx, page: karim } = await signedIn(browser, variant, server.base, DEMO.karim.email);
    await visit(karim, variant, `${source}/proposals`);
    await follow(karim, variant, karim.locator(`main a[href="${proposal}"]`));
    await submit(karim, variant, formTo(karim, `${proposal}/accept`));
    assert.equal(new URL(karim.url()).pathname, source);
    assert.match(await mainText(karim), new RegExp(tip), 'the source holds the change');
    await shot(karim, `commons-accepted-${variant.name}`);

    // The history credits Camille for the revision.
    await follow(karim, variant, karim.locator(`main a[href="${source}/history"]`));
    const latest = karim.locator('main tbody tr').first();
    assert.match(await latest.innerText(), new RegExp(`${DEMO.camille.name}.*proposition de ${DEMO.camille.name}, acceptée par ${DEMO.karim.name}`, 's'));

    // The proposal is marked accepted for its author too.
    await visit(page, variant, proposal);
    assert.match(await mainText(page), /acceptée/);
    await camilleCtx.close();
    await karimCtx.close();
  });
}
