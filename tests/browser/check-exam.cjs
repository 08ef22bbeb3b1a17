// Checks the 机考 server (`qbank exam init|serve`) in a real headless browser (Debian's chromium via
// playwright-core), as candidates and a proctor use it: login, answering with mouse and keyboard,
// 已保存 only after the server has the answer, a lost connection, a crashed computer and 换机,
// 延时, wrong credentials, 交卷 and 强制交卷, large type, the security headers and cookies, and a
// server killed with SIGKILL that comes back with every acknowledged answer. Writes the README's
// screenshots docs/screens/exam-candidate.png and docs/screens/exam-proctor.png (with QBANK_SCREENS=1).
//
// usage (from the repo root): node tests/browser/check-exam.cjs QBANK_BINARY
// It uses the demo's opened copy demo/papers-only/S000032100001/dg4-theory/F01 (made by
// `sh banks/sittings/demo.sh`); everything else goes to a fresh temp dir.
// playwright-core is installed by .ci/run (NODE_PATH points at it); chromium is /usr/bin/chromium.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn, execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const COPY = 'demo/papers-only/S000032100001/dg4-theory/F01';
const ROSTER = [
  { ticket: '3201020261128001', name: '李芳', id4: '2201', seat: '1' },
  { ticket: '3201020261128002', name: '王强', id4: '3302', seat: '2' },
  { ticket: '3201020261128003', name: '张敏', id4: '4403', seat: '3' },
];
const [A, B, C] = ROSTER;
const T0 = Date.now();

