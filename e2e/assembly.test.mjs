// A SCIC's general assembly in a real browser, on the demo data set: the administrator
// convenes it with a chair and a secretary, gives a proxy, the chair records attendance,
// a resolution is added and opened by the chair, two members vote from their own browsers
// (one also for the member they represent), the chair closes it, the result shows and the
// minutes (procès-verbal) render. Then a member votes with the keyboard only. Each with
// JavaScript, without it, and on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, VARIANTS, accessible, anonymous, follow, formTo, launch, mainText, shot, signedIn, startServer, submit, tabTo, tag, visit } from './helpers.mjs';

const ORG = '/o/grenier-commun';
let server;
let browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launch();
  // The SCIC's administrator welcomes Camille and Louise in the users' college.
  const variant = VARIANTS[0];
  const { ctx, page } = await signedIn(browser, variant, server.base, DEMO.karim.email);
  for (const who of [DEMO.camille, DEMO.louise]) {
    await visit(page, variant, `${ORG}/members`);
    const form = formTo(page, `${ORG}/members`);
    await form.locator('[name=email]').fill(who.email);
    await form.locator('[name=college]').selectOption('Usagers');
    await submit(page, variant, form);
  }
  await visit(page, variant, `${ORG}/members`);
  const list = await mainText(page);
  assert.ok(list.includes(DEMO.camille.name) && list.includes(DEMO.louise.name), 'both joined');
  await ctx.close();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Selects the option of a <select> whose text is `label`, without JavaScript. */
async function choose(select, label) {
  await select.selectOption({ label });
}

/** Creates a resolution (a motion) from a page that links to the new-decision form. */
async function newMotion(page, variant, link, title, body) {
  await follow(page, variant, link);
  const form = formTo(page, `${ORG}/decisions/new`);
  await form.locator('[name=title]').fill(title);
  await form.locator('[name=body]').fill(body);
  await form.locator('[name=method]').selectOption('motion');
  await submit(page, variant, form);
  const path = new URL(page.url()).pathname;
  assert.match(path, new RegExp(`^${ORG}/decisions/[^/]+$`));
  return path;
}

/** Votes on a motion with one of the page's ballot forms. */
async function vote(page, variant, form, choice) {
  await form.locator(`input[name=choice][value=${choice}]`).check();
  await submit(page, variant, form);
  assert.match(await mainText(page), /Votre bulletin pour « .* » est enregistré/);
}

