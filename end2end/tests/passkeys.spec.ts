/**
 * Passkeys as the second step (WebAuthn), with Chromium's virtual authenticator (DevTools
 * protocol `WebAuthn`, user verification on): an ISV with two-step verification adds a passkey
 * with the password, signs out, and signs in with the password and then "Use a passkey"; the
 * passkey shows as used, and removing it needs the password. Without JavaScript the page says
 * adding one needs it, and the code step is the code field alone.
 *
 * The portal runs at `localhost` in the e2e suite (playwright.config.ts): a passkey belongs to
 * a domain name, never an IP address.
 */
import { test, expect, Page } from '@playwright/test';
import { enrolSecondFactor, expectFieldError, hydrated, open, PASSWORD, signIn, signOut, signUp, unique } from './helpers';

async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test('an ISV adds a passkey and signs in with it instead of a code', async ({ page }) => {
  test.setTimeout(90_000);
  const username = unique('pky');
  await signUp(page, `${username}@example.com`, username);
  await enrolSecondFactor(page, PASSWORD);
  const passkeys = page.getByRole('region', { name: 'Passkeys' });
  await expect(passkeys.getByText('No passkeys yet.')).toBeVisible();

  if (!hydrated()) {
    await expect(passkeys.getByText('Adding a passkey needs JavaScript in this browser.', { exact: false })).toBeVisible();
    await expect(passkeys.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);
    // The code step is the code field alone.
    await signOut(page, username);
    await signIn(page, username, PASSWORD);
    await expect(page).toHaveURL(/\/signin\/code$/);
    await expect(page.getByLabel('Authentication code', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Use a passkey' })).toHaveCount(0);
    return;
  }

  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  // The password is checked first, under its field.
  await passkeys.getByLabel('Passkey name').fill('Work laptop');
  await passkeys.getByLabel('Current password', { exact: true }).fill('not the password at all');
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expectFieldError(passkeys, 'Current password', 'Your current password is not right.');
  let { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(0);

  await passkeys.getByLabel('Current password', { exact: true }).fill(PASSWORD);
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey added.' })).toBeVisible();
  await expect(passkeys.getByRole('listitem').filter({ hasText: /^Work laptop, added .* · not used yet$/ })).toBeVisible();
  ({ credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId }));
  expect(credentials).toHaveLength(1);
  expect(credentials[0].rpId).toBe('localhost');
  await expect(page.getByRole('region', { name: 'Security history' }).getByRole('listitem')
    .filter({ hasText: 'A passkey was added' })).toHaveCount(1);

  // Signing in: the password, then the passkey; the console opens.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/signin\/code$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  await open(page, '/account/second-factor');
  await expect(passkeys.getByRole('listitem').filter({ hasText: /^Work laptop, added .* · last used / })).toBeVisible();

  // Removing it needs the password.
  await passkeys.getByLabel('Passkey to remove').selectOption({ label: 'Work laptop' });
  await passkeys.getByLabel('Current password', { exact: true }).last().fill(PASSWORD);
  await passkeys.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey removed.' })).toBeVisible();
  await expect(passkeys.getByText('No passkeys yet.')).toBeVisible();

  // With none left, the code step offers no passkey.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/signin\/code$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByLabel('Authentication code', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Use a passkey' })).toHaveCount(0);
});

test('a passkey prompt closed without an answer says so, and the code still works', async ({ page }) => {
  test.skip(!hydrated(), 'passkeys need JavaScript');
  const username = unique('pkc');
  await signUp(page, `${username}@example.com`, username);
  const { app } = await enrolSecondFactor(page, PASSWORD);
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const passkeys = page.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByLabel('Passkey name').fill('Phone');
  await passkeys.getByLabel('Current password', { exact: true }).fill(PASSWORD);
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey added.' })).toBeVisible();

  // The person is not verified this time: the browser's prompt ends without an answer.
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /No passkey was used|The passkey was not accepted/ })).toBeVisible();
  await expect(page).toHaveURL(/\/signin\/code$/);
  await page.getByLabel('Authentication code', { exact: true }).fill(await app.nextCode());
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page).not.toHaveURL(/\/signin/);
});
