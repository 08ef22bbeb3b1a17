// Checks the portal (`qbank-portal serve`) in a real headless browser (Debian's chromium via
// playwright-core) as its people use it, on a copy of the demo's vault:
//   the public catalog and its search; an organisation's administrator enrols with the letter's
//   code and makes an evaluator and an item writer; the evaluator sees its own organisation's
//   package only, downloads it and the papers release (byte for byte the vault's), and another
//   organisation's package by its direct URL is refused; the item writer uploads a TOML file
//   with a figure, sealed in the page with @hpke/core — the bytes that reach the portal are
//   QBANK-UPLOAD/1 ciphertext, no stem in them nor in the portal's database; the administrator
//   uploads a response file sealed the same way; the portal's inbox goes into the vault, which
//   opens what Chromium sealed, queues the questions with their figure and analyses the
//   responses; the next outbox brings the receipts back and the pages show them. The evaluator
//   opens what it downloaded with `qbank unseal`. The administrator switches on one-time codes
//   from the QR page (then the password alone and a code used twice are refused); the bureau's
//   operator sees the overview and the log. Security headers and cookie flags on every
//   response; logging out ends the session.
//   With QBANK_SCREENS=1 it writes docs/screens/portal-evaluator.png, portal-upload.png,
//   portal-totp.png and portal-operator.png.
//
// usage (from the repo root, after `sh banks/sittings/demo.sh`):
//   node tests/browser/check-portal.cjs target/release/qbank target/release/qbank-portal
// playwright-core is installed by .ci/run (NODE_PATH points at it); chromium is /usr/bin/chromium.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn, execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

// RFC 6238 as an authenticator app computes it (HMAC-SHA1, 30 s, 6 digits), `ahead` steps on.
function totp(base32, ahead) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const h = require('crypto').createHmac('sha1', key).update(step).digest();
  const o = h[19] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const A = 'S000032100001';
const B = 'Y000132050002';
const SITTING = 'JS-2026-11-DG';
const COPY = `demo/unsealed/${A}/dg4-theory/F01`;
const T0 = Date.now();

class CheckFailed extends Error {}
function fail(msg) { throw new CheckFailed(msg); }
function ok(msg) { console.log(`ok   ${msg} (${((Date.now() - T0) / 1000).toFixed(1)} s)`); }
function expect(cond, msg) { if (!cond) fail(msg); }

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function run(bin, args, env) {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (e) { fail(`${path.basename(bin)} ${args.join(' ')} failed: ${e.stderr || e.message}`); }
}

function serve(bin, dir, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--dir', dir, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', done = false;
    const timer = setTimeout(() => finish(new Error(`qbank-portal serve did not start within 20 s: ${out} ${err}`)), 20000);
    function finish(e) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) { child.kill('SIGKILL'); reject(e); } else resolve(child);
    }
    child.stdout.on('data', (d) => { out += d; if (out.includes('门户服务已启动')) finish(); });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => { if (!done) finish(new Error(`qbank-portal serve exited (${code}): ${out} ${err}`)); });
  });
}

// A response file for the demo copy: 24 candidates answering at random (letters of the copy).
function responses(paper) {
  const items = paper.sections.flatMap((s) => s.items);
  const code = paper.copy.copy;
  let seed = 20261202;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  let csv = 'candidate,copy,' + items.map((i) => i.n).join(',') + '\n';
  for (let c = 0; c < 24; c++) {
    const cells = items.map((i) => {
      const opts = (i.options || []).length;
      if (!opts) return rnd(2) ? '√' : '×';
      return String.fromCharCode(65 + rnd(opts));
    });
    csv += `320102202612${String(c).padStart(4, '0')},${code},${cells.join(',')}\n`;
  }
  return csv;
}

