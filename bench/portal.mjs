// Benchmarks of the portal, each one command (see bench/run), each printing a table whose
// figures are ratios against a baseline measured in the same run (machines are noisy).
//
//   node bench/portal.mjs weight | hydration | ssr | live | hashing | startup | memory
//
// The portal under test is the release binary and site that `cargo leptos build --release`
// makes (PORTAL_BIN, default target/server-release/isv-portal), on a fresh SQLite file (and
// PostgreSQL for the two-instance live run, when it is reachable). Load comes from `wrk`.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import { queue } from './queue.mjs';
import {
  sleep, now, fmt, quantile, table, BIN, SITE_ROOT, PASSWORD, startPortal, createReviewer, freePort, ReviewerSignIns,
} from './common.mjs';



// ---- the portal as a process -------------------------------------------------------------

function sqliteUrl() {
  const dir = mkdtempSync(join(tmpdir(), 'isv-bench-'));
  return `sqlite://${dir}/portal.db?mode=rwc`;
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

function hwmKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+)/)[1]);
}

/**
 * The portal's resident memory around one piece of work: before, its peak during (the kernel's
 * high-water mark, reset first, so even a load run by a blocking `wrk` is seen), and after.
 */
async function measured(pid, work, settleMs = 500) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = rssKiB(pid);
  const result = await work();
  const peak = hwmKiB(pid);
  await sleep(settleMs);
  return { result, mem: { before, peak: Math.max(peak, before), after: rssKiB(pid) } };
}

const mb = (kib) => fmt(kib / 1024, 1);
const memCell = (m) => `${mb(m.before)} / ${mb(m.peak)} / ${mb(m.after)}`;
const MEM_HEADER = 'portal RSS MB before / peak / after';

/** A browser: cookies, the portal's Origin, JSON answers. */
class Browser {
  constructor(base) { this.base = base; this.cookie = ''; }
  headers(extra = {}) {
    return { origin: this.base, accept: 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}), ...extra };
  }
  keep(r) {
    const set = r.headers.getSetCookie?.() ?? [];
    for (const c of set) if (c.startsWith('isv_session=')) this.cookie = c.split(';')[0];
  }
  async post(path, form) {
    const r = await fetch(this.base + path, {
      method: 'POST', redirect: 'manual',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams(form).toString(),
    });
    this.keep(r);
    return r;
  }
  async multipart(path, form) {
    const data = new FormData();
    for (const [k, v] of Object.entries(form)) data.append(k, v);
    const r = await fetch(this.base + path, { method: 'POST', redirect: 'manual', headers: this.headers(), body: data });
    this.keep(r);
    return r;
  }
}

async function codeFromMailbox(base, email) {
  for (let i = 0; i < 200; i++) {
    const html = await (await fetch(`${base}/dev/mailbox`)).text();
    const at = html.indexOf(`Mail to ${email}:`);
    if (at >= 0) {
      const m = html.slice(at).match(/verification code is (\d{6})/);
      if (m) return m[1];
    }
    await sleep(20);
  }
  throw new Error(`no code for ${email}`);
}

async function signUp(base, username) {
  const b = new Browser(base);
  const email = `${username}@example.com`;
  let r = await b.post('/api/accounts/send_sign_up_code', { email });
  if (!r.ok) throw new Error(`send code: ${r.status} ${await r.text()}`);
  const code = await codeFromMailbox(base, email);
  r = await b.post('/api/accounts/sign_up', { email, code, username, password: PASSWORD, terms: 'yes' });
  if (!r.ok) throw new Error(`sign up: ${r.status} ${await r.text()}`);
  return b;
}

async function submitApplication(b, company) {
  await b.post('/api/onboarding/choose_role', { role: 'isv' });
  const draft = await (await b.post('/api/onboarding/draft', {})).json();
  const r = await b.multipart('/api/onboarding/submit_business', {
    application_id: draft.id, company_name: company,
    business_address: '1 Raffles Place, #20-01', country: 'SG', representative: 'Tan Wei Ling',
    agree_terms: 'yes', agree_privacy: 'yes',
  });
  if (!r.ok) throw new Error(`submit: ${r.status} ${await r.text()}`);
  return draft.id;
}