class CheckFailed extends Error {}
function fail(msg) { throw new CheckFailed(msg); }
function ok(msg) { console.log(`ok   ${msg} (${((Date.now() - T0) / 1000).toFixed(1)} s)`); }
function expect(cond, msg) { if (!cond) fail(msg); }
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Starts `exam serve` and resolves once it prints that it is listening.
function serve(bin, db, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['exam', 'serve', '--db', db, '--copy', COPY, '--listen', `127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', done = false;
    const timer = setTimeout(() => finish(new Error(`exam serve did not start within 20 s; stdout: ${out} stderr: ${err}`)), 20000);
    function finish(e) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) { child.kill('SIGKILL'); reject(e); } else resolve(child);
    }
    child.stdout.on('data', (d) => { out += d; if (out.includes('机考服务已启动')) finish(); });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => finish(new Error(`cannot run ${bin}: ${e.message}`)));
    child.on('exit', (code, sig) => {
      if (!done) finish(new Error(`exam serve exited (${code ?? sig}) before starting; stdout: ${out} stderr: ${err}`));
      child.exited = true;
    });
  });
}

function kill(child) {
  return new Promise((resolve) => {
    if (!child || child.exited || child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

(async () => {
  const bin = process.argv[2];
  if (!bin) { console.error('usage: check-exam.cjs QBANK_BINARY'); process.exit(2); }
  if (!fs.existsSync(path.join(COPY, 'paper.json'))) {
    console.error(`FAIL ${COPY}/paper.json is missing: run sh banks/sittings/demo.sh first`);
    process.exit(1);
  }
  const paper = JSON.parse(fs.readFileSync(path.join(COPY, 'paper.json'), 'utf8'));
  const items = paper.sections.flatMap((s) => s.items.map((i) => ({ n: i.n, type: s.type || i.type })));
  const TOTAL = items.length;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qbank-exam-check-'));
  const db = path.join(tmp, 'exam.db');
  let server = null, browser = null, passed = false;
  try {
    // ---- init
    fs.writeFileSync(path.join(tmp, 'roster.csv'),
      '准考证号,姓名,证件号后四位,座位号\n' + ROSTER.map((r) => [r.ticket, r.name, r.id4, r.seat].join(',')).join('\n') + '\n');
    let initOut;
    try {
      initOut = execFileSync(bin, ['exam', 'init', '--copy', COPY, '--roster', path.join(tmp, 'roster.csv'), '--db', db],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) { fail(`exam init failed: ${e.stderr || e.message}`); }
    const code = (initOut.match(/监考码：([0-9]{4}-[0-9]{4})/) || [])[1];
    expect(code, `exam init printed no 监考码; it printed: ${initOut}`);
    const port = await freePort();
    server = await serve(bin, db, port);
    const base = `http://127.0.0.1:${port}`;
    ok(`exam init (3 candidates, ${TOTAL} questions) and exam serve on ${base}`);

    const args = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'];
    if (process.getuid && process.getuid() === 0) args.unshift('--no-sandbox');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args });

    // Every response the server sends to a page is checked for its headers; page errors and CSP
    // violations fail the run.
    const responses = [];
    const pageProblems = [];
    async function newContext() {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      ctx.setDefaultTimeout(15000);
      ctx.on('page', watch);
      return ctx;
    }
    function watch(page) {
      page.on('pageerror', (e) => pageProblems.push(`page error on ${page.url()}: ${e}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`console: ${m.text()}`);
      });
      page.on('response', (r) => { if (r.url().startsWith(base)) responses.push({ url: r.url(), headers: r.headers(), status: r.status() }); });
    }
    function checkPage() { if (pageProblems.length) fail(pageProblems.join('; ')); }

    async function login(ctx, who, id4 = who.id4) {
      const page = await ctx.newPage();
      await page.goto(base + '/');
      await page.fill('input[name=ticket]', who.ticket);
      await page.fill('input[name=id4]', id4);
      await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.click('button:has-text("登录")')]);
      return page;
    }
    async function state(page) {
      const r = await page.request.get(base + '/api/state');
      expect(r.status() === 200, `/api/state answered ${r.status()}`);
      return r.json();
    }
    const shownOrder = (page) => page.$$eval('fieldset.q', (fs) => fs.map((f) => Number(f.dataset.q)));
    const status = (page, q) => page.$eval(`#q${q} .st`, (s) => s.textContent);
    async function waitSaved(page, q, what) {
      try {
        await page.waitForFunction((q) => document.querySelector(`#q${q} .st`).textContent === '已保存', q, { timeout: 10000 });
      } catch (e) { fail(`${what}: question ${q} never showed 已保存 (shows "${await status(page, q)}")`); }
    }
    // The copy option index behind the label shown at position `i` of question q.
    const optionValue = (page, q, i) => page.$eval(`#q${q}`, (f, i) => f.querySelectorAll('input[name^=a]')[i].value, i);
    function stored(st, q) { const a = st.answers && st.answers[String(q)]; return a ? a[1] : undefined; }

    // ---- 1. login and the paper
    const ctxA = await newContext();
    const pageA = await login(ctxA, A);
    expect(new URL(pageA.url()).pathname === '/exam', `after login A is at ${pageA.url()}, not /exam`);
    const orderA = await shownOrder(pageA);
    expect(orderA.length === TOTAL, `the exam page shows ${orderA.length} questions, the paper has ${TOTAL}`);
    expect(same([...orderA].sort((a, b) => a - b), items.map((i) => i.n).sort((a, b) => a - b)),
      'the exam page does not show each question of the paper exactly once');
    expect(!same(orderA, items.map((i) => i.n)), 'questions are in the copy\'s order; expected the candidate\'s own shuffled order');
    const barText = await pageA.textContent('.bar');
    expect(barText.includes(A.name) && barText.includes(`座位 ${A.seat}`), `the bar does not show ${A.name} and 座位 ${A.seat}: "${barText}"`);
    const navCount = await pageA.$$eval('nav.grid a[data-q]', (as) => as.length);
    expect(navCount === TOTAL, `the nav grid has ${navCount} links, expected ${TOTAL}`);
    checkPage();
    ok(`A logs in through the form: ${TOTAL} questions, each once, in A's own order; bar shows ${A.name}, 座位 ${A.seat}`);

    // ---- 2. answering: mouse, keyboard, flag
    const typeOf = {};
    for (const q of orderA) typeOf[q] = await pageA.$eval(`#q${q}`, (f) => f.dataset.type);
    const singles = orderA.filter((q) => typeOf[q] === '单选');
    const multis = orderA.filter((q) => typeOf[q] === '多选');
    const judges = orderA.filter((q) => typeOf[q] === '判断');
    expect(singles.length >= 5 && multis.length && judges.length, 'the paper lacks 单选, 多选 or 判断 questions');
    const expected = {}; // q -> value the server must hold
    // 单选 at the top, by clicking its second label (B.)
    const qS = singles[0];
    const vS = Number(await optionValue(pageA, qS, 1));
    await pageA.locator(`#q${qS} label.opt`).nth(1).click();
    await waitSaved(pageA, qS, '单选');
    expected[qS] = { t: 'choice', v: [vS] };
    // 判断: × 错误
    const qJ = judges[0];
    await pageA.locator(`#q${qJ} label.opt`, { hasText: '错误' }).click();
    await waitSaved(pageA, qJ, '判断');
    expected[qJ] = { t: 'judge', v: false };
    // 多选: two boxes (A. and C.)
    const qM = multis[0];
    const vM = [Number(await optionValue(pageA, qM, 0)), Number(await optionValue(pageA, qM, 2))].sort((a, b) => a - b);
    await pageA.locator(`#q${qM} label.opt`).nth(0).click();
    await pageA.locator(`#q${qM} label.opt`).nth(2).click();
    await waitSaved(pageA, qM, '多选');
    expected[qM] = { t: 'choice', v: vM };
    // keyboard only: Tab from the question before, Space, ArrowDown
    const qK = singles[2];
    const prevK = orderA[orderA.indexOf(qK) - 1];
    await pageA.focus(`#q${prevK} button.clear`);
    await pageA.keyboard.press('Tab');
    const focused = await pageA.evaluate(() => {
      const e = document.activeElement;
      const f = e && e.closest('fieldset.q');
      return { q: f ? Number(f.dataset.q) : null, first: f ? f.querySelector('input[name^=a]') === e : false };
    });
    expect(focused.q === qK && focused.first, `Tab from question ${prevK}'s 清除作答 does not reach question ${qK}'s first option (focus is on question ${focused.q})`);
    await pageA.keyboard.press('Space');
    const firstChecked = await pageA.$eval(`#q${qK}`, (f) => f.querySelectorAll('input[name^=a]')[0].checked);
    expect(firstChecked, `Space does not choose the focused option of question ${qK}`);
    await pageA.keyboard.press('ArrowDown');
    const vK = Number(await optionValue(pageA, qK, 1));
    await waitSaved(pageA, qK, 'keyboard');
    expected[qK] = { t: 'choice', v: [vK] };
    let st = await state(pageA);
    for (const [q, v] of Object.entries(expected)) {
      expect(same(stored(st, q), v), `after 已保存, /api/state holds ${JSON.stringify(stored(st, q))} for question ${q}, expected ${JSON.stringify(v)}`);
    }
    const answeredNow = Object.entries(st.answers || {}).filter(([, a]) => a[1] && a[1].t !== 'clear').length;
    expect(answeredNow === Object.keys(expected).length, `/api/state holds ${answeredNow} answers, expected ${Object.keys(expected).length}`);
    for (const q of Object.keys(expected)) {
      const cls = await pageA.getAttribute(`nav.grid a[data-q="${q}"]`, 'class');
      expect(/\bdone\b/.test(cls || ''), `nav link of answered question ${q} lacks class done`);
    }
    // flag the second question
    const qF = orderA[1];
    await pageA.check(`#q${qF} input.flag`);
    await pageA.waitForFunction((q) => document.querySelector(`nav.grid a[data-q="${q}"]`).classList.contains('flag'), qF, { timeout: 5000 })
      .catch(() => fail(`flagging question ${qF} does not give its nav link class flag`));
    for (let i = 0; ; i++) {
      st = await state(pageA);
      if ((st.flags || []).includes(qF)) break;
      if (i > 20) fail(`/api/state flags ${JSON.stringify(st.flags)} lack flagged question ${qF}`);
      await sleep(250);
    }
    checkPage();
    ok('单选 by click, 判断, 多选 (two boxes) and a 单选 by keyboard (Tab, Space, ArrowDown) show 已保存 and /api/state holds exactly those copy option indices; flag marks the nav link');

    // ---- 3. connection loss
    const qO = singles[3];
    const vO = Number(await optionValue(pageA, qO, 0));
    await ctxA.setOffline(true);
    await pageA.locator(`#q${qO} label.opt`).nth(0).click();
    await pageA.waitForFunction((q) => document.querySelector(`#q${q} .st`).textContent.includes('未保存'), qO, { timeout: 10000 })
      .catch(async () => fail(`offline: question ${qO} shows "${await status(pageA, qO)}", expected 未保存`));
    const connText = await pageA.textContent('#conn');
    expect(connText.trim() !== '', 'offline: #conn shows nothing');
    expect(await status(pageA, qO) !== '已保存', 'offline: 已保存 shown though the server cannot have the answer');
    await ctxA.setOffline(false);
    const back = Date.now();
    await waitSaved(pageA, qO, 'back online');
    expected[qO] = { t: 'choice', v: [vO] };
    st = await state(pageA);
    expect(same(stored(st, qO), expected[qO]), `back online: /api/state holds ${JSON.stringify(stored(st, qO))} for question ${qO}, expected ${JSON.stringify(expected[qO])}`);
    expect((await pageA.textContent('#conn')).trim() === '', 'back online: #conn still shows the connection as lost');
    ok(`offline: 未保存 and #conn "${connText.trim().slice(0, 12)}…"; back online: 已保存 after ${((Date.now() - back) / 1000).toFixed(1)} s and the server has it`);

    // ---- 4. crash and 换机
    await ctxA.close();
    const ctxA2 = await newContext();
    let pageA2 = await login(ctxA2, A);
    const refusal = (await pageA2.textContent('.error').catch(() => '')) || '';
    expect(refusal.includes(`该考生已在 ${A.seat} 号座位的计算机上登录`) && refusal.includes('换机'),
      `a second login within 45 s is not refused with the 换机 message (URL ${pageA2.url()}, error "${refusal}")`);
    const ctxP = await newContext();
    const pageP = await ctxP.newPage();
    await pageP.goto(base + '/proctor');
    expect(await pageP.getAttribute('input[name=code]', 'type') === 'password', 'the 监考码 input is not type=password');
    await pageP.fill('input[name=code]', code);
    await Promise.all([pageP.waitForNavigation(), pageP.click('button[type=submit]')]);
    expect(await pageP.$('table') !== null, `proctor login with the 监考码 shows no table (URL ${pageP.url()})`);
    const rowsN = await pageP.$$eval('tbody tr', (t) => t.length);
    expect(rowsN === ROSTER.length, `the proctor table has ${rowsN} rows, expected ${ROSTER.length}`);
    async function proctorAct(who, form, fill, button, notice, waitRefresh = false) {
      await pageP.goto(base + '/proctor');
      const row = pageP.locator('tbody tr', { hasText: who.ticket });
      await row.locator('summary', { hasText: '处理' }).click();
      for (const [name, value] of Object.entries(fill)) await row.locator(`form[action="/proctor/${form}"] input[name=${name}]`).fill(value);
      await Promise.all([pageP.waitForNavigation(), row.locator(`form[action="/proctor/${form}"] button`, { hasText: button }).click()]);
      const n = (await pageP.textContent('.notice-line').catch(() => '')) || '';
      expect(n.includes(`${notice}：${who.ticket}`), `proctor ${button} for ${who.ticket}: the page says "${n}", expected "${notice}：${who.ticket}"`);
      if (!waitRefresh) return;
      // the page refreshes itself every 5 s; that must load /proctor, not send the action's POST again
      await pageP.waitForURL(base + '/proctor', { timeout: 9000 })
        .catch(() => fail(`5 s after ${button}, the proctor page is still at ${pageP.url()}: its auto-refresh re-sends the action's POST`));
    }
    async function cells(who) {
      await pageP.goto(base + '/proctor');
      return pageP.locator('tbody tr', { hasText: who.ticket }).locator('td').allTextContents();
    }
    await proctorAct(A, 'unlock', { reason: '考生计算机死机，换至 9 号备用机' }, '允许换机', '已允许换机');
    await pageA2.close();
    pageA2 = await login(ctxA2, A);
    expect(new URL(pageA2.url()).pathname === '/exam', `after 允许换机, A's login on the new computer lands on ${pageA2.url()}`);
    expect(same(await shownOrder(pageA2), orderA), 'after 换机 the questions are in a different order');
    for (const q of orderA) {
      const seen = await pageA2.$eval(`#q${q}`, (f) => ({
        checked: Array.from(f.querySelectorAll('input[name^=a]:checked')).map((i) => i.value),
        flag: f.querySelector('input.flag').checked,
        st: f.querySelector('.st').textContent,
      }));
      const e = expected[q];
      const want = !e ? [] : e.t === 'judge' ? [e.v ? '1' : '0'] : e.v.map(String);
      expect(same(seen.checked.sort(), want.sort()), `after 换机 question ${q} shows ${JSON.stringify(seen.checked)} checked, expected ${JSON.stringify(want)}`);
      expect(seen.flag === (q === qF), `after 换机 question ${q} flag is ${seen.flag}`);
      if (e) expect(seen.st === '已保存', `after 换机 answered question ${q} shows "${seen.st}", not 已保存`);
    }
    expect(/\bflag\b/.test(await pageA2.getAttribute(`nav.grid a[data-q="${qF}"]`, 'class') || ''), 'after 换机 the flagged nav link lacks class flag');
    checkPage();
    ok('second login within 45 s refused with the 换机 message; after the proctor\'s 允许换机 the new computer shows the same order, answers and flag');

    // candidate screenshot: top of the page, answers saved, one flagged
    await pageA2.evaluate(() => window.scrollTo(0, 0));
    if (process.env.QBANK_SCREENS) {
      fs.mkdirSync('docs/screens', { recursive: true });
      await pageA2.screenshot({ path: 'docs/screens/exam-candidate.png' });
    }

    // ---- 5. 延时
    const secsBefore = (await state(pageA2)).seconds;
    await proctorAct(A, 'extend', { minutes: '10', reason: '换机耽误时间' }, '延时', '已延时', true);
    const secsAfter = (await state(pageA2)).seconds;
    const rowA = await cells(A);
    expect(rowA[6].trim() === '10 分钟', `after 延时 10 minutes A's 延时 cell shows "${rowA[6]}"`);
    expect(Math.abs(secsAfter - secsBefore - 600) <= 30, `after 延时 10 minutes A's seconds went ${secsBefore} → ${secsAfter}`);
    const rowsAfter = await (await pageP.request.get(base + '/proctor/api/rows')).json();
    const extA = (rowsAfter.find((r) => r.ticket === A.ticket) || {}).extension;
    expect(extA === 10, `after one 延时 of 10 minutes and the page's auto-refresh, A's extension is ${extA} minutes`);
    ok(`proctor 延时 10 分钟: the table shows 10 分钟 (still after the page's auto-refresh); A's remaining time ${secsBefore} s → ${secsAfter} s`);

    // ---- 6. wrong id4, never logged in
    const ctxB = await newContext();
    const pageBad = await login(ctxB, B, '0000');
    const bad = (await pageBad.textContent('.error').catch(() => '')) || '';
    expect(bad.includes('准考证号或证件号后四位不正确'), `a wrong 证件号后四位 for B shows "${bad}" (URL ${pageBad.url()})`);
    await pageBad.close();
    const rowC = await cells(C);
    expect(rowC[3].trim() === '未登录', `C never logged in but the proctor table shows "${rowC[3]}"`);
    const rowA6 = await cells(A);
    expect(rowA6[3].trim() === '答题中', `A is answering but the proctor table shows "${rowA6[3]}"`);
    expect(rowA6[4].trim() === `${Object.keys(expected).length}/${TOTAL}`, `A's 已答 cell shows "${rowA6[4]}", expected ${Object.keys(expected).length}/${TOTAL}`);
    ok(`wrong 证件号后四位 refused; proctor table: C 未登录, A 答题中 ${rowA6[4]}`);

    // ---- 9. large type (on B's exam page)
    const pageB = await login(ctxB, B);
    expect(new URL(pageB.url()).pathname === '/exam', `B's login lands on ${pageB.url()}`);
    const fontBefore = await pageB.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await pageB.click('#big');
    const big = await pageB.evaluate(() => ({
      cls: document.body.classList.contains('big'),
      pressed: document.getElementById('big').getAttribute('aria-pressed'),
      font: parseFloat(getComputedStyle(document.body).fontSize),
    }));
    expect(big.cls && big.pressed === 'true', `大字号 gives body.big=${big.cls}, aria-pressed=${big.pressed}`);
    expect(big.font > fontBefore, `大字号 does not enlarge the text (${fontBefore}px → ${big.font}px)`);
    ok(`大字号: body.big, aria-pressed=true, font ${fontBefore}px → ${big.font}px`);

    // proctor screenshot: A 答题中 with 延时, B 答题中, C 未登录
    await pageP.goto(base + '/proctor');
    if (process.env.QBANK_SCREENS) await pageP.screenshot({ path: 'docs/screens/exam-proctor.png' });

    // ---- 10. security
    const cookie = (await ctxA2.cookies(base)).find((c) => c.name === 'qbank_exam');
    expect(cookie, 'no qbank_exam cookie after login');
    expect(cookie.httpOnly && cookie.sameSite === 'Strict', `the qbank_exam cookie is httpOnly=${cookie.httpOnly}, sameSite=${cookie.sameSite}`);
    const forged = await pageA2.evaluate(async () => (await fetch('/api/answer', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf': 'forged' },
      body: JSON.stringify({ q: Number(document.querySelector('fieldset.q').dataset.q), rev: 99, value: { t: 'clear' } }),
    })).status);
    expect(forged === 403, `POST /api/answer with a wrong x-csrf answered ${forged}, expected 403`);
    const noCookie = await fetch(base + '/api/state');
    expect(noCookie.status === 401, `/api/state without a cookie answered ${noCookie.status}, expected 401`);
    const noProctor = await pageA2.request.get(base + '/proctor/api/rows');
    expect(noProctor.status() === 401, `/proctor/api/rows with a candidate's cookie answered ${noProctor.status()}, expected 401`);
    const rowsJson = await pageP.request.get(base + '/proctor/api/rows');
    expect(rowsJson.status() === 200 && (await rowsJson.json()).length === ROSTER.length, '/proctor/api/rows with the proctor cookie does not list the roster');
    const exams = responses.filter((r) => new URL(r.url).pathname === '/exam');
    expect(exams.length >= 2, `only ${exams.length} /exam responses seen`);
    const noCsp = responses.filter((r) => !(r.headers['content-security-policy'] || '').includes("script-src 'self'"));
    expect(!noCsp.length, `responses without Content-Security-Policy script-src 'self': ${noCsp.map((r) => r.url).join(', ')}`);
    checkPage();
    ok(`security: CSP script-src 'self' on all ${responses.length} responses (${exams.length} of /exam); cookie HttpOnly, SameSite=Strict; wrong x-csrf 403; no cookie 401; candidate cookie on /proctor/api/rows 401`);

    // ---- 7. 交卷
    const answered = Object.keys(expected).length;
    const csrfA2 = await pageA2.evaluate(() => document.body.dataset.csrf);
    expect(csrfA2, 'the exam page has no data-csrf');
    await pageA2.click('#submit');
    const dlg = await pageA2.evaluate(() => ({ open: document.getElementById('confirm').open, text: document.getElementById('confirm-text').textContent }));
    expect(dlg.open, '交卷 does not open the confirm dialog');
    expect(dlg.text.includes(`还有 ${TOTAL - answered} 题未答`) && dlg.text.includes(`已答 ${answered} 题`) && dlg.text.includes('1 题已标记'),
      `the confirm dialog says "${dlg.text}", expected 已答 ${answered}, ${TOTAL - answered} 未答, 1 已标记`);
    await pageA2.click('#no');
    expect(!(await pageA2.evaluate(() => document.getElementById('confirm').open)), '返回检查 does not close the dialog');
    expect(await pageA2.evaluate(() => document.body.dataset.phase) === 'open', '返回检查 left the exam');
    await pageA2.click('#submit');
    await Promise.all([pageA2.waitForNavigation(), pageA2.click('#yes')]);
    await pageA2.waitForSelector('h2:has-text("已交卷")').catch(() => fail('after 确认交卷 the page does not show 已交卷'));
    expect(await pageA2.evaluate(() => document.body.dataset.phase) === 'closed', 'after 交卷 body[data-phase] is not closed');
    st = await state(pageA2);
    expect(st.submitted === true, `after 交卷 /api/state submitted=${st.submitted}`);
    const late = await pageA2.evaluate(async ([csrf, q]) => (await fetch('/api/answer', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf': csrf },
      body: JSON.stringify({ q, rev: 1000, value: { t: 'clear' } }),
    })).status, [csrfA2, qS]);
    expect(late === 409, `POST /api/answer (with the page's csrf) after 交卷 answered ${late}, expected 409`);
    const rowA7 = await cells(A);
    expect(rowA7[3].trim() === '已交卷', `after 交卷 the proctor table shows A as "${rowA7[3]}"`);
    ok(`交卷: the dialog counts ${answered} answered, ${TOTAL - answered} unanswered, 1 flagged; 返回检查 closes it; 确认交卷 shows 已交卷; submitted=true; proctor shows 已交卷`);

    // ---- 8. 强制交卷
    await proctorAct(B, 'submit', {}, '强制交卷', '已强制交卷');
    await pageB.reload();
    expect(await pageB.$('h2:has-text("已交卷")') !== null, 'after 强制交卷, B\'s page does not show 已交卷 on reload');
    const rowB = await cells(B);
    expect(rowB[3].trim() === '已强制交卷', `after 强制交卷 the proctor table shows B as "${rowB[3]}"`);
    checkPage();
    ok('强制交卷: B\'s page shows 已交卷, the proctor table 已强制交卷');

    // ---- 11. SIGKILL and restart
    await kill(server);
    server = null;
    const port2 = await freePort();
    server = await serve(bin, db, port2);
    const r11 = await ctxA2.request.get(`http://127.0.0.1:${port2}/api/state`);
    expect(r11.status() === 200, `after SIGKILL and restart /api/state with A's cookie answered ${r11.status()}`);
    st = await r11.json();
    for (const [q, v] of Object.entries(expected)) {
      expect(same(stored(st, q), v), `after restart question ${q} holds ${JSON.stringify(stored(st, q))}, expected ${JSON.stringify(v)}`);
    }
    expect(st.submitted === true, `after restart A's submitted=${st.submitted}`);
    ok(`server killed with SIGKILL and restarted on the same db: all ${answered} acknowledged answers and 交卷 are there`);
    passed = true;
  } catch (e) {
    console.error(e instanceof CheckFailed ? `FAIL ${e.message}` : e);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await kill(server);
    if (passed) fs.rmSync(tmp, { recursive: true, force: true });
    else console.error(`(exam db and roster kept in ${tmp})`);
  }
  if (!passed) process.exit(1);
  console.log(`exam browser check passed (${((Date.now() - T0) / 1000).toFixed(1)} s)`);
})().catch((e) => { console.error(e); process.exit(1); });
