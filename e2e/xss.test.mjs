// Hostile strings in a real browser, on the demo data set: `<script>`, `<img onerror>`,
// `javascript:` links (Markdown and HTML), SVG payloads and an iframe, stored as a recipe's
// title and fields, an assembly's and a decision's title and text, and a treasury entry's
// label, then every page that shows them is opened: no dialog opens, the `__xss` flag the
// payloads set stays unset, and no script element, event-handler attribute or `javascript:`
// address reaches the page. The content security policy is bypassed, so the markup alone is
// tested. With JavaScript, without it, and on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, VARIANTS, follow, formTo, inert, launch, mainText, shot, signedIn, startServer, submit, tag, visit, watch } from './helpers.mjs';

const ORG = '/o/manchots-libres';
const P = {
  script: '<script>window.__xss="script";alert("script")</script>',
  img: '<img src=x onerror="window.__xss=\'img\';alert(\'img\')">',
  md: '[cliquez ici](javascript:window.__xss=\'md\';alert(\'md\'))',
  a: '<a href="javascript:window.__xss=\'a\';alert(\'a\')">lien</a>',
  svg: '<svg onload="window.__xss=\'svg\';alert(\'svg\')"><script>alert("svg-script")</script></svg>',
  svgLink: '<svg><a xlink:href="javascript:alert(\'svg-a\')"><text y="20">svg</text></a></svg>',
  iframe: '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  encoded: '<a href="jav&#x09;ascript:alert(\'tab\')">encodé</a>',
  // Short enough for titles and labels (at most 120 characters).
  title: '<img src=x onerror=alert(1)><svg onload=alert(2)><script>alert(3)</script>',
};
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

/** Opens each path and checks that nothing hostile is live on it. */
async function tour(page, variant, ran, paths) {
  for (const path of paths) {
    await visit(page, variant, path);
    await inert(page, ran);
  }
}

for (const variant of VARIANTS) {
  test(`hostile recipes, decisions and treasury labels never execute (${variant.name})`, async () => {
    const t = tag(variant);
    const { ctx, page } = await signedIn(browser, variant, server.base, DEMO.camille.email);
    const ran = watch(page);

    // A recipe whose title and fields are hostile.
    await visit(page, variant, `${ORG}/documents/new`);
    const doc = formTo(page, `${ORG}/documents/new`);
    await doc.locator('[name=title]').fill(`Recette ${t} ${P.title}`);
    await doc.locator('[name="fields.summary"]').fill(`${P.script} ${P.img}`);
    await doc.locator('[name="fields.steps"]').fill(`${P.md}\n${P.svg}\n${P.a}`);
    await doc.locator('[name="fields.tips"]').fill(`${P.encoded} ${P.iframe}`);
    await doc.locator('[name=body]').fill(`${P.a}\n\n${P.svgLink}\n\n${P.md}\n\n${P.iframe}`);
    await submit(page, variant, doc);
    const recipe = new URL(page.url()).pathname;
    assert.match(recipe, new RegExp(`^${ORG}/documents/`));
    assert.ok((await page.locator('main h1').innerText()).includes('<img src=x'), 'the title shows as text');
    await inert(page, ran);
    await tour(page, variant, ran, [`${ORG}/documents`, `${recipe}/history`, `${recipe}/edit`, `/search?q=${encodeURIComponent(`Recette ${t}`)}`]);
    await visit(page, variant, recipe);
    await shot(page, `xss-recipe-${variant.name}`);

    // An assembly and its resolution with hostile titles and text, through to the minutes.
    await visit(page, variant, `${ORG}/assemblies`);
    const convene = formTo(page, `${ORG}/assemblies`);
    await convene.locator('[name=title]').fill(`AG ${t} ${P.title}`);
    await convene.locator('[name=starts_at]').fill('2026-12-20T10:00');
    await convene.locator('[name=place]').fill(P.svg);
    await submit(page, variant, convene);
    const assembly = new URL(page.url()).pathname;
    await inert(page, ran);
    await follow(page, variant, page.locator(`main a[href^="${ORG}/decisions/new?assembly="]`));
    const d = formTo(page, `${ORG}/decisions/new`);
    await d.locator('[name=title]').fill(`Décision ${t} ${P.title}`);
    await d.locator('[name=body]').fill(`${P.script}\n\n${P.md}\n\n${P.a}\n\n${P.svgLink}\n\n${P.encoded}`);
    await d.locator('[name=method]').selectOption('motion');
    await submit(page, variant, d);
    const decision = new URL(page.url()).pathname;
    await inert(page, ran);
    await submit(page, variant, formTo(page, `${decision}/open`));
    await inert(page, ran);
    const ballot = formTo(page, `${decision}/vote`);
    await ballot.locator('input[name=choice][value=for]').check();
    await submit(page, variant, ballot);
    assert.match(await mainText(page), /Votre bulletin pour « Décision .*<img src=x/, 'the receipt shows the title as text');
    await inert(page, ran);
    await tour(page, variant, ran, [`${ORG}/decisions`, assembly, `${assembly}/minutes`, decision]);
    await submit(page, variant, formTo(page, `${decision}/close`));
    await inert(page, ran);
    await tour(page, variant, ran, [`${assembly}/minutes`]);
    assert.ok((await mainText(page)).includes(`Décision ${t}`), 'the minutes name the resolution');
    await shot(page, `xss-minutes-${variant.name}`);

    // A treasury entry with a hostile label.
    await visit(page, variant, `${ORG}/treasury`);
    const entry = formTo(page, `${ORG}/treasury`);
    await entry.locator('input[name=kind][value=expense]').check();
    await entry.locator('[name=date]').fill('2026-11-20');
    await entry.locator('[name=label]').fill(`Achat ${t} ${P.title}`);
    await entry.locator('[name=amount]').fill('12,34');
    await entry.locator('[name=treasury]').fill('5121');
    await entry.locator('[name=category]').fill('627');
    await entry.locator('[name=piece_ref]').fill(P.a);
    await submit(page, variant, entry);
    const saved = new URL(page.url()).pathname;
    assert.match(saved, new RegExp(`^${ORG}/treasury/entries/`));
    assert.ok((await mainText(page)).includes(`Achat ${t} <img`), 'the label shows as text');
    await inert(page, ran);
    await tour(page, variant, ran, [`${ORG}/treasury/entries`, `${ORG}/treasury`, `${ORG}/audit`]);
    await visit(page, variant, saved);
    await shot(page, `xss-treasury-${variant.name}`);
    assert.deepEqual(ran, []);
    await ctx.close();
  });
}