/**
 * A new signed-in session of `reviewer` (a `ReviewerSignIns`: the first with the password and
 * two-step verification turned on, the later ones with the password and a recovery code).
 */
async function signIn(reviewer) {
  const b = new Browser(reviewer.base);
  b.cookie = await reviewer.session();
  return b;
}

// ---- load from wrk ---------------------------------------------------------------------------

function wrk(url, { connections = 50, seconds = 10, headers = {}, script, threads = 2 } = {}) {
  const args = ['-t', String(Math.min(threads, connections)), '-c', String(connections), '-d', `${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  const out = spawnSync('wrk', args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stderr);
  const rps = Number(out.stdout.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const unit = (v, u) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[u]);
  const p = (q) => { const m = out.stdout.match(new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`)); return m ? unit(m[1], m[2]) : NaN; };
  const non2xx = Number(out.stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = out.stdout.match(/Socket errors: .*/)?.[0] ?? '';
  return { rps, p50: p(50), p99: p(99), non2xx, errors };
}

function wrkAsync(url, options) {
  // wrk in a child process, so two loads run at once.
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '__wrk', JSON.stringify({ url, options })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`wrk exited ${code}`))));
  });
}

// ---- the benchmarks -------------------------------------------------------------------------

/** One GET as a browser sends it (brotli or gzip welcome): status, headers and the bytes that crossed the wire. */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'accept-encoding': 'br, gzip', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, wire: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

/** What a body is once decoded, whatever encoding it crossed the wire in. */
function decoded({ headers, wire }) {
  const enc = headers['content-encoding'];
  if (enc === 'br') return zlib.brotliDecompressSync(wire);
  if (enc === 'gzip') return zlib.gunzipSync(wire);
  return wire;
}

const brotli11 = (buf) => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/**
 * The files a page makes the browser load: the stylesheet, the JavaScript and the WASM its
 * hydration script names (with or without content hashes). Each must be there: a missing one
 * fails the benchmark instead of shrinking the total.
 */
function assetsOf(html) {
  const refs = new Set([...html.matchAll(/["'(](\/pkg\/[^"')\s]+\.(?:js|wasm|css))["')]/g)].map((m) => m[1]));
  for (const kind of ['js', 'wasm', 'css']) {
    if (![...refs].some((r) => r.endsWith(`.${kind}`))) throw new Error(`the page names no .${kind} file under /pkg/`);
  }
  return [...refs].sort();
}

async function firstAndRepeat(base, path, cookie) {
  const headers = cookie ? { cookie } : {};
  const page = await rawGet(base + path, headers);
  if (page.status !== 200) throw new Error(`${path}: ${page.status}`);
  const html = decoded(page).toString();
  const rows = [[`${path} (HTML)`, html.length, page.wire.length, brotli11(Buffer.from(html)), page.headers['content-encoding'] ?? 'none', page.headers['cache-control'] ?? '']];
  let repeat = page.wire.length;
  for (const ref of assetsOf(html)) {
    const r = await rawGet(base + ref);
    if (r.status !== 200) throw new Error(`${ref}: ${r.status} (every asset must answer 200)`);
    const body = decoded(r);
    const cc = r.headers['cache-control'] ?? '';
    rows.push([ref, body.length, r.wire.length, brotli11(body), r.headers['content-encoding'] ?? 'none', cc]);
    // The repeat visit: an immutable file is not asked for again; anything else revalidates
    // (a 304 carries no body) or downloads again.
    if (!/immutable/.test(cc) || !/max-age=\d{6,}/.test(cc)) {
      const again = await rawGet(base + ref, r.headers.etag ? { 'if-none-match': r.headers.etag } : r.headers['last-modified'] ? { 'if-modified-since': r.headers['last-modified'] } : {});
      if (again.status !== 200 && again.status !== 304) throw new Error(`${ref} again: ${again.status}`);
      repeat += again.wire.length;
    }
  }
  return { rows, first: rows.reduce((s, r) => s + r[2], 0), repeat };
}

