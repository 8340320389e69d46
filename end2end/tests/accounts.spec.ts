import { test, expect } from '@playwright/test';
import { codeFor, hydrated, mailCount, NEW_PASSWORD, open, ownAddress, PASSWORD, signIn, signOut, signUp, unique, expectFieldError } from './helpers';

// Seed Steps 1, 4 and 5 as a person does them.

test('sign up with the emailed code, sign out, and sign in again with username or email', async ({ page }) => {
  const username = unique('isv');
  const email = `${username}@example.com`;
  await signUp(page, email, username);
  await expect(page.getByLabel(`Account menu for ${username}`)).toBeVisible();

  await signOut(page, username);

  // Without an application yet, signing in continues with choosing a role.
  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/onboarding\/role$/);
  await expect(page.getByRole('heading', { name: 'Choose your role' })).toBeVisible();
  await signOut(page, username);

  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/onboarding\/role$/);
});

test('a wrong password is refused with a message and the typed login kept', async ({ page }) => {
  await signIn(page, 'nobody-here', 'not the password');
  await expect(page.getByRole('alert').filter({ hasText: 'Incorrect email, username or password.' })).toBeVisible();
  await expect(page.getByLabel('Email or username')).toHaveValue('nobody-here');
});

test('a wrong code is explained next to the field', async ({ page }) => {
  const username = unique('merchant');
  const email = `${username}@example.com`;
  await open(page, '/signup');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  const code = await codeFor(page, email);
  const wrong = code === '000000' ? '111111' : '000000';
  await page.getByLabel('Verification code').fill(wrong);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('checkbox', { name: /agree to the Terms of Service/ }).check();
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expectFieldError(page, 'Verification code', 'That code is not right. 4 tries left.');
  await expect(page.getByLabel('Username')).toHaveValue(username);
});

test('pressing Enter in a field means Sign up, not Send code', async ({ page }) => {
  const username = unique('enter');
  await open(page, '/signup');
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Email', { exact: true }).fill(`${username}@example.com`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Username').press('Enter');
  // The sign-up function answered: it asks for the code instead of sending one.
  await expectFieldError(page, 'Verification code', 'Enter the 6-digit code we emailed you.');
  await expect(page.getByText('a 6-digit code is on its way')).toHaveCount(0);
  await expect(page.getByLabel('Username')).toHaveValue(username);
});

test('forgot your password: a code, a new password, and sign in with it', async ({ page }) => {
  const username = unique('owner');
  const email = `${username}@example.com`;
  await signUp(page, email, username);
  await signOut(page, username);

  await open(page, '/signin');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const before = await mailCount(page, email);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByText('a 6-digit code is on its way')).toBeVisible();
  const code = await codeFor(page, email, before);
  await page.getByLabel('Verification code').fill(code);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(/\/signin\?reset=1$/);
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Email or username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/onboarding\/role$/);
});

test('field errors appear as you leave a field, from the same rules as the server', async ({ page }) => {
  test.skip(!hydrated(), 'instant errors need JavaScript; the server gives the same ones on submit');
  await open(page, '/signup');
  await page.getByLabel('Email', { exact: true }).fill('not-an-email');
  await page.getByLabel('Username').focus();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await page.getByLabel('Username').fill('a b');
  await page.getByLabel('Password', { exact: true }).focus();
  await expect(page.getByText('Use only letters, digits')).toBeVisible();
});

test('the console asks a signed-out visitor to sign in first', async ({ page }) => {
  await open(page, '/console');
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByText('Please sign in to continue.')).toBeVisible();
});

test('change the password on the account page, then sign in with the new one', async ({ page }) => {
  const username = unique('acct');
  const email = `${username}@example.com`;
  await signUp(page, email, username);

  await page.getByLabel(`Account menu for ${username}`).click();
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(page.getByText('This device', { exact: true })).toBeVisible();
  await expect(page.getByText('Only this device is signed in.')).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Your password was changed. Other devices were signed out.' }),
  ).toBeVisible();

  // The account menu closed when its link took the user here.
  await expect(page.locator('details.account-menu[open]')).toHaveCount(0);
  await signOut(page, username);
  await signIn(page, username, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/onboarding\/role$/);
});

test('the same wrong password twice is announced twice: the error summary takes the focus each time', async ({ page }) => {
  await ownAddress(page);
  await open(page, '/signin');
  // A login of its own: failed sign-ins are counted per login.
  await page.getByLabel('Email or username').fill(unique('nobody'));
  const password = page.getByLabel('Password', { exact: true });
  const summary = page.locator('.error-summary');
  for (const attempt of [1, 2]) {
    await password.fill(`not the password ${attempt === 1 ? '' : 'either'}`.trim());
    await password.focus();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(summary.getByText('Incorrect email, username or password.')).toBeVisible();
    await expect(summary, `attempt ${attempt}`).toBeFocused();
  }
});
