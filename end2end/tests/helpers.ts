import { expect, Page, test } from '@playwright/test';

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

export async function signUp(page: Page, email: string, username: string) {
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