// ---- the baseline app (bench/baseline: one page, one form, one server function) ----------

const BASELINE_DIR = 'bench/baseline';
const BASELINE_BIN = process.env.BASELINE_BIN ?? `${BASELINE_DIR}/target/server-release/bench-baseline`;

async function startBaseline() {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = now();
  const proc = spawn(BASELINE_BIN.replace(`${BASELINE_DIR}/`, ''), [], {
    cwd: BASELINE_DIR,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'bench-baseline',
      LEPTOS_HASH_FILES: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    try {
      const r = await fetch(`${base}/signup`);
      if (r.ok) break;
    } catch {}
    if (now() - started > 30_000) throw new Error(`the baseline app (${BASELINE_BIN}) did not start`);
    await sleep(5);
  }
  return { proc, base, pid: proc.pid, stop: () => proc.kill('SIGTERM') };
}

async function weight() {
  const baselineApp = await startBaseline();
  let baseline;
  try { baseline = await firstAndRepeat(baselineApp.base, '/signup'); } finally { baselineApp.stop(); }
  table('1. Baseline: the minimal Leptos 0.8 app (bench/baseline), /signup', ['resource', 'bytes', 'bytes on the wire', 'brotli-11 bytes', 'content-encoding', 'cache-control'],
    [...baseline.rows, ['**total on the wire**', '', baseline.first, '', '', '']]);
  const portal = await startPortal(sqliteUrl());
  try {
    writeFileSync(`/proc/${portal.pid}/clear_refs`, '5');
    const memBefore = rssKiB(portal.pid);
    const signup = await firstAndRepeat(portal.base, '/signup');
    const header = ['resource', 'bytes', 'bytes on the wire', 'brotli-11 bytes', 'content-encoding', 'cache-control'];
    table('1. First-load weight of /signup (release build; as served to a browser that accepts br, gzip)', header,
      [...signup.rows, ['**total on the wire**', '', signup.first, '', '', ''],
        ['budget 150 KB', '', `${fmt(signup.first / (150 * 1024), 2)} × budget (${signup.first <= 150 * 1024 ? 'met' : 'missed'})`, '', '', ''],
        ['ratio to the baseline app (goal ≤ 1.0)', '', fmt(signup.first / baseline.first, 2), '', '', ''],
        [`${MEM_HEADER}, serving these`, memCell({ before: memBefore, peak: hwmKiB(portal.pid), after: rssKiB(portal.pid) }), '', '', '', '']]);
    const routes = [];
    for (const path of ['/', '/signup', '/signin', '/forgot-password', '/terms', '/privacy', '/accessibility']) {
      const w = await firstAndRepeat(portal.base, path);
      routes.push([path, w.first, fmt(w.first / (250 * 1024), 2), w.repeat, w.repeat <= 10 * 1024 ? 'met' : 'missed']);
    }
    table('1, 3. First load and repeat visit per route (bytes on the wire)', ['route', 'first load', '× 250 KB budget', 'repeat visit', 'repeat ≤ 10 KB'], routes);
  } finally { portal.stop(); }
}

// ---- hydration on a slow phone ---------------------------------------------------------

/** Chromium, from the end-to-end tests' Playwright and Debian's browser. */
async function chromium() {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { chromium } = require('../end2end/node_modules/playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/**
 * From navigation start to `data-hydrated` on the page's body, on Chromium's "Slow 4G"
 * (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip) with the CPU slowed 4×, a fresh cache
 * each time. Milliseconds, one per run.
 */
async function hydrationTimes(browser, url, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // The moment the attribute appears, in the page's own clock (0 = navigation start).
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.body?.hasAttribute('data-hydrated')) {
          window.__hydratedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
    });
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-hydrated]', { timeout: 60_000 });
    const at = await page.evaluate(() => window.__hydratedAt);
    if (typeof at !== 'number') throw new Error(`${url}: the moment of hydration was not seen`);
    times.push(at);
    await context.close();
  }
  return times;
}