for (const variant of VARIANTS) {
  test(`a SCIC holds its general assembly: attendance, proxy, resolution, two voters, result and minutes (${variant.name})`, async () => {
    const t = tag(variant);
    const karim = await signedIn(browser, variant, server.base, DEMO.karim.email);
    const camille = await signedIn(browser, variant, server.base, DEMO.camille.email);
    const louise = await signedIn(browser, variant, server.base, DEMO.louise.email);

    // Karim convenes the assembly, Camille chairs it, Louise is its secretary.
    let page = karim.page;
    await visit(page, variant, `${ORG}/assemblies`);
    const convene = formTo(page, `${ORG}/assemblies`);
    await convene.locator('[name=title]').fill(`AG extraordinaire ${t}`);
    await convene.locator('[name=kind]').selectOption('age');
    await convene.locator('[name=starts_at]').fill('2026-12-15T18:30');
    await convene.locator('[name=place]').fill('La Halle, Mens');
    await choose(convene.locator('[name=chair]'), DEMO.camille.name);
    await choose(convene.locator('[name=secretary]'), DEMO.louise.name);
    await submit(page, variant, convene);
    const assembly = new URL(page.url()).pathname;
    assert.match(assembly, new RegExp(`^${ORG}/assemblies/[^/]+$`));

    // Karim will not attend: he gives his proxy to Louise.
    const proxy = formTo(page, `${assembly}/proxy`);
    await choose(proxy.locator('[name=holder]'), DEMO.louise.name);
    await submit(page, variant, proxy);
    assert.match(await mainText(page), new RegExp(`${DEMO.karim.name} a donné procuration à ${DEMO.louise.name}`));

    // Camille, in the chair, records attendance until the quorum (a quarter) is reached.
    page = camille.page;
    await visit(page, variant, assembly);
    const attendance = formTo(page, `${assembly}/attendance`);
    await attendance.getByLabel(DEMO.camille.name, { exact: true }).selectOption('present');
    await attendance.getByLabel(DEMO.louise.name, { exact: true }).selectOption('present');
    await attendance.getByLabel(DEMO.karim.name, { exact: true }).selectOption('represented');
    const others = attendance.locator('select[name^="presence-"]');
    const count = await others.count();
    for (let i = 0, set = 3; set < Math.ceil(count / 4) + 1 && i < count; i++) {
      const select = others.nth(i);
      if ((await select.inputValue()) === '') {
        await select.selectOption(i % 2 ? 'present' : 'remote');
        set += 1;
      }
    }
    await submit(page, variant, attendance);
    assert.match(await mainText(page), /Quorum atteint/i);

    // Karim adds a resolution to the agenda; the chair opens it.
    const title = `Résolution ${t} : ouvrir l'épicerie le dimanche`;
    const decision = await newMotion(karim.page, variant, karim.page.locator(`main a[href="${ORG}/decisions/new?assembly=${assembly.split('/').pop()}"]`), title, 'L\'épicerie ouvre **le dimanche matin** à titre d\'essai pour six mois.');
    await visit(page, variant, decision);
    await submit(page, variant, formTo(page, `${decision}/open`));
    assert.match(await mainText(page), /ouvert/i);

    // Two voters, each in their own browser; Louise also votes for Karim.
    await vote(page, variant, formTo(page, `${decision}/vote`), 'for');
    const lp = louise.page;
    await visit(lp, variant, decision);
    const ballots = formTo(lp, `${decision}/vote`);
    assert.equal(await ballots.count(), 2, 'her own ballot and Karim\'s');
    assert.match(await mainText(lp), new RegExp(`Voter pour ${DEMO.karim.name} \\(procuration\\)`));
    await vote(lp, variant, ballots.filter({ hasNot: lp.locator('input[name=for_member]') }), 'against');
    await visit(lp, variant, decision);
    await vote(lp, variant, formTo(lp, `${decision}/vote`).filter({ has: lp.locator('input[name=for_member]') }), 'for');

    // The chair closes the vote; the result shows.
    await visit(page, variant, decision);
    await submit(page, variant, formTo(page, `${decision}/close`));
    const result = page.locator('#result');
    assert.match(await result.innerText(), /Adoptée/);
    await shot(page, `assembly-result-${variant.name}`);

    // The agenda lists the closed resolution, and the minutes record it.
    await visit(page, variant, assembly);
    assert.ok((await mainText(page)).includes(`${title} — Clos`), 'the agenda shows it closed');
    await follow(page, variant, page.locator(`main a[href="${assembly}/minutes"]`));
    const minutes = await mainText(page);
    assert.match(minutes, /Procès-verbal/i);
    assert.ok(minutes.includes(`AG extraordinaire ${t}`), minutes);
    assert.ok(minutes.includes(title), minutes);
    assert.match(minutes, /adoptée/i);
    await shot(page, `assembly-minutes-${variant.name}`);
    for (const p of [karim, camille, louise]) await p.ctx.close();
  });
}

for (const variant of VARIANTS) {
  test(`a member votes with the keyboard only (${variant.name})`, async () => {
    const t = tag(variant);
    const karim = await signedIn(browser, variant, server.base, DEMO.karim.email);
    const title = `Vote au clavier ${t}`;
    await visit(karim.page, variant, `${ORG}/decisions`);
    const decision = await newMotion(karim.page, variant, karim.page.locator(`main a[href="${ORG}/decisions/new"]`).first(), title, 'Accessible à toutes et tous.');
    await visit(karim.page, variant, decision);
    await submit(karim.page, variant, formTo(karim.page, `${decision}/open`));
    await karim.ctx.close();

    // Louise signs in, finds the decision, picks "for" and votes: Tab, Space and Enter only.
    const { ctx, page } = await anonymous(browser, variant, server.base);
    await visit(page, variant, '/login');
    await tabTo(page, '#f-email');
    await page.keyboard.type(DEMO.louise.email);
    await tabTo(page, '#f-password');
    await page.keyboard.type('fabrique-demo');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('header').innerText(), new RegExp(DEMO.louise.name));
    await visit(page, variant, `${ORG}/decisions`);
    await tabTo(page, `a[href="${decision}"]`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await accessible(page, variant);
    assert.equal(new URL(page.url()).pathname, decision);
    await tabTo(page, 'input[name=choice]');
    // Arrow keys move within a radio group; Space checks the focused radio.
    await page.keyboard.press('Space');
    assert.equal(await page.locator('input[name=choice][value=for]').isChecked(), true, 'Space picks "for"');
    await tabTo(page, `form[action="${decision}/vote"] button[type=submit]`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await accessible(page, variant);
    assert.match(await mainText(page), new RegExp(`Votre bulletin pour « ${title} » est enregistré`));
    await shot(page, `keyboard-vote-${variant.name}`);
    await ctx.close();
  });
}
