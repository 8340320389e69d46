import { Browser, expect, Locator, Page, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';

// Steps a person takes, shared by the specs: by role and label, with and without JavaScript.

export const PASSWORD = 'violet kettle 42 marathon';
export const NEW_PASSWORD = 'lantern orchard 77 pebble';

export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export const hydrated = () => test.info().project.name === 'hydrated';

/** Opens a page and, in the hydrated run, waits until the WASM has taken over. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  if (hydrated()) {
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  }
}

/** Reads the newest code mailed to `email` from the dev mailbox, in a second tab. */
export async function codeFor(page: Page, email: string, notBefore = 0): Promise<string> {
  const mailbox = await page.context().newPage();
  try {
    for (let i = 0; i < 50; i++) {
      await mailbox.goto('/dev/mailbox');
      const mails = mailbox.getByRole('listitem', { name: `Mail to ${email}`, exact: false });
      if ((await mails.count()) > notBefore) {
        const text = await mails.first().innerText();
        const m = text.match(/verification code is (\d{6})/);
        if (m) return m[1];
      }
      await mailbox.waitForTimeout(200);
    }
    throw new Error(`no code arrived for ${email}`);
  } finally {
    await mailbox.close();
  }
}

export async function mailCount(page: Page, email: string): Promise<number> {
  const mailbox = await page.context().newPage();
  await mailbox.goto('/dev/mailbox');
  const n = await mailbox.getByRole('listitem', { name: `Mail to ${email}`, exact: false }).count();
  await mailbox.close();
  return n;
}

/**
 * Gives this browser context an address of its own, as a trusted proxy would report it
 * (the e2e portal trusts 127.0.0.1): the per-client limits (30 codes an hour) then count each
 * person apart, as they would for real visitors, instead of the whole suite as one client.
 */
export async function ownAddress(page: Page) {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  await page.context().setExtraHTTPHeaders({
    'X-Forwarded-For': `10.${octet()}.${octet()}.${octet()}`,
  });
}

export async function signUp(page: Page, email: string, username: string) {
  await ownAddress(page);
  await open(page, '/');
  await page.getByRole('link', { name: 'GET STARTED' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByText('a 6-digit code is on its way')).toBeVisible();
  const code = await codeFor(page, email);

  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await page.getByLabel('Verification code').fill(code);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('checkbox', { name: /agree to the Terms of Service/ }).check();
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();

  await expect(page).toHaveURL(/\/onboarding\/role$/);
  await expect(page.getByRole('heading', { name: 'Choose your role' })).toBeVisible();
}

export async function signOut(page: Page, username: string) {
  await page.getByLabel(`Account menu for ${username}`).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'SIGN IN' }).first()).toBeVisible();
}

export async function signIn(page: Page, login: string, password: string) {
  await open(page, '/');
  await page.getByRole('link', { name: 'SIGN IN' }).first().click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}


