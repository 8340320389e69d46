// The reviewers' queue at scale: for 1,000, 10,000 and 100,000 applications on SQLite and on
// PostgreSQL, each on a fresh database filled by `isv-portal seed-queue <N>`, the p99 of the
// queue's server function (the request the dashboard makes) for each filter, each sort, two
// searches and a page 90% deep, 200 requests each, one at a time. The budget: p99 at 100,000
// at most twice the p99 at 1,000, and at most 50 ms.
//
//   node bench/queue.mjs                 (or `queue()` from bench/portal.mjs)
//
// PORTAL_BIN (default target/server-release/isv-portal) and LEPTOS_SITE_ROOT as for
// bench/portal.mjs; QUEUE_SIZES=1000,10000 to measure fewer sizes; QUEUE_REQUESTS (200);
// BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432): PostgreSQL is skipped, with a note,
// when `psql` cannot reach it.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sleep, now, fmt, quantile, table, BIN, commandEnv, startPortal, createReviewer, ReviewerSignIns } from './common.mjs';

const PG = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const SIZES = (process.env.QUEUE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const REQUESTS = Number(process.env.QUEUE_REQUESTS ?? 200);
const WARM_UP = 10;
const BUDGET_RATIO = 2;
const BUDGET_MS = 50;


// ---- databases -------------------------------------------------------------------------------

function psql(sql) {
  const url = new URL(PG);
  return spawnSync('psql', ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-tAc', sql], {
    encoding: 'utf8', env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) },
  });
}

function postgresReachable() {
  const r = psql('SELECT 1');
  return r.status === 0 ? null : (r.error?.message ?? r.stderr.trim());
}

/** A fresh database of the backend for `n` applications: its URL and how to drop it. */
function freshDatabase(backend, n) {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'isv-bench-queue-'));
    return { url: `sqlite://${dir}/portal.db?mode=rwc`, drop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `isv_bench_queue_${n}`;
  for (const sql of [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]) {
    const r = psql(sql);
    if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  }
  return { url: `${PG}/${name}`, drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// ---- the portal ------------------------------------------------------------------------------

/** `seed-queue`: the span of the submission times it wrote (Unix ms). */
function seed(databaseUrl, n) {
  const started = now();
  const out = execFileSync(BIN, ['seed-queue', String(n)], { env: commandEnv(databaseUrl), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = out.match(/between (\d+) and (\d+)/);
  const to = m ? Number(m[2]) : Date.now();
  const from = m ? Number(m[1]) : to - 365 * 24 * 3600 * 1000;
  return { from, to, seconds: (now() - started) / 1000 };
}

/**
 * A signed-in reviewer's browser (the password, then two-step verification turned on, as a
 * reviewer must before reviewing): the session cookie, the portal's Origin, JSON answers.
 */
async function signIn(base, login) {
  const cookie = await new ReviewerSignIns(base, login).session();
  /** The queue as the dashboard asks for it (`review_queue`, POST form, JSON answer). */
  return async function queue(filters = {}) {
    const form = { status: '', role: '', country: '', q: '', sort: '', after: '', before: '', ...filters };
    const res = await fetch(`${base}/api/review/queue`, {
      method: 'POST',
      headers: { origin: base, accept: 'application/json', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`queue ${JSON.stringify(filters)}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
}

// ---- the measurement -------------------------------------------------------------------------

/** The kinds of request measured, in the table's order, from a first page and the seed's span. */
function kinds(first, span) {
  const row = first.rows[0];
  // A piece of a seeded address (`ops.<16 hex>@…`): a handful of rows at most.
  const email = row.email;
  const few = email.slice(email.indexOf('.') + 1).slice(0, 6);
  const start = row.company_name.toLowerCase().slice(0, 2);
  const deep = Math.round(span.from + 0.1 * (span.to - span.from));
  return [
    ['no filter, newest first', {}],
    ['no filter, oldest first', { sort: 'oldest' }],
    ['status: under review', { status: 'under_review' }],
    ['status: approved', { status: 'approved' }],
    ['status: rejected', { status: 'rejected' }],
    ['role: merchant', { role: 'merchant' }],
    ['country: common (SG)', { country: 'SG' }],
    ['country: rare (CL)', { country: 'CL' }],
    [`search, ≥ 3 characters ("${few}")`, { q: few }],
    [`search, 2 characters ("${start}")`, { q: start }],
    ['search, common ("example": every address)', { q: 'example' }],
    ['search, common, with status approved', { q: 'example', status: 'approved' }],
    ['status approved + rare country (CL)', { status: 'approved', country: 'CL' }],
    ['page 90% deep (cursor), newest first', { after: `${deep}.` }],
    ['page 90% deep (cursor), under review', { status: 'under_review', after: `${deep}.` }],
  ];
}

async function measure(queue, filters) {
  for (let i = 0; i < WARM_UP; i++) await queue(filters);
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = now();
    await queue(filters);
    times.push(now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** One backend at one size: { kind label → { p50, p99 } }. */
async function run(backend, n) {
  const db = freshDatabase(backend, n);
  try {
    const span = seed(db.url, n);
    console.error(`  ${backend} ${n}: seeded in ${fmt(span.seconds)} s`);
    createReviewer(db.url, 'queuebench');
    const portal = await startPortal(db.url);
    try {
      const queue = await signIn(portal.base, 'queuebench');
      const first = await queue();
      if (first.rows.length === 0) throw new Error('the seeded queue is empty');
      const results = new Map();
      for (const [label, filters] of kinds(first, span)) {
        // Labels name the search by its text, which differs per size: key by position.
        results.set(label.replace(/\(".*"\)/, ''), { label, ...(await measure(queue, filters)) });
      }
      return results;
    } finally {
      await portal.stop();
    }
  } finally {
    db.drop();
  }
}

/** The benchmark: a table per backend. */
export async function queue() {
  const backends = ['sqlite'];
  const pgProblem = postgresReachable();
  if (pgProblem) console.log(`\nPostgreSQL skipped (${PG} unreachable through psql: ${pgProblem})`);
  else backends.push('postgres');
  for (const backend of backends) {
    const bySize = new Map();
    for (const n of SIZES) {
      console.error(`==> queue: ${backend}, ${n.toLocaleString('en')} applications`);
      bySize.set(n, await run(backend, n));
    }
    const smallest = Math.min(...SIZES);
    const largest = Math.max(...SIZES);
    const keys = [...bySize.get(smallest).keys()];
    const rows = keys.map((key) => {
      const at = (n) => bySize.get(n).get(key);
      const ratio = at(largest).p99 / at(smallest).p99;
      const ok = ratio <= BUDGET_RATIO && at(largest).p99 <= BUDGET_MS;
      return [
        key.trim(),
        ...SIZES.map((n) => fmt(at(n).p99, 2)),
        fmt(at(largest).p50, 2),
        fmt(ratio, 2),
        ok ? 'within' : 'OVER',
      ];
    });
    table(
      `Review queue on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: p99 ms over ${REQUESTS} sequential requests`,
      ['query', ...SIZES.map((n) => `p99 ${n.toLocaleString('en')}`), `p50 ${largest.toLocaleString('en')}`, `ratio ${largest.toLocaleString('en')}/${smallest.toLocaleString('en')}`, `budget (≤ ${BUDGET_RATIO}×, ≤ ${BUDGET_MS} ms)`],
      rows,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  queue().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