async function hydration() {
  const browser = await chromium();
  const baselineApp = await startBaseline();
  const portal = await startPortal(sqliteUrl());
  try {
    const runs = Number(process.env.HYDRATION_RUNS ?? 7);
    // Alternate, so drift on the machine falls on both alike.
    const base = [], ours = [];
    for (let i = 0; i < runs; i++) {
      base.push(...await hydrationTimes(browser, `${baselineApp.base}/signup`, 1));
      ours.push(...await hydrationTimes(browser, `${portal.base}/signup`, 1));
    }
    const median = (v) => quantile(v, 0.5);
    table(`2. Hydrated on a slow phone: navigation start → body[data-hydrated], Slow 4G + 4× CPU, fresh cache, ${runs} runs each`,
      ['app', 'median ms', 'max ms', 'ratio to baseline', 'budget ≤ 2,000 ms'],
      [['baseline app /signup', fmt(median(base), 0), fmt(Math.max(...base), 0), '1.00', ''],
        ['portal /signup', fmt(median(ours), 0), fmt(Math.max(...ours), 0), fmt(median(ours) / median(base), 2), median(ours) <= 2000 ? 'met' : 'missed']]);
  } finally { portal.stop(); baselineApp.stop(); await browser.close(); }
}

async function ssr() {
  const url = sqliteUrl();
  const portal = await startPortal(url);
  try {
    const b = await signUp(portal.base, 'benchuser');
    const workspace = await submitApplication(b, 'Bench Mini Apps Pte. Ltd.');
    createReviewer(url, 'benchreviewer');
    const reviewer = await signIn(new ReviewerSignIns(portal.base, 'benchreviewer'));
    const signin = await (await fetch(`${portal.base}/signin`)).text();
    const console_ = await fetch(`${portal.base}/console`, { headers: { cookie: b.cookie } });
    if (console_.status !== 200) throw new Error(`console: ${console_.status}`);
    writeFileSync(join(SITE_ROOT, 'bench-static.html'), 'x'.repeat(signin.length));
    const run = async (name, url, options) => {
      const { result, mem } = await measured(portal.pid, async () => wrk(url, options));
      return [name, result, mem];
    };
    const runs = [
      await run('static file (baseline)', `${portal.base}/bench-static.html`),
      await run('GET /signin', `${portal.base}/signin`),
      await run('GET /console (signed in)', `${portal.base}/console`, { headers: { cookie: b.cookie } }),
      await run('GET /workspaces/:id (signed in)', `${portal.base}/workspaces/${workspace}`, { headers: { cookie: b.cookie } }),
      await run('GET /review (reviewer)', `${portal.base}/review`, { headers: { cookie: reviewer.cookie } }),
    ];
    for (const [name, r] of runs) if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} answers were not 2xx`);
    const base = runs[0][1];
    table(`4. Server-side rendering at 50 connections, 10 s each (page ${signin.length} bytes)`,
      ['what', 'req/s', 'ratio to static', 'p50 ms', 'p99 ms', 'non-2xx', MEM_HEADER],
      runs.map(([n, r, m]) => [n, fmt(r.rps, 0), fmt(r.rps / base.rps, 2), fmt(r.p50, 2), fmt(r.p99, 2), r.non2xx, memCell(m)]));
  } finally {
    portal.stop();
    rmSync(join(SITE_ROOT, 'bench-static.html'), { force: true });
  }
}

/** Opens `n` event streams; resolves when all are open. */
/** Opens `n` streams spread over `cookies` (a session may hold 8 streams per instance). */
function openStreams(bases, cookies, n, onEvent, path = '/api/events') {
  const agents = bases.map(() => new http.Agent({ keepAlive: false, maxSockets: Infinity }));
  const streams = [];
  return new Promise((resolve, reject) => {
    let open = 0;
    for (let i = 0; i < n; i++) {
      const k = i % bases.length;
      const cookie = cookies[Math.floor(i / bases.length) % cookies.length];
      const req = http.get(`${bases[k]}${path}`, { agent: agents[k], headers: { cookie, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data:'));
            if (data) onEvent(i, JSON.parse(data.slice(5)), now());
          }
        });
        if (++open === n) resolve(streams);
      });
      req.on('error', reject);
      streams.push(req);
    }
  });
}

async function liveRun(label, bases, pids, databaseUrl, streamsWanted = 1000, decisions = 20) {
  const name = `live${Math.floor(Math.random() * 1e6)}`;
  createReviewer(databaseUrl, name);
  const signIns = new ReviewerSignIns(bases[0], name);
  const r2 = await signIn(signIns);
  const ids = [];
  for (let i = 0; i < decisions; i++) {
    const a = await signUp(bases[i % bases.length], `applicant${name}${i}`);
    ids.push(await submitApplication(a, `Live ${i} Pte. Ltd.`));
  }
  await sleep(300);
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = pids.map(rssKiB);
  const arrivals = new Map(); // application id -> [times]
  // A session holds at most 8 streams per instance: one reviewer session per 8 streams.
  const cookies = [];
  for (let i = 0; i < Math.ceil(streamsWanted / (8 * bases.length)); i++) cookies.push((await signIn(signIns)).cookie);
  await openStreams(bases, cookies, streamsWanted, (_, event, at) => {
    if (event.kind !== 'approved') return;
    if (!arrivals.has(event.application_id)) arrivals.set(event.application_id, []);
    arrivals.get(event.application_id).push(at);
  });
  await sleep(500);
  const after = pids.map(rssKiB);
  const latencies = [];
  const requestTimes = [];
  for (const id of ids) {
    const t0 = now();
    const r = await r2.post('/api/review/approve', { id, round: '1' });
    requestTimes.push(now() - t0);
    if (r.status !== 200) throw new Error(`decide: ${r.status} ${await r.text()}`);
    const deadline = now() + 5000;
    while ((arrivals.get(id)?.length ?? 0) < streamsWanted && now() < deadline) await sleep(1);
    const got = arrivals.get(id) ?? [];
    if (got.length < streamsWanted) throw new Error(`${got.length} of ${streamsWanted} streams got the event`);
    for (const at of got) latencies.push(at - t0);
  }
  const perStream = (after.reduce((s, v) => s + v, 0) - before.reduce((s, v) => s + v, 0)) / streamsWanted;
  const sum = (xs) => xs.reduce((s, v) => s + v, 0);
  const mem = { before: sum(before), peak: sum(pids.map(hwmKiB)), after: sum(pids.map(rssKiB)) };
  return { label, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: Math.max(...latencies),
    request: quantile(requestTimes, 0.5), perStream, mem };
}

async function live() {
  const rows = [];
  const url = sqliteUrl();
  const one = await startPortal(url);
  try {
    rows.push(await liveRun('SQLite, one process, 1,000 streams', [one.base], [one.pid], url));
  } finally { one.stop(); }
  // The issue's budget: 10,000 open dashboards on one instance.
  const url10k = sqliteUrl();
  const big = await startPortal(url10k);
  try {
    rows.push(await liveRun('SQLite, one process, 10,000 streams', [big.base], [big.pid], url10k, 10000, 10));
  } finally { big.stop(); }
  const pg = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
  const db = `isv_bench_${Date.now()}`;
  const created = spawnSync('psql', [`${pg}/postgres`, '-qc', `CREATE DATABASE ${db}`]);
  if (created.status === 0) {
    const pgUrl = `${pg}/${db}`;
    const a = await startPortal(pgUrl);
    const b = await startPortal(pgUrl);
    try {
      rows.push(await liveRun('PostgreSQL, two instances (decisions on one), 1,000 streams', [a.base, b.base], [a.pid, b.pid], pgUrl));
    } finally {
      a.stop(); b.stop();
      await sleep(500);
      spawnSync('psql', [`${pg}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${db}`]);
    }
  } else {
    console.log('(PostgreSQL unreachable: the two-instance run is skipped)');
  }
  table('6. Live latency: open dashboard streams (1,000: 20 decisions; 10,000: 10), from sending the decision to its event on every stream',
    ['setup', 'decision request p50 ms (baseline)', 'event p50 ms', 'event p99 ms', 'max ms', 'p99 / request', 'RSS per stream KiB', `${MEM_HEADER} (all instances, streams open after)`],
    rows.map((r) => [r.label, fmt(r.request), fmt(r.p50), fmt(r.p99), fmt(r.max), fmt(r.p99 / r.request, 2), fmt(r.perStream, 1), memCell(r.mem)]));
}

async function hashing() {
  const url = sqliteUrl();
  // 32 clients at once from one address would share one client budget (whose reservations
  // count attempts in flight); as behind a load balancer, each gets its own address.
  const portal = await startPortal(url, { TRUSTED_PROXIES: '127.0.0.1' });
  try {
    for (let i = 0; i < 32; i++) createReviewer(url, `hash${i}`);
    const script = join(mkdtempSync(join(tmpdir(), 'isv-wrk-')), 'signin.lua');
    writeFileSync(script, `
      local n = 0
      request = function()
        n = n + 1
        local body = "login=hash" .. (n % 32) .. "&password=${encodeURIComponent(PASSWORD)}"
        return wrk.format("POST", "/api/accounts/sign_in", {
          ["Content-Type"] = "application/x-www-form-urlencoded",
          ["X-Forwarded-For"] = "198.51.100." .. (n % 32 + 1),
          ["Origin"] = "${portal.base}", ["Accept"] = "application/json" }, body)
      end`);
    const idle = wrk(`${portal.base}/signin`, { connections: 1, seconds: 5 });
    const single = wrk(portal.base, { connections: 1, seconds: 5, script });
    const { result: [loaded, load], mem } = await measured(portal.pid, () => Promise.all([
      wrkAsync(`${portal.base}/signin`, { connections: 1, seconds: 8 }),
      wrkAsync(portal.base, { connections: 32, seconds: 10, script, threads: 2 }),
    ]));
    table('4. Password hashing under load (argon2id m=19456 t=2 p=1)',
      ['what', 'value', 'ratio'],
      [['GET /signin p99, idle (baseline)', `${fmt(idle.p99, 2)} ms`, '1.00'],
        ['GET /signin p99, 32 clients signing in', `${fmt(loaded.p99, 2)} ms`, `${fmt(loaded.p99 / idle.p99, 2)} (budget ≤ 3)`],
        ['sign-ins/s, one client (≈ one core hashing, baseline)', fmt(single.rps, 1), '1.00'],
        ['sign-ins/s, 32 clients', fmt(load.rps, 1), fmt(load.rps / single.rps, 2)],
        ['failed sign-ins under load', String(load.non2xx), ''],
        [`${MEM_HEADER} of the loaded run`, memCell(mem), '']]);
  } finally { portal.stop(); }
}

async function startup() {
  const url = sqliteUrl();
  const first = await startPortal(url);
  const b = await signUp(first.base, 'startupuser');
  await submitApplication(b, 'Startup Ltd');
  first.stop();
  await sleep(500);
  const baselines = [];
  const times = [];
  const peaks = [];
  for (let i = 0; i < 7; i++) {
    const t0 = now();
    spawnSync(BIN, ['--help'], { stdio: 'ignore' });
    baselines.push(now() - t0);
    const p = await startPortal(url);
    times.push(p.startup);
    peaks.push(hwmKiB(p.pid));
    p.stop();
    await new Promise((r) => p.proc.on('exit', r));
  }
  const median = quantile(times, 0.5);
  const base = quantile(baselines, 0.5);
  table('5. Start-up on an existing database: process start to first successful response (7 runs)',
    ['what', 'median ms', 'max ms', 'ratio'],
    [['`isv-portal --help` (process start, baseline)', fmt(base), fmt(Math.max(...baselines)), '1.00'],
      ['start to first 200', fmt(median), fmt(Math.max(...times)), `${fmt(median / base, 1)} (budget ≤ 500 ms: ${median <= 500 ? 'met' : 'missed'})`],
      ['portal peak RSS MB at its first 200 (median, max)', mb(quantile(peaks, 0.5)), mb(Math.max(...peaks)), '']]);
}

/** A square RGBA PNG of noise (incompressible): `side` 250 makes a file just under 256 KB. */
function noisePng(side) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0); ihdr.writeUInt32BE(side, 4); ihdr[8] = 8; ihdr[9] = 6;
  const raw = Buffer.alloc((side * 4 + 1) * side);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    if (i % (side * 4 + 1) === 0) { raw[i] = 0; continue; }
    seed = (seed * 1103515245 + 12345) >>> 0;
    raw[i] = seed >>> 24;
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))]);
}

async function inParallel(n, f) { return Promise.all(Array.from({ length: n }, (_, i) => f(i))); }

async function memory() {
  const url = sqliteUrl();
  // Behind a "proxy" (this machine), so each burst attempt can come from its own client and
  // every one of them reaches argon2 instead of being throttled.
  const portal = await startPortal(url, { TRUSTED_PROXIES: '127.0.0.1' });
  const rows = [];
  const BLOCK_MB = 19;
  // One hashing thread fewer than the cores, at least one (`server::crypto`).
  const permits = Math.max(1, ((await import('node:os')).availableParallelism?.() ?? 2) - 1);
  try {
    await fetch(`${portal.base}/signin`);
    await sleep(500);
    const idle = rssKiB(portal.pid);
    rows.push(['idle (baseline)', mb(idle), mb(hwmKiB(portal.pid)), mb(idle), '']);
    const afterBudget = idle * 1.1 + permits * BLOCK_MB * 1024;
    // During: at most 128 MB; afterwards: back within 10% of idle plus the hashing blocks.
    const check = (m) => [
      `peak ≤ 128: ${m.peak <= 128 * 1024 ? 'met' : 'missed'}`,
      `after ≤ ${mb(afterBudget)}: ${m.after <= afterBudget ? 'met' : 'missed'}`,
    ].join('; ');

    let r = await measured(portal.pid, async () => {
      for (let i = 0; i < 100; i++) await inParallel(10, () => fetch(`${portal.base}/signin`).then((x) => x.text()));
    });
    rows.push(['1,000 page loads (GET /signin, 10 at a time)', mb(r.mem.before), mb(r.mem.peak), mb(r.mem.after), '']);

    for (const n of [64, 256]) {
      r = await measured(portal.pid, () => inParallel(n, async (i) => {
        const res = await fetch(`${portal.base}/api/accounts/sign_in`, {
          method: 'POST',
          headers: { origin: portal.base, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': `198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}` },
          body: new URLSearchParams({ login: `nobody${n}x${i}`, password: 'not the password' }).toString(),
        });
        await res.text();
        return res.status;
      }), 4000);
      const refused = r.result.filter((s) => s !== 422).length;
      rows.push([`${n} parallel sign-in attempts (unknown users, each hashed)${refused ? `, ${refused} not 422` : ''}`,
        mb(r.mem.before), mb(r.mem.peak), mb(r.mem.after), check(r.mem)]);
    }

    // 20 applicants, each with a draft, upload a 256 KB logo at once.
    const logo = noisePng(250);
    const applicants = [];
    for (let i = 0; i < 20; i++) {
      const b = await signUp(portal.base, `logo${i}`);
      await b.post('/api/onboarding/choose_role', { role: 'isv' });
      const draft = await (await b.post('/api/onboarding/draft', {})).json();
      applicants.push([b, draft.id]);
    }
    r = await measured(portal.pid, () => inParallel(20, async (i) => {
      const [b, id] = applicants[i];
      const data = new FormData();
      data.append('application_id', id);
      data.append('company_name', `Logo ${i} Pte. Ltd.`);
      data.append('logo', new Blob([logo], { type: 'image/png' }), 'logo.png');
      const res = await fetch(`${portal.base}/api/onboarding/save_business`, { method: 'POST', redirect: 'manual', headers: b.headers(), body: data });
      await res.text();
      return res.status;
    }), 4000);
    const failed = r.result.filter((s) => s !== 200).length;
    rows.push([`20 parallel ${fmt(logo.length / 1024, 0)} KB logo uploads${failed ? `, ${failed} not 200` : ''}`,
      mb(r.mem.before), mb(r.mem.peak), mb(r.mem.after), check(r.mem)]);

    // Open event streams: a reviewer session may hold 8, so one session per 8 streams.
    const name = 'memreviewer';
    createReviewer(url, name);
    const signIns = new ReviewerSignIns(portal.base, name);
    for (const n of [1000, 10000]) {
      const cookies = [];
      for (let i = 0; i < Math.ceil(n / 8); i += 4) {
        const batch = await inParallel(Math.min(4, Math.ceil(n / 8) - i), () => signIn(signIns));
        cookies.push(...batch.map((b) => b.cookie));
      }
      await sleep(500);
      writeFileSync(`/proc/${portal.pid}/clear_refs`, '5');
      const before = rssKiB(portal.pid);
      const streams = await openStreams([portal.base], cookies, n, () => {});
      await sleep(1000);
      const open = rssKiB(portal.pid);
      const peak = hwmKiB(portal.pid);
      for (const s of streams) s.destroy();
      await sleep(1500);
      const perStream = ((open - before) / n);
      rows.push([`${n.toLocaleString('en')} open event streams (${fmt(perStream, 1)} KiB each; budget ≤ 16: ${perStream <= 16 ? 'met' : 'missed'})`,
        mb(before), mb(peak), `${mb(open)} open, ${mb(rssKiB(portal.pid))} closed`, '']);
    }
  } finally { portal.stop(); }
  // The floor, in the same run: 10,000 streams that only keep alive, on the baseline app
  // (axum + hyper as the portal, nothing of its own per stream).
  const baselineApp = await startBaseline();
  try {
    const n = 10000;
    await sleep(300);
    const before = rssKiB(baselineApp.pid);
    const streams = await openStreams([baselineApp.base], [''], n, () => {}, '/events');
    await sleep(1000);
    const open = rssKiB(baselineApp.pid);
    for (const s of streams) s.destroy();
    const perStream = (open - before) / n;
    rows.push([`baseline app (bench/baseline): ${n.toLocaleString('en')} keep-alive-only streams (${fmt(perStream, 1)} KiB each: the floor of axum + hyper)`,
      mb(before), '', `${mb(open)} open`, '']);
  } finally { baselineApp.stop(); }
  table(`6. Memory (release build; ${permits} hashing threads × ${BLOCK_MB} MiB argon2 blocks; "after" read 4 s after each burst)`,
    ['what', 'RSS MB before', 'peak MB', 'after MB', 'budget'], rows);
}

const which = process.argv[2];
if (which === '__wrk') {
  const { url, options } = JSON.parse(process.argv[3]);
  process.stdout.write(JSON.stringify(wrk(url, options)));
} else {
  const all = { weight, hydration, ssr, live, hashing, startup, memory, queue };
  const chosen = which && which !== 'all' ? [which] : Object.keys(all);
  for (const name of chosen) {
    if (!all[name]) { console.error(`unknown benchmark ${name}; one of ${Object.keys(all).join(', ')}`); process.exit(2); }
    await all[name]();
  }
}
