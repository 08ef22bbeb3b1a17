// Checks rendered papers in a real headless browser (Debian's chromium via playwright-core):
// each page loads, shows exactly the questions its paper.json holds (each laid out with a
// non-empty box), shows one heading per section, and prints to a multi-page A4 PDF.
//
// usage: node tests/browser/check-paper.cjs FORM_DIR... (folders holding paper.html + paper.json)
// playwright-core is installed by .ci/run (NODE_PATH points at it); chromium is /usr/bin/chromium.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

async function check(browser, dir) {
  const paper = JSON.parse(fs.readFileSync(path.join(dir, 'paper.json'), 'utf8'));
  const sections = paper.sections || [];
  const expected = sections.reduce((n, s) => n + (s.items || []).length, 0);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(dir, 'paper.html'), { waitUntil: 'load' });
  const seen = await page.evaluate(() => {
    const qs = [...document.querySelectorAll('.q')];
    return {
      questions: qs.length,
      numbered: qs.map((q) => Number(q.dataset.n)),
      laidOut: qs.filter((q) => { const r = q.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length,
      options: document.querySelectorAll('.opt').length,
      title: document.title,
    };
  });
  const options = sections.reduce((n, s) => n + (s.items || []).reduce((m, i) => m + (i.options || []).length, 0), 0);
  const problems = [];
  if (errors.length) problems.push('page errors: ' + errors.join('; '));
  if (seen.questions !== expected) problems.push(`shows ${seen.questions} questions, paper.json has ${expected}`);
  if (seen.laidOut !== expected) problems.push(`${expected - seen.laidOut} question(s) have no layout box`);
  const want = Array.from({ length: expected }, (_, i) => i + 1);
  if (JSON.stringify(seen.numbered) !== JSON.stringify(want)) problems.push('questions are not numbered 1..n in order');
  if (seen.options !== options) problems.push(`shows ${seen.options} options, paper.json has ${options}`);
  for (const [i, s] of sections.entries()) {
    const first = s.items && s.items[0] && s.items[0].n;
    const last = s.items && s.items.length && s.items[s.items.length - 1].n;
    const text = await page.evaluate(() => document.body.innerText);
    if (first && !text.includes(`第${first}题～第${last}题`)) problems.push(`section ${i + 1} heading does not show 第${first}题～第${last}题`);
  }
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pdf.subarray(0, 5).toString() !== '%PDF-') problems.push('print to PDF did not produce a PDF');
  if (pages < 2) problems.push(`printed to ${pages} page(s); a ${expected}-question paper needs several`);
  fs.writeFileSync(path.join(dir, 'paper.browser-check.pdf'), pdf);
  await page.close();
  return { dir, expected, seen: seen.questions, pages, problems };
}

(async () => {
  const dirs = process.argv.slice(2);
  if (!dirs.length) { console.error('usage: check-paper.cjs FORM_DIR...'); process.exit(2); }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let failed = 0;
  for (const d of dirs) {
    const r = await check(browser, d);
    if (r.problems.length) {
      failed++;
      console.log(`FAIL ${d}: ${r.problems.join('; ')}`);
    } else {
      console.log(`ok   ${d}: ${r.seen} questions shown, printed to ${r.pages} A4 pages`);
    }
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
