import { test, expect } from '@playwright/test';
import {
  chooseRole, hydrated, logoPng, open, PASSWORD, signIn, signOut, signUp, submitBusiness, unique, expectFieldError
} from './helpers';

// Seed Step 2 and the console: role, business information with a logo, Submit, Under Review.

test('an ISV submits business information with a logo and sees the workspace Under Review', async ({ page }) => {
  const username = unique('isv');
  const company = `Acme ${username} Pte. Ltd.`;
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'ISV');

  await expect(page.getByText('This will become your workspace name automatically.')).toBeVisible();
  await page.getByLabel('Company Name').fill(company);
  await page.getByLabel('Business Address').fill('1 Raffles Place, #20-01');
  await page.getByLabel('Country/Region').fill('Singapore');
  await page.getByLabel('Business Representative').fill('Tan Wei Ling');
  await page.getByLabel('Business Logo (optional)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng(128) });
  await page.getByLabel('Website (optional)').fill('acme.example.com');
  await page.getByLabel('Customer Service Number (optional)').fill('+65 6123 4567');
  await page.getByLabel('Customer Service Email (optional)').fill('help@acme.example.com');
  await page.getByRole('checkbox', { name: /Terms of Service/ }).check();
  await page.getByRole('checkbox', { name: /Privacy Policy/ }).check();
  await page.getByRole('button', { name: 'Submit', exact: true }).click();

  await expect(page).toHaveURL(/\/onboarding\/submitted\?id=/);
  await expect(page.getByRole('heading', { name: 'Thank you, your request is submitted' })).toBeVisible();
  await expect(page.getByText('What happens next')).toBeVisible();

  await page.getByRole('link', { name: 'CONSOLE' }).last().click();
  await expect(page).toHaveURL(/\/console$/);
  const card = page.getByRole('link', { name: `${company}, Under Review` });
  await expect(card).toBeVisible();
  await expect(card.getByText('Under Review')).toBeVisible();
  const logo = card.locator('img');
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);

  await card.click();
  await expect(page.getByRole('heading', { name: company })).toBeVisible();
  await expect(page.getByText('Singapore')).toBeVisible();
  await expect(page.getByText('+6561234567')).toBeVisible();
  await page.getByRole('link', { name: 'Onboarding details' }).click();
  await expect(page.getByRole('heading', { name: 'Onboarding details' })).toBeVisible();
  await expect(page.getByText('Submitted for review')).toBeVisible();
});

test('wrong business information is explained field by field and nothing typed is lost', async ({ page }) => {
  const username = unique('merchant');
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'Merchant');
  await page.getByLabel('Company Name').fill('Half Ltd');
  await page.getByLabel('Website (optional)').fill('ftp://nope');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await expectFieldError(page, 'Business Address', 'Enter the business address.');
  await expectFieldError(page, 'Country/Region', 'Select the country or region where your company is registered.');
  await expectFieldError(page, 'Website (optional)', 'The website must start with http:// or https://.');
  await expectFieldError(page, /agree to the Privacy Policy/, 'Please read and agree to the Privacy Policy.');
  await expect(page.getByLabel('Company Name')).toHaveValue('Half Ltd');
});

test('a draft is resumed after signing out and in again', async ({ page }) => {
  const username = unique('draft');
  const company = `Resume ${username} Ltd`;
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'Merchant');
  await page.getByLabel('Company Name').fill(company);
  await page.getByLabel('Country/Region').fill('Japan');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Draft saved.')).toBeVisible();
  await signOut(page, username);

  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/console$/);
  const card = page.getByRole('link', { name: `${company}, Draft` });
  await expect(card).toBeVisible();
  await card.click();
  await expect(page).toHaveURL(/\/onboarding\/business$/);
  await expect(page.getByLabel('Company Name')).toHaveValue(company);
  await expect(page.getByLabel('Country/Region')).toHaveValue('Japan');

  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(page).toHaveURL(/\/onboarding\/role$/);
  await expect(page.getByRole('radio', { name: /^Merchant/ })).toBeChecked();
});

test('another user cannot open a workspace by its address', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const ownerName = unique('owner');
  const company = `Acme ${ownerName} Pte. Ltd.`;
  await signUp(owner, `${ownerName}@example.com`, ownerName);
  await chooseRole(owner, 'ISV');
  await submitBusiness(owner, company);
  const id = new URL(owner.url()).searchParams.get('id');
  expect(id).toBeTruthy();
  const address = `/workspaces/${id}`;
  // The address is right: its owner opens it.
  await open(owner, address);
  await expect(owner.getByRole('heading', { name: company })).toBeVisible();

  // Another signed-in user, in a browser of their own, gets "not found" and nothing of it.
  const other = await (await browser.newContext()).newPage();
  const otherName = unique('other');
  await signUp(other, `${otherName}@example.com`, otherName);
  for (const path of [address, `${address}/onboarding`]) {
    const response = await other.goto(path);
    expect(response?.status(), path).toBe(404);
    if (hydrated()) await expect(other.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(other.getByRole('heading', { name: 'Not found' })).toBeVisible();
    await expect(other.getByText('We could not find that workspace.')).toBeVisible();
    await expect(other.getByText(company)).toHaveCount(0);
  }
});

test('a signed-out visitor is asked to sign in before opening a workspace', async ({ page }) => {
  await open(page, '/workspaces/not-yours');
  await expect(page).toHaveURL(/\/signin\?next=/);
});
