// What every benchmark script shares: time, quantiles, the markdown tables they print, and
// starting the portal under test.

import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';

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

// ---- signing a reviewer in: reviewers must turn on two-step verification (RFC 6238) first

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOTP_STEP_MS = 30_000;

/** RFC 4648 base32 without padding (spaces, as the portal groups a key, ignored). */
function base32Decode(text) {
  const bytes = [];
  let value = 0;
  let bits = 0;
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const digit = BASE32.indexOf(c);
    if (digit < 0) throw new Error(`"${c}" is not a base32 digit (in "${text}")`);
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The six-digit code of 30-second step `step` (RFC 6238 over RFC 4226: HMAC-SHA-1, dynamic truncation). */
export function totpCode(secret, step) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * An authenticator app holding one account's secret, from the key the portal shows. The portal
 * takes each step's code once per account, and none of a step older than one it took, with
 * one step of clock skew either way: `nextCode` never gives a step twice, starts from the one
 * before the current (not in its last seconds, when it would arrive late), and waits for the
 * clock when it would need a step beyond the next one.
 */
export class Authenticator {
  constructor(key) {
    this.secret = base32Decode(key);
    this.last = -Infinity;
  }
  async nextCode() {
    for (;;) {
      const t = Date.now();
      const current = Math.floor(t / TOTP_STEP_MS);
      const earliest = t % TOTP_STEP_MS < TOTP_STEP_MS - 5_000 ? current - 1 : current;
      const step = Math.max(earliest, this.last + 1);
      if (step <= current + 1) {
        this.last = step;
        return totpCode(this.secret, step);
      }
      await sleep(250);
    }
  }
}

/** A form POST to a server function as the portal's own script sends it: its Origin, JSON answers. */
export function postForm(base, path, form = {}, cookie = '') {
  return fetch(`${base}${path}`, {
    method: 'POST', redirect: 'manual',
    headers: {
      origin: base, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
}

/** The `name=value` of the cookie `name` a response sets, or ''. */
export function setCookie(response, name) {
  return (response.headers.getSetCookie?.() ?? []).find((c) => c.startsWith(`${name}=`))?.split(';')[0] ?? '';
}

async function answer(what, response) {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${what}: ${response.status} ${text}`);
  return text;
}

/**
 * Turns on two-step verification for the session `cookie`, as `/account/second-factor` does:
 * begin, read the key, confirm the app's code. That session is then a reviewer's in full.
 * Gives the app and the ten recovery codes (as shown, `abcde-fghjk`).
 */
export async function enrolSecondFactor(base, cookie, password = PASSWORD) {
  await answer('second factor: begin', await postForm(base, '/api/second_factor/begin', {}, cookie));
  const setup = JSON.parse(await answer('second factor: status', await postForm(base, '/api/second_factor/status', {}, cookie))).setup;
  if (!setup?.key) throw new Error('second factor: no key to set up');
  const app = new Authenticator(setup.key);
  await answer('second factor: confirm', await postForm(base, '/api/second_factor/confirm', { current_password: password, code: await app.nextCode() }, cookie));
  const status = JSON.parse(await answer('second factor: status', await postForm(base, '/api/second_factor/status', {}, cookie)));
  await answer('second factor: saved', await postForm(base, '/api/second_factor/saved', {}, cookie));
  return { app, codes: status.new_codes };
}

/**
 * One reviewer (made by `createReviewer`, password `PASSWORD`) signed in as often as a benchmark
 * needs sessions (a session holds 8 event streams per instance). The first session signs in
 * with the password and turns two-step verification on. Every later sign-in needs the password
 * and a code, and an app code serves once per 30-second step: so the later ones use recovery
 * codes, ten per set, a new set made with the first session (the current password) whenever
 * one is used up. `session()` may run several at once (each takes a code of its own; a new set,
 * which voids the old one, waits until the codes taken from it are spent).
 */
export class ReviewerSignIns {
  constructor(base, login) {
    this.base = base;
    this.login = login;
    this.first = null;
    this.firstGiven = false;
    this.codes = [];
    this.spending = 0;
    this.renewing = null;
  }

  /** A new session's cookie (`isv_session=…`). */
  async session() {
    this.first ??= this.#enrol();
    const first = await this.first;
    if (!this.firstGiven) {
      this.firstGiven = true;
      return first;
    }
    const code = await this.#code();
    try {
      return await this.#withRecoveryCode(code);
    } finally {
      this.spending--;
    }
  }

  async #enrol() {
    const r = await postForm(this.base, '/api/accounts/sign_in', { login: this.login, password: PASSWORD });
    await answer('sign in', r);
    const cookie = setCookie(r, 'isv_session');
    if (!cookie) throw new Error('sign in: no session cookie');
    const { codes } = await enrolSecondFactor(this.base, cookie);
    this.codes = codes;
    return cookie;
  }

  /** A recovery code no other sign-in took, counted as being spent. */
  async #code() {
    // (The last code of a set is kept to make the next set: that asks for a code.)
    while (this.codes.length <= 1) {
      this.renewing ??= this.#renew().finally(() => { this.renewing = null; });
      await this.renewing;
    }
    this.spending++;
    return this.codes.shift();
  }

  async #renew() {
    while (this.spending > 0) await sleep(5);
    const cookie = await this.first;
    const code = this.codes.shift();
    await answer('new recovery codes', await postForm(this.base, '/api/second_factor/renew_codes', { password: PASSWORD, renew_code: code }, cookie));
    const status = JSON.parse(await answer('second factor: status', await postForm(this.base, '/api/second_factor/status', {}, cookie)));
    await answer('second factor: saved', await postForm(this.base, '/api/second_factor/saved', {}, cookie));
    this.codes = [...status.new_codes];
  }

  async #withRecoveryCode(code) {
    const r = await postForm(this.base, '/api/accounts/sign_in', { login: this.login, password: PASSWORD });
    await answer('sign in', r);
    const step = setCookie(r, 'isv_signin_step');
    if (!step) throw new Error('sign in: no code step');
    const s = await postForm(this.base, '/api/accounts/sign_in_step/code', { code }, step);
    await answer('sign in with a recovery code', s);
    const cookie = setCookie(s, 'isv_session');
    if (!cookie) throw new Error('sign in with a recovery code: no session cookie');
    return cookie;
  }
}
