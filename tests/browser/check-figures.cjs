// Checks that every figure and formula in the opened packages shows in a real headless browser
// (Debian's chromium via playwright-core): each HTML document under the given folders that holds
// an image is loaded, and every <img> must have decoded (complete, natural size > 0) and be laid
// out with a non-empty box; every <math> formula must be laid out too. Fails if any does not,
// and if no document holds a figure at all (the demo sitting's papers and tasks must).
//
// usage: node tests/browser/check-figures.cjs ROOT... (folders searched for *.html)
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

function htmlFiles(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) htmlFiles(p, out);
    else if (e.isFile() && e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

(async () => {
  const roots = process.argv.slice(2);
  if (!roots.length) { console.error('usage: check-figures.cjs ROOT...'); process.exit(2); }
  const files = roots.flatMap((r) => htmlFiles(r, []))
    .filter((f) => /<img|<math/.test(fs.readFileSync(f, 'utf8')));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let failed = 0, images = 0, formulas = 0, withImages = 0;
  for (const f of files) {
    const page = await browser.newPage();
    await page.goto('file://' + path.resolve(f), { waitUntil: 'load' });
    const seen = await page.evaluate(() => {
      const box = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
      const imgs = [...document.querySelectorAll('img')];
      const maths = [...document.querySelectorAll('math')];
      return {
        images: imgs.length,
        broken: imgs.filter((i) => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)).map((i) => i.alt || i.src.slice(0, 40)),
        unlaid: imgs.filter((i) => !box(i)).length,
        formulas: maths.length,
        flat: maths.filter((m) => !box(m)).length,
      };
    });
    await page.close();
    images += seen.images; formulas += seen.formulas;
    if (seen.images) withImages++;
    const problems = [];
    if (seen.broken.length) problems.push(`${seen.broken.length} image(s) did not decode: ${seen.broken.join(', ')}`);
    if (seen.unlaid) problems.push(`${seen.unlaid} image(s) have no layout box`);
    if (seen.flat) problems.push(`${seen.flat} formula(s) have no layout box`);
    if (problems.length) { failed++; console.log(`FAIL ${f}: ${problems.join('; ')}`); }
  }
  await browser.close();
  if (!withImages) { console.log('FAIL no document holds a figure'); failed++; }
  console.log(`${files.length} document(s) with figures or formulas: ${images} image(s) in ${withImages} document(s), ${formulas} formula(s); ${failed ? failed + ' failed' : 'all shown'}`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
