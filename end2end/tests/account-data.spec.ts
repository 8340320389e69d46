import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
  chooseRole, hydrated, linkInMail, open, PASSWORD, signIn, signUp, submitBusiness, unique, expectFieldError
} from './helpers';

// The account page's data sections: "Export my data" (a JSON file to download) and "Delete my
// account" (the password first; then signed out everywhere, for good).

async function openAccount(page: Page, username: string) {
  await page.getByLabel(`Account menu for ${username}`).click();
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

test('Download my data gives a JSON file with the account and its application', async ({ page }) => {
  const username = unique('export');
  const email = `${username}@example.com`;
  const company = `Export ${username} Ltd`;
  await signUp(page, email, username);
  await chooseRole(page, 'Merchant');
  await submitBusiness(page, company);
  await openAccount(page, username);

  const section = page.getByRole('region', { name: 'Export my data' });
  await expect(section.getByText('A JSON file with your account')).toBeVisible();
  // A plain link with `download`: the browser fetches it, with or without JavaScript.
  const downloading = page.waitForEvent('download');
  await section.getByRole('link', { name: 'Download my data (JSON)' }).click();
  const download = await downloading;
  expect(await download.failure()).toBeNull();
  expect(download.suggestedFilename()).toBe(`isv-portal-data-${username}.json`);
  const text = readFileSync(await download.path(), 'utf8');
  const data = JSON.parse(text);
  expect(data.format).toBe('isv-portal export 1');
  expect(data.account.email).toBe(email);
  expect(data.account.username).toBe(username);
  expect(data.acceptances.some((a: { document: string }) => a.document === 'terms')).toBe(true);
  expect(data.applications).toHaveLength(1);
  expect(data.applications[0].company_name).toBe(company);
  expect(data.applications[0].status).toBe('under_review');
  // Never the password's hash.
  expect(text).not.toContain('$argon2');

  // The page stayed where it was.
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByLabel(`Account menu for ${username}`)).toBeVisible();
});

test('Delete my account: a wrong password is refused, the right one signs out for good', async ({ page }) => {
  const username = unique('leaver');
  const email = `${username}@example.com`;
  await signUp(page, email, username);
  await openAccount(page, username);

  const section = page.getByRole('region', { name: 'Delete my account' });
  await expect(section.getByText('This cannot be undone.')).toBeVisible();
  await section.getByLabel('Password', { exact: true }).fill('not my password at all');
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expectFieldError(section, 'Password', 'Your current password is not right.');
  // Nothing happened: still here, still signed in.
  await expect(page).toHaveURL(/\/account(\?|$)/);
  await expect(page.getByLabel(`Account menu for ${username}`)).toBeVisible();

  await section.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/(\?account_deleted=1)?$/);
  await expect(page.getByRole('link', { name: 'SIGN IN' }).first()).toBeVisible();
  await expect(page.getByLabel(`Account menu for ${username}`)).toHaveCount(0);

  // A notice went to the old address; its link offers to sign up again.
  const link = await linkInMail(page, email, 'account was deleted');
  expect(link).toMatch(/\/signup$/);

  // The account page now asks to sign in, and the old e-mail and password no longer do.
  await open(page, '/account');
  await expect(page).toHaveURL(/\/signin\?next=/);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: 'Incorrect email, username or password.' })).toBeVisible();
  await expect(page.getByLabel(`Account menu for ${username}`)).toHaveCount(0);
});
