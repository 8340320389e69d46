import { test, expect, Page } from '@playwright/test';
import { deflateSync } from 'node:zlib';
import { hydrated, open, PASSWORD, signIn, signOut, signUp, unique } from './helpers';

// Seed Step 2 and the console: role, business information with a logo, Submit, Under Review.

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
function logoPng(side: number): Buffer {
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

async function chooseRole(page: Page, role: 'ISV' | 'Merchant') {
  await expect(page.getByRole('heading', { name: 'Choose your role' })).toBeVisible();
  await page.getByRole('radio', { name: new RegExp(`^${role}`) }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/onboarding\/business$/);
  await expect(page.getByRole('heading', { name: 'Tell us about your business' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

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
  await expect(page.getByText('Enter the business address.')).toBeVisible();
  await expect(page.getByText('Select the country or region where your company is registered.')).toBeVisible();
  await expect(page.getByText('The website must start with http:// or https://.')).toBeVisible();
  await expect(page.getByText('Please read and agree to the Privacy Policy.')).toBeVisible();
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

test('another user cannot open a workspace by its address', async ({ page }) => {
  await open(page, '/workspaces/not-yours');
  await expect(page).toHaveURL(/\/signin\?next=/);
});
