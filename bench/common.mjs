// What every benchmark script shares: time, quantiles, the markdown tables they print, and
// starting the portal under test.

import { spawn, execFileSync } from 'node:child_process';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const fmt = (n, d = 1) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d));

export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export function table(title, header, rows) {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

// ---- the portal under test: the release binary and site `cargo leptos build --release` makes

export const BIN = process.env.PORTAL_BIN ?? 'target/server-release/isv-portal';
export const SITE_ROOT = process.env.LEPTOS_SITE_ROOT ?? 'target/site';
export const PASSWORD = 'violet kettle 42 marathon';
const SECRET_KEY = 'bench-secret-key-bench-secret-key-0123456789';
let nextPort = 3700 + Math.floor(Math.random() * 400);
/** A port no other process of this run was given. */
export const freePort = () => nextPort++;

/** The settings of any `isv-portal` command on `databaseUrl`. */
export const commandEnv = (databaseUrl) => ({ ...process.env, DATABASE_URL: databaseUrl, SECRET_KEY, RUST_LOG: 'warn' });

/** The portal serving `databaseUrl` on a port of its own, once it answers. */
export async function startPortal(databaseUrl, extraEnv = {}) {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = now();
  const proc = spawn(BIN, [], {
    env: {
      ...commandEnv(databaseUrl),
      PUBLIC_URL: base,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: SITE_ROOT,
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'isv-portal',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => proc.once('exit', r));
  for (;;) {
    try {
      const r = await fetch(`${base}/terms`);
      if (r.ok) break;
    } catch {}
    if (proc.exitCode !== null) throw new Error(`the portal exited (${proc.exitCode})`);
    if (now() - started > 60_000) throw new Error('the portal did not start');
    await sleep(2);
  }
  // `stop` resolves once the process has exited (before its database is dropped, say).
  return { proc, base, pid: proc.pid, startup: now() - started, stop: () => { proc.kill('SIGTERM'); return exited; } };
}

/** An account made by the operator's command (no e-mail round trip, no per-client limits). */
export function createReviewer(databaseUrl, username) {
  execFileSync(BIN, ['create-reviewer', '--email', `${username}@example.com`, '--username', username], {
    input: `${PASSWORD}\n`, env: commandEnv(databaseUrl), stdio: ['pipe', 'ignore', 'inherit'],
  });
}