const SUB = `format = 1
occupation = "6-31-01-03"
level = 5

[[item]]
id = "PB5-0001"
clause = "2.1.2"
type = "单选"
difficulty = "easy"
stem = "交流接触器的吸引线圈额定电压应与（  ）的电压一致。"
options = ["主电路", "控制电路", "照明电路", "信号电路"]
answer = "B"
explanation = "接触器线圈接在控制电路中，其额定电压须与控制电路电压相同，否则线圈吸合不可靠或烧毁。"

[[item]]
id = "PB5-F001"
clause = "2.1.2"
type = "单选"
difficulty = "easy"
stem = "图1所示电路运行中按下停止按钮SB1，接触器KM线圈（  ）。"
options = ["断电，KM释放，电动机停转", "保持通电", "只在按住SB1时通电", "不受影响"]
answer = "A"
explanation = "SB1常闭触点串在KM线圈回路中，按下即切断线圈电流，自锁触点随之断开，电动机停转。"

[[item.figure]]
file = "PB5-F001.svg"
caption = "三相异步电动机单向连续运行控制电路"
width = 130
`;

(async () => {
  const [qbank, portalBin] = process.argv.slice(2);
  if (!qbank || !portalBin) { console.error('usage: check-portal.cjs QBANK QBANK_PORTAL'); process.exit(2); }
  for (const f of ['qbank-store', 'qbank.key', `demo/sitting/packages/${A}.qpkg`, `${COPY}/paper.json`]) {
    if (!fs.existsSync(f)) { console.error(`FAIL ${f} is missing: run sh banks/sittings/demo.sh first`); process.exit(1); }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qbank-portal-check-'));
  // a copy of the demo's vault, so the demo's own record is left as it is
  fs.cpSync('qbank-store', path.join(tmp, 'store'), { recursive: true });
  fs.copyFileSync('qbank.key', path.join(tmp, 'qbank.key'));
  const vault = { QBANK_STORE: path.join(tmp, 'store'), QBANK_KEY_FILE: path.join(tmp, 'qbank.key'), QBANK_OPERATOR_KEY: 'demo/people/ops-zhangwei.key' };
  const pdir = path.join(tmp, 'portal');
  let server = null, browser = null, passed = false;
  try {
    run(qbank, ['portal', 'outbox', '--out', path.join(tmp, 'out-1.qbx'), '--packages', 'demo/sitting/packages',
      '--enrol', A, '--letters', path.join(tmp, 'letters')], vault);
    const letter = fs.readFileSync(path.join(tmp, 'letters', `${A}-注册码.txt`), 'utf8');
    const code = (letter.match(/^ +([0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6})$/m) || [])[1];
    expect(code, 'the enrolment letter holds no code');
    const pin = run(qbank, ['bureau-key', 'pin'], vault).trim();
    const init = run(portalBin, ['--dir', pdir, 'init', '--bureau-key', 'demo/catalog/bureau.pub', '--pin', pin, '--insecure-cookies']);
    const fp = (init.match(/指纹 ([0-9a-f]+)/) || [])[1];
    run(portalBin, ['--dir', pdir, 'import', path.join(tmp, 'out-1.qbx')]);
    const port = await freePort();
    server = await serve(portalBin, pdir, port);
    const base = `http://127.0.0.1:${port}`;
    ok(`outbox from a copy of the demo vault imported; portal on ${base}`);

    const args = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'];
    if (process.getuid && process.getuid() === 0) args.unshift('--no-sandbox');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args });
    const problems = [];
    const responsesSeen = [];
    async function context() {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
      ctx.setDefaultTimeout(15000);
      ctx.on('page', (page) => {
        page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e}`));
        page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console on ${page.url()}: ${m.text()}`); });
        page.on('response', (r) => { if (r.url().startsWith(base)) responsesSeen.push({ url: r.url(), headers: r.headers(), status: r.status() }); });
      });
      return ctx;
    }
    const clean = () => { if (problems.length) fail(problems.join('; ')); };

    // ---- public catalog and its search
    const pub = await context();
    const page = await pub.newPage();
    await page.goto(base + '/');
    expect((await page.textContent('table')).includes(B), 'the catalog lists every organisation');
    await page.fill('input[name=region]', '苏州');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("查询")')]);
    const found = await page.textContent('main');
    expect(found.includes(B) && !found.includes(A), 'searching the region 苏州 shows only the Suzhou organisation');
    ok('public catalog: every organisation, search by region');

    // ---- enrolment with the letter's code, then users
    await page.goto(base + '/enrol');
    const enrol = async (c) => {
      await page.fill('input[name=organisation]', A);
      await page.fill('input[name=code]', c);
      await page.fill('input[name=login]', 'jl-admin');
      await page.fill('input[name=name]', '李敏');
      await page.fill('input[name=password]', '金陵考点2026秋季');
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("注册")')]);
    };
    await enrol('AAAAAA-BBBBBB-CCCCCC');
    expect((await page.textContent('.error')).includes('注册码不正确'), 'a wrong code is refused');
    await enrol(code);
    expect(new URL(page.url()).pathname === '/home' && (await page.textContent('.ok')).includes('注册成功'), `enrolment lands on the home page (${page.url()})`);
    const cookies = await pub.cookies();
    const sess = cookies.find((c) => c.name === 'qbank_portal');
    expect(sess && sess.httpOnly && sess.sameSite === 'Strict', `session cookie flags: ${JSON.stringify(sess)}`);
    for (const [login, name, role] of [['ev-zhao', '赵强', 'evaluator'], ['wr-wang', '王建国', 'writer']]) {
      await page.fill('form[action="/users"] input[name=login]', login);
      await page.fill('form[action="/users"] input[name=name]', name);
      await page.selectOption('form[action="/users"] select[name=role]', role);
      await page.fill('form[action="/users"] input[name=password]', '初始密码2026秋季考点');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/users"] button')]);
      expect((await page.textContent('.ok')).includes(login), `adding ${login}`);
    }
    clean();
    ok('administrator enrolled with the letter\'s code (a wrong one refused); evaluator and writer added');

    async function signIn(login) {
      const ctx = await context();
      const p = await ctx.newPage();
      await p.goto(base + '/login');
      await p.fill('input[name=login]', login);
      await p.fill('input[name=password]', '初始密码2026秋季考点');
      await Promise.all([p.waitForNavigation(), p.click('button:has-text("登录")')]);
      expect(new URL(p.url()).pathname === '/home', `${login} signs in (${p.url()})`);
      return [ctx, p];
    }

    // ---- the evaluator: own package only, download, release, another's refused
    const [evCtx, ev] = await signIn('ev-zhao');
    const links = await ev.$$eval('a[href^="/packages/"]', (as) => as.map((a) => a.getAttribute('href')));
    expect(links.length === 1 && links[0] === `/packages/${SITTING}/${A}.qpkg`, `the evaluator sees only its own package: ${links}`);
    expect((await ev.textContent('main')).includes('qbank unseal'), 'the page says how to open the package offline');
    if (process.env.QBANK_SCREENS === '1') await ev.screenshot({ path: 'docs/screens/portal-evaluator.png', fullPage: true });
    const [dl] = await Promise.all([ev.waitForEvent('download'), ev.click(`a[href="/packages/${SITTING}/${A}.qpkg"]`)]);
    const got = fs.readFileSync(await dl.path());
    expect(got.equals(fs.readFileSync(`demo/sitting/packages/${A}.qpkg`)), 'the downloaded package is the vault\'s, byte for byte');
    const [rl] = await Promise.all([ev.waitForEvent('download'), ev.click(`a[href="/releases/${SITTING}/papers.json"]`)]);
    expect(fs.readFileSync(await rl.path()).equals(fs.readFileSync('demo/sitting/release.json')), 'the release is the vault\'s');
    // …and opens them as the page says, offline, with the organisation's own key
    const unsealed = path.join(tmp, 'unsealed');
    const pkgFile = path.join(tmp, `${A}.qpkg`), relFile = path.join(tmp, 'papers.json');
    fs.copyFileSync(await dl.path(), pkgFile);
    fs.copyFileSync(await rl.path(), relFile);
    run(qbank, ['unseal', pkgFile, '--org-key', `demo/orgs/${A}.key`, '--release', relFile,
      '--bureau-key', 'demo/sitting/bureau.pub', '--out', unsealed]);
    const openedPaper = path.join(unsealed, 'dg4-theory', 'F01', 'paper.json');
    expect(fs.existsSync(openedPaper) && fs.readFileSync(openedPaper).equals(fs.readFileSync(`${COPY}/paper.json`)),
      'the downloaded package and release open with qbank unseal to the demo\'s paper');
    const other = await ev.request.get(`${base}/packages/${SITTING}/${B}.qpkg`);
    expect(other.status() === 403, `another organisation's package by direct URL: ${other.status()}`);
    const ranged = await ev.request.get(`${base}/packages/${SITTING}/${A}.qpkg`, { headers: { Range: 'bytes=100-199' } });
    expect(ranged.status() === 206 && (await ranged.body()).equals(got.subarray(100, 200)), 'a resumed download gets the range');
    clean();
    ok(`evaluator: own package only (${got.length} bytes, identical), papers release, both opened by qbank unseal; 403 for ${B}'s, Range 206`);

    // ---- the writer: a TOML with a figure, sealed in the page
    const [wrCtx, wr] = await signIn('wr-wang');
    const toml = path.join(tmp, 'pb5.toml');
    fs.writeFileSync(toml, SUB);
    const fig = path.join(tmp, 'PB5-F001.svg');
    fs.copyFileSync('banks/6-31-01-03/fig/DG5-F001.svg', fig);
    expect(await wr.isVisible('input[name=figures]'), 'with the script, the page offers figure files');
    await wr.setInputFiles('input[name=file]', toml);
    await wr.setInputFiles('input[name=figures]', fig);
    if (process.env.QBANK_SCREENS === '1') await wr.screenshot({ path: 'docs/screens/portal-upload.png', fullPage: true });
    await Promise.all([wr.waitForURL(/\/home\?ok=/), wr.click('button:has-text("加密并上传")')]);
    expect((await wr.textContent('.ok')).includes('已收到第 1 号上传'), 'the writer\'s upload is received');
    clean();
    ok('writer: TOML and figure sealed in Chromium and uploaded');

    // ---- the administrator: responses sealed in the page
    const paper = JSON.parse(fs.readFileSync(`${COPY}/paper.json`, 'utf8'));
    const csv = path.join(tmp, 'responses.csv');
    fs.writeFileSync(csv, responses(paper));
    await page.goto(base + '/home');
    await page.selectOption('select[name=kind]', 'responses');
    await page.setInputFiles('input[name=file]', csv);
    await Promise.all([page.waitForURL(/\/home\?ok=/), page.click('button:has-text("加密并上传")')]);
    expect((await page.textContent('.ok')).includes('已收到第 2 号上传'), 'the responses are received');
    ok('administrator: response file sealed in Chromium and uploaded');

    // ---- what the portal stored and sends on: ciphertext only
    run(portalBin, ['--dir', pdir, 'inbox', '--out', path.join(tmp, 'in-1.qbx')]);
    const inbox = fs.readFileSync(path.join(tmp, 'in-1.qbx'));
    const body = inbox.subarray(inbox.indexOf(0x0a, inbox.indexOf(0x0a) + 1) + 1);
    const magic = Buffer.from('QBANK-UPLOAD/1\n');
    expect(body.indexOf(magic) === 0 && body.indexOf(magic, 1) > 0, 'both uploads the portal stored are QBANK-UPLOAD/1');
    for (const s of ['交流接触器的吸引线圈额定电压', '运行中按下停止按钮SB1', '<svg', paper.copy.copy, '320102202612']) {
      expect(!body.includes(Buffer.from(s)), `an upload reached the portal readable: ${s}`);
    }
    ok('the uploads as the portal stored them: QBANK-UPLOAD/1 ciphertext, no stem, figure, copy code or candidate number');

    // ---- into the vault and back
    run(qbank, ['portal', 'pin', '--key', path.join(pdir, 'portal.pub'), '--fingerprint', fp], vault);
    const imported = run(qbank, ['portal', 'inbox', path.join(tmp, 'in-1.qbx')], vault);
    expect(imported.includes('上传 2 件，接收 2 件，退回 0 件'), `the vault takes both uploads: ${imported}`);
    expect(imported.includes('已进入审核队列：2 道试题'), `the writer's questions are queued: ${imported}`);
    expect(/试题质量分析：2 个文件、62 名考生/.test(imported), `the responses join the analysis: ${imported}`);
    const queue = JSON.parse(run(qbank, ['review', 'list', '--json'], vault));
    const fq = (Array.isArray(queue) ? queue : queue.items || []).find((q) => (q.id || q.item) === 'PB5-F001');
    expect(fq, `PB5-F001 is in the review queue: ${JSON.stringify(queue).slice(0, 300)}`);
    run(qbank, ['portal', 'outbox', '--out', path.join(tmp, 'out-2.qbx'), '--packages', 'demo/sitting/packages'], vault);
    run(portalBin, ['--dir', pdir, 'import', path.join(tmp, 'out-2.qbx')]);
    await wr.goto(base + '/home');
    expect((await wr.textContent('main')).includes('鉴定中心已接收'), 'the writer sees the bureau accepted the questions');
    ok('inbox into the vault: Chromium\'s sealing opened by Rust, 2 questions queued (one with its figure), 24 candidates more analysed; receipt shown');

    // ---- the administrator switches on one-time codes: QR code, first code, then needed
    await page.goto(base + '/home');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/totp"]')]);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("开始设置")')]);
    const qr = await page.$('figure.qr svg');
    const box = qr && await qr.boundingBox();
    expect(box && box.width >= 150 && box.height >= 150, `the QR code is shown (${JSON.stringify(box)})`);
    const secret = (await page.textContent('figure.qr code')).replace(/\s+/g, '');
    expect(/^[A-Z2-7]{32}$/.test(secret), `the secret in Base32: ${secret}`);
    if (process.env.QBANK_SCREENS === '1') await page.screenshot({ path: 'docs/screens/portal-totp.png', fullPage: true });
    await page.fill('input[name=code]', totp(secret, 0));
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("确认启用")')]);
    expect((await page.textContent('.ok')).includes('已启用动态口令'), 'codes switched on');
    const tryLogin = async (code) => {
      const ctx = await context();
      const p = await ctx.newPage();
      await p.goto(base + '/login');
      await p.fill('input[name=login]', 'jl-admin');
      await p.fill('input[name=password]', '金陵考点2026秋季');
      if (code) await p.fill('input[name=totp]', code);
      await Promise.all([p.waitForNavigation(), p.click('button:has-text("登录")')]);
      const at = new URL(p.url()).pathname;
      const text = at === '/home' ? '' : await p.textContent('.error');
      await ctx.close();
      return [at, text];
    };
    let [at, why] = await tryLogin('');
    expect(at === '/login' && why.includes('动态口令'), `the password alone is refused once codes are on: ${at} ${why}`);
    // one code, typed twice (computed once: a 30 s step may pass between the two sign-ins)
    const next = totp(secret, 1);
    [at] = await tryLogin(next);
    expect(at === '/home', `password and the app's code sign in: ${at}`);
    [at, why] = await tryLogin(next);
    expect(at === '/login' && why.includes('已使用过'), `the same code twice is refused: ${at} ${why}`);
    clean();
    ok('administrator: one-time codes set up from the QR page; then the password alone, and a code used twice, are refused');

    // ---- the bureau's operator: the portal's state and its log
    run(portalBin, ['--dir', pdir, 'operator', '--login', 'ops-zhangwei', '--name', '张伟'], { QBANK_PORTAL_PASSWORD: '鉴定中心门户2026口令' });
    const opCtx = await context();
    const op = await opCtx.newPage();
    await op.goto(base + '/login');
    await op.fill('input[name=login]', 'ops-zhangwei');
    await op.fill('input[name=password]', '鉴定中心门户2026口令');
    await Promise.all([op.waitForNavigation(), op.click('button:has-text("登录")')]);
    const ov = await op.textContent('main');
    expect(/最近导入的数据包：第 [0-9]+ 号/.test(ov) && ov.includes('管理员已注册') && ov.includes('哈希链完整'), `the operator's overview: ${ov.slice(0, 400)}`);
    expect(ov.includes('启用动态口令') && ov.includes('登录被拒'), 'the log shows the codes switched on and the refused sign-ins');
    if (process.env.QBANK_SCREENS === '1') await op.screenshot({ path: 'docs/screens/portal-operator.png', fullPage: true });
    const opPkg = await op.request.get(`${base}/packages/${SITTING}/${A}.qpkg`);
    expect(opPkg.status() === 403, `the operator fetches no package: ${opPkg.status()}`);
    await opCtx.close();
    clean();
    ok('operator: overview of crossings, organisations and the log; no package for the operator');

    // ---- nothing readable in the portal's database; headers; logout
    // the database as it is on disk (SQLite) or as pg_dump writes it (PostgreSQL: bytea as hex)
    let db = Buffer.alloc(0);
    const url = process.env.QBANK_PORTAL_DATABASE || '';
    if (url.startsWith('postgres')) {
      db = Buffer.from(execFileSync('pg_dump', ['--data-only', url], { maxBuffer: 1 << 30 }));
      expect(db.includes(Buffer.from('COPY public.blobs')), 'pg_dump shows the portal\'s tables');
    } else {
      for (const f of ['portal.db', 'portal.db-wal']) if (fs.existsSync(path.join(pdir, f))) db = Buffer.concat([db, fs.readFileSync(path.join(pdir, f))]);
    }
    expect(db.length > 100000, `the database holds the packages (${db.length} bytes read)`);
    for (const stem of ['交流接触器的吸引线圈额定电压', '运行中按下停止按钮SB1', paper.sections[0].items[0].stem.slice(0, 12)]) {
      const hex = Buffer.from(Buffer.from(stem).toString('hex'));
      expect(!db.includes(Buffer.from(stem)) && !db.includes(hex), `the portal's database holds readable content: ${stem}`);
    }
    for (const r of responsesSeen) {
      const csp = r.headers['content-security-policy'] || '';
      expect(csp.includes("default-src 'none'") && csp.includes("script-src 'self'") && r.headers['x-content-type-options'] === 'nosniff',
        `security headers missing on ${r.url}`);
    }
    await ev.goto(base + '/home');
    await Promise.all([ev.waitForNavigation(), ev.click('button:has-text("退出")')]);
    const after = await ev.request.get(`${base}/packages/${SITTING}/${A}.qpkg`);
    expect(after.status() === 401, `after logout the package answers ${after.status()}`);
    await evCtx.close();
    await wrCtx.close();
    clean();
    ok(`no stem in the portal's database (${url.startsWith('postgres') ? 'PostgreSQL, pg_dump' : 'SQLite file and WAL'}); CSP and nosniff on ${responsesSeen.length} responses; logout ends the session`);
    passed = true;
  } catch (e) {
    console.error(`FAIL ${e instanceof CheckFailed ? e.message : e.stack}`);
  } finally {
    if (browser) await browser.close();
    if (server) server.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!passed) process.exit(1);
  console.log(`portal check passed in ${((Date.now() - T0) / 1000).toFixed(1)} s`);
})();