function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(kind: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(kind, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A square, solid blue PNG logo of `side` pixels. */
export function logoPng(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(side * 3, 0)]);
  for (let x = 0; x < side; x++) row.set([22, 119, 255], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: side }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function chooseRole(page: Page, role: 'ISV' | 'Merchant') {
  await expect(page.getByRole('heading', { name: 'Choose your role' })).toBeVisible();
  await page.getByRole('radio', { name: new RegExp(`^${role}`) }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/onboarding\/business$/);
  await expect(page.getByRole('heading', { name: 'Tell us about your business' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}


/** Fills the business information (seed Step 2) with valid values and submits it. */
export async function submitBusiness(page: Page, company: string) {
  await page.getByLabel('Company Name').fill(company);
  await page.getByLabel('Business Address').fill('1 Raffles Place, #20-01');
  await page.getByLabel('Country/Region').fill('Singapore');
  await page.getByLabel('Business Representative').fill('Tan Wei Ling');
  await page.getByRole('checkbox', { name: /Terms of Service/ }).check();
  await page.getByRole('checkbox', { name: /Privacy Policy/ }).check();
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Thank you, your request is submitted' })).toBeVisible();
}

export const REVIEWER_PASSWORD = 'amber lantern 77 orbit';

/** Makes a reviewer the way an operator does: `isv-portal create-reviewer`, password on stdin. */
export function createReviewer(username: string) {
  const { execFileSync } = require('node:child_process');
  execFileSync('target/debug/isv-portal', ['create-reviewer', '--email', `${username}@platform.example`, '--username', username], {
    cwd: '..',
    input: `${REVIEWER_PASSWORD}\n`,
    env: { ...process.env, DATABASE_URL: 'sqlite://target/e2e/portal.db?mode=rwc', RUST_LOG: 'warn' },
  });
}

/**
 * On a reviewer's application page: ticks `field` ("Company Name") among the fields to change,
 * types the note on it (its box shows once the field is ticked), sends "Request changes", and
 * waits for the history to say so.
 */
export async function requestChanges(page: Page, field: string, note: string) {
  await page.getByRole('checkbox', { name: field, exact: true }).check();
  await page.getByLabel(`Note on ${field}`, { exact: true }).fill(note);
  await page.getByRole('button', { name: 'Request changes' }).click();
  await expect(page.locator('.history').getByText(`Changes requested: ${field} (${note})`)).toBeVisible();
}

/** The first web address in the newest mail to `email` whose subject contains `subject`. */
export async function linkInMail(page: Page, email: string, subject: string): Promise<string> {
  const mailbox = await page.context().newPage();
  try {
    for (let i = 0; i < 50; i++) {
      await mailbox.goto('/dev/mailbox');
      const mail = mailbox.getByRole('listitem', { name: `Mail to ${email}:`, exact: false }).filter({ hasText: subject }).first();
      if (await mail.count()) {
        const href = await mail.getByRole('link').first().getAttribute('href');
        if (href) return href;
      }
      await mailbox.waitForTimeout(200);
    }
    throw new Error(`no mail "${subject}" for ${email}`);
  } finally {
    await mailbox.close();
  }
}

/** `s` taken literally inside a regular expression. */
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A field's error after a failed submit, where a person meets it: as a link in the error
 * summary at the top of the form ("There is a problem"), and under the field, which is marked
 * invalid and described by it.
 */
export async function expectFieldError(scope: Page | Locator, label: string | RegExp, message: string) {
  const summary = scope.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary.getByRole('link', { name: new RegExp(esc(message)) })).toBeVisible();
  const field = typeof label === 'string' ? scope.getByLabel(label, { exact: true }) : scope.getByLabel(label);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(new RegExp(esc(message)));
}

/** An approved workspace, and its Owner's page (signed in, in a browser of their own). */
export interface Workspace {
  page: Page;
  username: string;
  company: string;
  id: string;
}

/** A reviewer made by `createReviewer`, and their authenticator app and recovery codes. */
export interface Reviewer {
  page: Page;
  name: string;
  app: Authenticator;
  codes: string[];
}

/**
 * A reviewer made by `createReviewer`, signed in in a browser of their own: the password lands
 * on `/account/second-factor` (reviewers must turn two-step verification on before anything
 * else), they turn it on, then open the review dashboard.
 */
export async function newReviewer(browser: Browser): Promise<Reviewer> {
  const name = unique('rev');
  createReviewer(name);
  const page = await (await browser.newContext()).newPage();
  await ownAddress(page);
  await signIn(page, name, REVIEWER_PASSWORD);
  await expect(page).toHaveURL(/\/account\/second-factor$/);
  const { app, codes } = await enrolSecondFactor(page, REVIEWER_PASSWORD);
  await open(page, '/review');
  await expect(page).toHaveURL(/\/review$/);
  await expect(page.getByRole('heading', { name: 'Review dashboard' })).toBeVisible();
  return { page, name, app, codes };
}

/** A reviewer (`newReviewer`) on the review dashboard, in a browser of their own. */
export async function reviewerPage(browser: Browser): Promise<Page> {
  return (await newReviewer(browser)).page;
}

/** An ISV applies in a browser of their own and a reviewer approves: the Owner's page. */
export async function approvedWorkspace(browser: Browser): Promise<Workspace> {
  const username = unique('owner');
  const company = `Acme ${username} Pte. Ltd.`;
  const page = await (await browser.newContext()).newPage();
  await ownAddress(page);
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'ISV');
  await submitBusiness(page, company);
  const id = new URL(page.url()).searchParams.get('id');
  expect(id).toBeTruthy();

  const reviewer = await reviewerPage(browser);
  await open(reviewer, '/review?status=under_review');
  await reviewer.getByRole('link', { name: company }).click();
  await expect(reviewer.getByRole('heading', { name: company })).toBeVisible();
  if (hydrated()) await expect(reviewer.locator('body[data-hydrated="true"]')).toBeAttached();
  await reviewer.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.locator('.history').getByText('Approved', { exact: true })).toBeVisible();
  await reviewer.context().close();
  return { page, username, company, id: id! };
}

/** The members table's line for `email` (a member or an invitation). */
export const teamLine = (page: Page, email: string) =>
  page.getByRole('table', { name: 'Team' }).getByRole('row', { name: email });

/** Fills the members page's invite form and sends it; checks the notice each kind of page gives. */
export async function invite(page: Page, emails: string[], role: 'Admin' | 'Developer' | 'Operator') {
  await page.getByLabel('Email addresses').fill(emails.join('\n'));
  await page.getByRole('radio', { name: new RegExp(`^${role}`) }).check();
  await page.getByRole('button', { name: 'Send invitations' }).click();
  if (hydrated()) {
    // The action's answer names every address.
    const notice = page.getByRole('status').filter({ hasText: 'Invitations sent to' });
    await expect(notice).toBeVisible();
    for (const e of emails) await expect(notice).toContainText(e);
  } else {
    // A plain post is redirected to `?invited=n`.
    const said = emails.length === 1 ? '1 invitation was sent.' : `${emails.length} invitations were sent.`;
    await expect(page.getByRole('status').filter({ hasText: said })).toBeVisible();
  }
}

// ---- Two-step verification (RFC 6238), as a phone's authenticator app does it.

const TOTP_STEP_MS = 30_000;
/**
 * How long before its step ends a code of the step before is no longer given: the portal takes
 * it only while the clock is still in the current step, and typing it and sending the form
 * takes a moment (no-JS page loads, the hydrated action's round trip).
 */
const TOTP_LATE_MS = 10_000;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (spaces, as the setup page groups the key, ignored). */
function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
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

/** RFC 4226's code of `counter`: HMAC-SHA-1, dynamic truncation, six digits. */
function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

/**
 * An authenticator app holding one account's secret (RFC 6238: SHA-1, six digits, 30-second
 * steps), as a phone has it after scanning the setup page. The portal takes a code of the
 * current step or one either side, each step once per account, and none older than one it
 * took: so `nextCode` never gives a step twice, starts from the step before the current one,
 * and waits for the clock when it would need a step beyond the next one (a fourth code within
 * one 30-second window waits up to half a minute).
 */
export class Authenticator {
  private readonly secret: Buffer;
  private last = Number.NEGATIVE_INFINITY;

  /** From the key the setup page shows (`code.setup-key`: base32 in groups of four). */
  constructor(key: string) {
    this.secret = base32Decode(key);
    if (this.secret.length === 0) throw new Error(`no key in "${key}"`);
  }

  /** The code the app shows during time step `step` (30-second steps since 1970). */
  codeAt(step: number): string {
    return hotp(this.secret, step);
  }

  /** A code the portal has not seen from this app (see the class). */
  async nextCode(): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / TOTP_STEP_MS);
      const earliest = now % TOTP_STEP_MS < TOTP_STEP_MS - TOTP_LATE_MS ? current - 1 : current;
      const step = Math.max(earliest, this.last + 1);
      if (step <= current + 1) {
        this.last = step;
        return this.codeAt(step);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The code `nextCode` gave last: once the portal took it, typing it again is refused. */
  lastCode(): string {
    if (!Number.isFinite(this.last)) throw new Error('this app has given no code yet');
    return this.codeAt(this.last);
  }
}

export const SECOND_FACTOR_WRONG_CODE =
  'That code is not right, or was already used. Wait for the next code and try again.';

/**
 * Turns two-step verification on for the signed-in person, as they do it on
 * `/account/second-factor` (opened first unless the page is there already; after a sign-in,
 * wait for its redirect before calling this): "Set up an authenticator app", the key typed into
 * the app, the account's `password` and the app's code, "Turn on", the ten recovery codes read, "I have saved my recovery codes".
 * With and without JavaScript alike (the forms post and the page comes back). Gives the app,
 * for later codes, and the recovery codes as shown (`abcde-fghjk`).
 */
export async function enrolSecondFactor(page: Page, password: string): Promise<{ app: Authenticator; codes: string[] }> {
  if (new URL(page.url()).pathname !== '/account/second-factor') await open(page, '/account/second-factor');
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('heading', { name: 'Set up your authenticator app' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const key = (await page.locator('code.setup-key').innerText()).trim();
  // The link for an app on this device carries the same key.
  await expect(page.getByRole('link', { name: 'Open in an authenticator app on this device' }))
    .toHaveAttribute('href', new RegExp(`^otpauth://totp/.*[?&]secret=${key.replace(/\s+/g, '')}(&|$)`));
  const app = new Authenticator(key);

  await page.getByLabel('Current password', { exact: true }).fill(password);
  await page.getByLabel('Code from the app', { exact: true }).fill(await app.nextCode());
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  const list = page.getByRole('list', { name: 'Save your recovery codes' });
  await expect(list).toBeVisible();
  const codes = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);

  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(list).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Authenticator app', exact: true })).toBeVisible();
  return { app, codes };
}

/**
 * On the sign-in's second step (`/signin/code`, after the password): types `code`, from the app
 * or a recovery code, and presses Verify. The caller checks where it led.
 */
export async function enterSignInCode(page: Page, code: string) {
  await expect(page).toHaveURL(/\/signin\/code(\?|$)/);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Authentication code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}
