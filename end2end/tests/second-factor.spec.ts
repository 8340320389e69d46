/**
 * Two-step verification (RFC 6238 authenticator codes, ten single-use recovery codes), in both
 * projects: hydrated and with JavaScript off.
 *
 * - A new reviewer can do nothing but set it up: the password lands on `/account/second-factor`
 *   and so does the review dashboard, until it is on; then they decide an application.
 * - An ISV turns it on from the account page; signing in then asks for a code after the
 *   password: a code already used is refused, the app's next code signs in; a recovery code
 *   signs in once (the page says how many are left) and is refused the second time.
 * - Turning it off needs the current password and a code; then the password alone signs in.
 *
 * The app is `Authenticator` (helpers.ts), which never gives a code of a step twice: each test
 * uses at most two app codes per account, so none waits for the clock.
 */
import { test, expect, Page } from '@playwright/test';
import {
  chooseRole, createReviewer, enrolSecondFactor, enterSignInCode, expectFieldError, hydrated, open, ownAddress,
  PASSWORD, REVIEWER_PASSWORD, SECOND_FACTOR_WRONG_CODE, signIn, signOut, signUp, submitBusiness, unique,
} from './helpers';

/** An ISV with a submitted application (so signing in leads to the console), signed in. */
async function isvWithApplication(page: Page) {
  const username = unique('tsv');
  const company = `Acme ${username} Pte. Ltd.`;
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'ISV');
  await submitBusiness(page, company);
  return { username, company };
}

const securityHistory = (page: Page) => page.getByRole('region', { name: 'Security history' });

test('a new reviewer sets up two-step verification and then decides an application', async ({ browser }) => {
  const name = unique('rev2fa');
  createReviewer(name);
  const reviewer = await (await browser.newContext()).newPage();
  await ownAddress(reviewer);
  await signIn(reviewer, name, REVIEWER_PASSWORD);

  // The password leads to setting it up, not to the dashboard, and so does the dashboard.
  await expect(reviewer).toHaveURL(/\/account\/second-factor$/);
  await expect(reviewer.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
  await expect(reviewer.getByRole('status').filter({
    hasText: 'Reviewers must use two-step verification. Set it up to continue to the review dashboard.',
  })).toBeVisible();
  await open(reviewer, '/review');
  await expect(reviewer).toHaveURL(/\/account\/second-factor$/);
  await expect(reviewer.getByRole('heading', { name: 'Review dashboard' })).toHaveCount(0);

  await enrolSecondFactor(reviewer, REVIEWER_PASSWORD);
  await expect(securityHistory(reviewer).getByRole('listitem').filter({ hasText: 'Two-step verification turned on' }))
    .toHaveCount(1);
  await open(reviewer, '/review');
  await expect(reviewer).toHaveURL(/\/review$/);
  await expect(reviewer.getByRole('heading', { name: 'Review dashboard' })).toBeVisible();

  // An ISV applies; the reviewer approves, as `approvedWorkspace` does.
  const applicant = await (await browser.newContext()).newPage();
  const { company } = await isvWithApplication(applicant);
  await open(reviewer, '/review?status=under_review');
  await reviewer.getByRole('link', { name: company }).click();
  await expect(reviewer.getByRole('heading', { name: company })).toBeVisible();
  if (hydrated()) await expect(reviewer.locator('body[data-hydrated="true"]')).toBeAttached();
  await reviewer.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.locator('.history').getByText('Approved', { exact: true })).toBeVisible();
  await reviewer.context().close();
  await applicant.context().close();
});

test('an ISV turns on two-step verification and signs in with a code and with a recovery code', async ({ page }) => {
  // A sign-up and an application, then three sign-ins with a code: more pages than most tests.
  test.setTimeout(90_000);
  const { username, company } = await isvWithApplication(page);

  await open(page, '/account');
  await page.getByRole('link', { name: 'Two-step verification', exact: true }).click();
  await expect(page).toHaveURL(/\/account\/second-factor$/);
  await expect(page.getByText(/^Two-step verification is off\./)).toBeVisible();
  await expect(securityHistory(page).getByText("Nothing has happened to your account's security yet.")).toBeVisible();

  const { app, codes } = await enrolSecondFactor(page, PASSWORD);
  await expect(page.getByRole('status').filter({ hasText: /^Two-step verification is on since / })).toBeVisible();
  await expect(page.getByText('Unused recovery codes: 10 of 10.')).toBeVisible();
  await expect(securityHistory(page).getByRole('listitem').filter({ hasText: 'Two-step verification turned on' }))
    .toHaveCount(1);
  // Saved means gone: the codes are not shown again, nor downloaded.
  expect((await page.request.get('/account/second-factor/recovery-codes.txt')).status()).toBe(404);

  // The password is the first step; a code already used (the one that turned it on) is refused.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/signin\/code$/);
  await enterSignInCode(page, app.lastCode());
  await expectFieldError(page, 'Authentication code', SECOND_FACTOR_WRONG_CODE);
  // The app's next code signs in, to where the password alone used to lead.
  await enterSignInCode(page, await app.nextCode());
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByRole('link', { name: `${company}, Under Review` })).toBeVisible();

  // Phone lost: a recovery code signs in once, and the page says how many are left.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await enterSignInCode(page, codes[0]);
  await expect(page).toHaveURL(/\/account\/second-factor\?recovery=used$/);
  await expect(page.getByRole('status').filter({
    hasText: 'You signed in with a recovery code. You have 9 recovery codes left.',
  })).toBeVisible();

  // The same recovery code again is refused; another one works.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await enterSignInCode(page, codes[0]);
  await expectFieldError(page, 'Authentication code', SECOND_FACTOR_WRONG_CODE);
  await enterSignInCode(page, codes[1]);
  await expect(page).toHaveURL(/\/account\/second-factor\?recovery=used$/);
  await expect(page.getByRole('status').filter({ hasText: 'You have 8 recovery codes left.' })).toBeVisible();
  await expect(page.getByText('Unused recovery codes: 8 of 10.')).toBeVisible();
  await expect(securityHistory(page).getByRole('listitem').filter({ hasText: 'Signed in with a recovery code' }))
    .toHaveCount(2);
});

test('turning it off needs the password and a code', async ({ page }) => {
  const { username, company } = await isvWithApplication(page);
  const { app } = await enrolSecondFactor(page, PASSWORD);
  const off = page.getByRole('region', { name: 'Turn off two-step verification' });

  // A wrong password is refused under its field (the code is not looked at, nor spent).
  await off.getByLabel('Current password', { exact: true }).fill('not the password at all');
  await off.getByLabel('Authentication code', { exact: true }).fill('000000');
  await off.getByRole('button', { name: 'Turn off two-step verification' }).click();
  await expectFieldError(off, 'Current password', 'Your current password is not right.');
  await expect(page.getByRole('heading', { name: 'Authenticator app', exact: true })).toBeVisible();

  await off.getByLabel('Current password', { exact: true }).fill(PASSWORD);
  await off.getByLabel('Authentication code', { exact: true }).fill(await app.nextCode());
  await off.getByRole('button', { name: 'Turn off two-step verification' }).click();
  await expect(page.getByText(/^Two-step verification is off\./)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set up an authenticator app' })).toBeVisible();
  await expect(securityHistory(page).getByRole('listitem').filter({ hasText: 'Two-step verification turned off' }))
    .toHaveCount(1);

  // The password alone signs in again.
  await signOut(page, username);
  await signIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByRole('link', { name: `${company}, Under Review` })).toBeVisible();
});
