/**
 * Accessibility (issue 12, WCAG 2.2 AA), in both projects: hydrated and with JavaScript off.
 *
 * 1. Every page has zero axe-core violations for the tags wcag2a, wcag2aa, wcag21a, wcag21aa
 *    and wcag22aa (`checkPage` in a11y-helpers.ts; without JavaScript axe audits a script-free
 *    copy of the page's DOM, see `axeResults` there), and
 * 2. reflows at 320 CSS px: `document.documentElement.scrollWidth <= clientWidth`, measured on
 *    the same page right after its audit (a failure names the elements sticking out).
 *
 *    Pages and states audited:
 *    - signed out: landing `/`, sign in (empty, and after a wrong password), sign up (empty,
 *      and after "Send code"), forgot password, Terms of Service, Privacy Policy, the
 *      accessibility statement (reached from the footer link "Accessibility"), a 404 page;
 *    - as an applicant: role choice, business form empty and after a Submit with errors,
 *      submitted, console, workspace, onboarding details, account, members (under review);
 *      two-step verification off, being set up (its QR code shown), with the new recovery
 *      codes, and on; the sign-in's code step after a wrong code;
 *    - as a reviewer: dashboard, application detail, the request-changes form after Request
 *      changes with no field, the metrics page, the reject form after Reject with no
 *      reason (its error shown), the detail once approved;
 *    - the applicant again once approved: console, workspace, onboarding details, members
 *      with the invite form, and with an open invitation on it; and the invitation page as
 *      the invited person sees it, signed out.
 *    One applicant and one reviewer serve all the signed-in audits (a sign-up costs seconds).
 *    Problems are soft assertions: a run reports every page's violations, not just the first.
 *
 * 3. A keyboard-only walk of the seed: sign up → choose role → business information → Submit →
 *    CONSOLE → the workspace; then a reviewer signs in (the password, then the code from their
 *    authenticator app), finds the application and approves it; the applicant sees it
 *    approved. Reviewers must use two-step verification: this one turned it on beforehand, in
 *    a browser of its own (`enrolSecondFactor`; its pages are audited in 2). After each
 *    person's first `page.goto` everything is `page.keyboard` (Tab, Space, Enter, typing),
 *    through `tabTo`, which also checks that every element the focus stops on shows a focus
 *    indicator, and fails listing the stops seen when the next control is never reached (so a
 *    trap fails too). Three things are not keystrokes: the e-mailed code is read from the dev
 *    mailbox in a second tab (`codeFor`), the authenticator's code is computed as a phone
 *    would (`Authenticator`), and the logo is attached with `setInputFiles` once the file
 *    input has keyboard focus (the operating system's file chooser cannot be driven by keys
 *    in headless Chromium).
 */
import { test, expect, Page } from '@playwright/test';
import {
  Authenticator, chooseRole, codeFor, createReviewer, enrolSecondFactor, enterSignInCode, esc, hydrated, invite,
  linkInMail, logoPng, open, ownAddress, PASSWORD, requestChanges, REVIEWER_PASSWORD, reviewerPage,
  SECOND_FACTOR_WRONG_CODE, signIn, signOut, signUp, submitBusiness, unique, expectFieldError,
} from './helpers';
import { checkPage, tabAndType, tabTo } from './a11y-helpers';

/** The page's main heading, whose showing means the page's data is in. */
const h1 = (page: Page, name?: string | RegExp) =>
  page.getByRole('heading', { level: 1, ...(name === undefined ? {} : { name, exact: typeof name === 'string' }) });

/** After a navigation: the new page is there and, hydrated, the WASM has taken over. */
async function arrived(page: Page, url: RegExp, heading: string | RegExp) {
  await expect(page).toHaveURL(url);
  await expect(h1(page, heading)).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

test('signed-out pages pass the WCAG 2.2 AA audit and reflow at 320 px', async ({ page }) => {
  test.setTimeout(150_000);
  await ownAddress(page);

  await open(page, '/');
  await checkPage(page, 'the landing page', h1(page, /Build and grow mini programs/));

  await open(page, '/signin');
  await checkPage(page, 'the sign-in page', h1(page, 'Sign in'));
  await page.getByLabel('Email or username').fill('nobody-here');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Incorrect email, username or password.' })).toBeVisible();
  await checkPage(page, 'the sign-in page after a wrong password', h1(page, 'Sign in'));

  await open(page, '/signup');
  await checkPage(page, 'the sign-up page', h1(page, 'Create your account'));
  await page.getByLabel('Email', { exact: true }).fill(`${unique('a11y')}@example.com`);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByText('a 6-digit code is on its way')).toBeVisible();
  await checkPage(page, 'the sign-up page after Send code', h1(page, 'Create your account'));

  await open(page, '/forgot-password');
  await checkPage(page, 'the forgot-password page', h1(page, 'Reset your password'));

  await open(page, '/terms');
  await checkPage(page, 'the Terms of Service', h1(page, 'Terms of Service'));

  await open(page, '/privacy');
  await checkPage(page, 'the Privacy Policy', h1(page, 'Privacy Policy'));

  // The statement is reached as a visitor finds it: from the footer of any page.
  await open(page, '/');
  await page.getByRole('contentinfo').getByRole('link', { name: 'Accessibility', exact: true }).click();
  await expect(page).toHaveURL(/\/accessibility$/);
  await checkPage(page, 'the accessibility statement', h1(page, 'Accessibility statement'));

  const missing = await page.goto('/no-such-page-here');
  expect(missing?.status()).toBe(404);
  await checkPage(page, 'a 404 page', h1(page, 'Page not found'));
});

test('an applicant\'s and a reviewer\'s pages pass the WCAG 2.2 AA audit and reflow at 320 px', async ({ browser }) => {
  test.setTimeout(300_000);
  const username = unique('a11y');
  const company = `Acme ${username} Pte. Ltd.`;
  const applicant = await (await browser.newContext()).newPage();

  // --- The applicant, up to the submitted application.
  await signUp(applicant, `${username}@example.com`, username);
  await checkPage(applicant, 'the role choice', h1(applicant, 'Choose your role'));

  await chooseRole(applicant, 'ISV');
  await checkPage(applicant, 'the empty business form', h1(applicant, 'Tell us about your business'));

  await applicant.getByRole('button', { name: 'Submit', exact: true }).click();
  // The message shows under its field and, as a link to it, in the error summary.
  await expectFieldError(applicant, 'Business Address', 'Enter the business address.');
  await expect(applicant.getByText('Please read and agree to the Privacy Policy.').first()).toBeVisible();
  await checkPage(applicant, 'the business form after a Submit with errors', h1(applicant, 'Tell us about your business'));

  await submitBusiness(applicant, company);
  await expect(applicant).toHaveURL(/\/onboarding\/submitted\?id=/);
  const id = new URL(applicant.url()).searchParams.get('id');
  expect(id).toBeTruthy();
  await checkPage(applicant, 'the submitted page', h1(applicant, 'Thank you, your request is submitted'));

  await open(applicant, '/console');
  await expect(applicant.getByRole('link', { name: `${company}, Under Review` })).toBeVisible();
  await checkPage(applicant, 'the console', h1(applicant, 'Workspaces'));

  await open(applicant, `/workspaces/${id}`);
  await checkPage(applicant, 'the workspace page (under review)', h1(applicant, company));

  await open(applicant, `/workspaces/${id}/onboarding`);
  await checkPage(applicant, 'the onboarding details (under review)', h1(applicant, 'Onboarding details'));

  await open(applicant, '/account');
  await checkPage(applicant, 'the account page', h1(applicant, 'Account'));

  // Two-step verification, step by step as the applicant turns it on from the account page.
  await applicant.getByRole('link', { name: 'Two-step verification', exact: true }).click();
  await arrived(applicant, /\/account\/second-factor$/, 'Two-step verification');
  await expect(applicant.getByRole('button', { name: 'Set up an authenticator app' })).toBeVisible();
  await checkPage(applicant, 'two-step verification (off)', h1(applicant, 'Two-step verification'));
  await applicant.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(applicant.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await checkPage(applicant, 'two-step verification being set up, with its QR code', h1(applicant, 'Two-step verification'));
  const app = new Authenticator(await applicant.locator('code.setup-key').innerText());
  await applicant.getByLabel('Current password', { exact: true }).fill(PASSWORD);
  await applicant.getByLabel('Code from the app', { exact: true }).fill(await app.nextCode());
  await applicant.getByRole('button', { name: 'Turn on', exact: true }).click();
  const recoveryCodes = applicant.getByRole('list', { name: 'Save your recovery codes' });
  await expect(recoveryCodes.getByRole('listitem')).toHaveCount(10);
  await checkPage(applicant, 'the new recovery codes', h1(applicant, 'Two-step verification'));
  await applicant.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(recoveryCodes).toHaveCount(0);
  await expect(applicant.getByRole('heading', { name: 'Authenticator app', exact: true })).toBeVisible();
  await checkPage(applicant, 'two-step verification (on)', h1(applicant, 'Two-step verification'));

  // The sign-in's second step, after a wrong code (the one that turned it on, typed again).
  await signOut(applicant, username);
  await signIn(applicant, username, PASSWORD);
  await enterSignInCode(applicant, app.lastCode());
  await expectFieldError(applicant, 'Authentication code', SECOND_FACTOR_WRONG_CODE);
  await checkPage(applicant, 'the sign-in code step after a wrong code', h1(applicant, 'Two-step verification'));
  await enterSignInCode(applicant, await app.nextCode());
  await arrived(applicant, /\/console$/, 'Workspaces');

  await open(applicant, `/workspaces/${id}/members`);
  await checkPage(applicant, 'the members page (under review)', h1(applicant, 'Members'));

  // --- A reviewer: the dashboard, the application, a Reject without a reason, the approval.
  const reviewer = await reviewerPage(browser);
  await checkPage(reviewer, 'the review dashboard', h1(reviewer, 'Review dashboard'));

  await open(reviewer, `/review?q=${encodeURIComponent(company)}`);
  await reviewer.getByRole('link', { name: company, exact: true }).click();
  await checkPage(reviewer, 'the application detail', h1(reviewer, company));

  await reviewer.getByRole('button', { name: 'Reject' }).click();
  await expectFieldError(reviewer, 'Reason for rejecting', 'Enter the reason for rejecting. The applicant will see it.');
  await checkPage(reviewer, 'the reject form after Reject with no reason', h1(reviewer, company));
  await reviewer.getByRole('button', { name: 'Request changes' }).click();
  await expect(reviewer.getByText('Pick at least one field for the applicant to change.').first()).toBeVisible();
  await checkPage(reviewer, 'the request-changes form after Request changes with no field', h1(reviewer, company));

  // Changes requested: the applicant's marked form, then the reviewer's comparison.
  if (hydrated()) await expect(reviewer.locator('body[data-hydrated="true"]')).toBeAttached();
  await requestChanges(reviewer, 'Company Name', 'Use the name on your registration certificate.');
  await open(applicant, '/onboarding/business');
  await expect(applicant.getByText('Reviewer: Use the name on your registration certificate.')).toBeVisible();
  await checkPage(applicant, 'the business form with changes requested', h1(applicant, 'Tell us about your business'));
  await open(applicant, `/workspaces/${id}/onboarding`);
  await checkPage(applicant, 'the onboarding details (changes requested)', h1(applicant, 'Onboarding details'));
  const renamed = company.replace('Pte. Ltd.', 'Private Limited');
  await open(applicant, '/onboarding/business');
  await submitBusiness(applicant, renamed);
  await open(reviewer, `/review?q=${encodeURIComponent(renamed)}`);
  await reviewer.getByRole('link', { name: renamed, exact: true }).click();
  await expect(reviewer.getByRole('heading', { name: 'What changed since round 1' })).toBeVisible();
  await checkPage(reviewer, 'the application detail with its comparison', h1(reviewer, renamed));

  if (hydrated()) await expect(reviewer.locator('body[data-hydrated="true"]')).toBeAttached();
  await reviewer.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.locator('.history').getByText('Approved', { exact: true })).toBeVisible();
  await checkPage(reviewer, 'the application detail once approved', h1(reviewer, renamed));
  await open(reviewer, '/review/metrics');
  await checkPage(reviewer, 'the metrics page', h1(reviewer, 'Review metrics'));
  await reviewer.context().close();

  // --- The applicant again, now the Owner of an approved workspace.
  await open(applicant, '/console');
  await expect(applicant.getByRole('link', { name: `${renamed}, Approved, your role: Owner` })).toBeVisible();
  await checkPage(applicant, 'the console (approved)', h1(applicant, 'Workspaces'));

  await open(applicant, `/workspaces/${id}`);
  await checkPage(applicant, 'the workspace page (approved)', h1(applicant, renamed));

  await open(applicant, `/workspaces/${id}/onboarding`);
  await checkPage(applicant, 'the onboarding details (approved)', h1(applicant, 'Onboarding details'));

  await open(applicant, `/workspaces/${id}/members`);
  await expect(applicant.getByLabel('Email addresses')).toBeVisible();
  await checkPage(applicant, 'the members page with the invite form', h1(applicant, 'Members'));

  const invited = `${unique('a11yinv')}@example.com`;
  await invite(applicant, [invited], 'Developer');
  await checkPage(applicant, 'the members page with an open invitation', h1(applicant, 'Members'));

  // The invitation as the invited person opens it: signed out, in a browser of their own.
  const link = await linkInMail(applicant, invited, `invited you to join ${renamed}`);
  const person = await (await browser.newContext()).newPage();
  await ownAddress(person);
  await open(person, link);
  await checkPage(person, 'the invitation page (signed out)', h1(person, `Join ${renamed}`));
  await person.context().close();
  await applicant.context().close();
});

test('the seed can be walked with the keyboard alone, with the focus always visible', async ({ browser }) => {
  test.setTimeout(240_000);
  const username = unique('keys');
  const email = `${username}@example.com`;
  const company = `Keys ${username} Pte. Ltd.`;
  const page = await (await browser.newContext()).newPage();
  await ownAddress(page);
  const keys = page.keyboard;

  // Step 1: GET STARTED, then the sign-up form.
  await open(page, '/');
  await tabTo(page, page.getByRole('link', { name: 'GET STARTED' }));
  await keys.press('Enter');
  await arrived(page, /\/signup$/, 'Create your account');

  await tabAndType(page, page.getByLabel('Email', { exact: true }), email);
  await tabTo(page, page.getByRole('button', { name: 'Send code' }));
  await keys.press('Enter');
  await expect(page.getByText('a 6-digit code is on its way')).toBeVisible();
  // Without JavaScript the form was posted and the page came back with the address kept.
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  const code = await codeFor(page, email);

  await tabAndType(page, page.getByLabel('Verification code'), code);
  await tabAndType(page, page.getByLabel('Username'), username);
  await tabAndType(page, page.getByLabel('Password', { exact: true }), PASSWORD);
  const terms = page.getByRole('checkbox', { name: /agree to the Terms of Service/ });
  await tabTo(page, terms);
  await keys.press('Space');
  await expect(terms).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Sign up', exact: true }));
  await keys.press('Enter');

  // Step 2: the role.
  await arrived(page, /\/onboarding\/role$/, 'Choose your role');
  const isv = page.getByRole('radio', { name: /^ISV/ });
  await tabTo(page, isv);
  await keys.press('Space');
  await expect(isv).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await keys.press('Enter');

  // The business information, as onboarding.spec.ts fills it.
  await arrived(page, /\/onboarding\/business$/, 'Tell us about your business');
  await tabAndType(page, page.getByLabel('Company Name'), company);
  await tabAndType(page, page.getByLabel('Business Address'), '1 Raffles Place, #20-01');
  await tabAndType(page, page.getByLabel('Country/Region'), 'Singapore');
  await tabAndType(page, page.getByLabel('Business Representative'), 'Tan Wei Ling');
  // The file input is reached and focused by Tab; the file itself cannot be chosen with keys
  // in headless Chromium (the system dialog), so it is attached to the focused input.
  const logo = page.getByLabel('Business Logo (optional)');
  await tabTo(page, logo);
  await logo.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng(128) });
  await tabAndType(page, page.getByLabel('Website (optional)'), 'acme.example.com');
  await tabAndType(page, page.getByLabel('Customer Service Number (optional)'), '+65 6123 4567');
  await tabAndType(page, page.getByLabel('Customer Service Email (optional)'), 'help@acme.example.com');
  for (const document of [/Terms of Service/, /Privacy Policy/]) {
    const box = page.getByRole('checkbox', { name: document });
    await tabTo(page, box);
    await keys.press('Space');
    await expect(box).toBeChecked();
  }
  await tabTo(page, page.getByRole('button', { name: 'Submit', exact: true }));
  await keys.press('Enter');

  // Submitted; then the CONSOLE and the workspace Under Review.
  await arrived(page, /\/onboarding\/submitted\?id=/, 'Thank you, your request is submitted');
  await tabTo(page, page.getByRole('main').getByRole('link', { name: 'CONSOLE', exact: true }));
  await keys.press('Enter');
  await arrived(page, /\/console$/, 'Workspaces');
  const card = page.getByRole('link', { name: `${company}, Under Review` });
  await tabTo(page, card);
  await keys.press('Enter');
  await arrived(page, /\/workspaces\/[^/]+$/, company);

  // Step 3, the reviewer's side: sign in, find the application, approve it. Reviewers must use
  // two-step verification; this one turned it on earlier, in a browser of their own.
  const name = unique('keyrev');
  createReviewer(name);
  const setup = await (await browser.newContext()).newPage();
  await ownAddress(setup);
  await signIn(setup, name, REVIEWER_PASSWORD);
  await expect(setup).toHaveURL(/\/account\/second-factor$/);
  const { app } = await enrolSecondFactor(setup, REVIEWER_PASSWORD);
  await setup.context().close();
  const reviewer = await (await browser.newContext()).newPage();
  await ownAddress(reviewer);
  await open(reviewer, '/signin');
  await tabAndType(reviewer, reviewer.getByLabel('Email or username'), name);
  await tabAndType(reviewer, reviewer.getByLabel('Password', { exact: true }), REVIEWER_PASSWORD);
  await tabTo(reviewer, reviewer.getByRole('button', { name: 'Sign in', exact: true }));
  await reviewer.keyboard.press('Enter');
  // The password is the first step; the code from the app is the second.
  await arrived(reviewer, /\/signin\/code$/, 'Two-step verification');
  await tabAndType(reviewer, reviewer.getByLabel('Authentication code', { exact: true }), await app.nextCode());
  await tabTo(reviewer, reviewer.getByRole('button', { name: 'Verify', exact: true }));
  await reviewer.keyboard.press('Enter');
  await arrived(reviewer, /\/review$/, 'Review dashboard');

  await tabAndType(reviewer, reviewer.getByLabel('Search', { exact: true }), company);
  await reviewer.keyboard.press('Enter');
  await expect(reviewer).toHaveURL(/[?&]q=/);
  const row = reviewer.getByRole('link', { name: company, exact: true });
  await tabTo(reviewer, row);
  await reviewer.keyboard.press('Enter');
  await arrived(reviewer, /\/review\/[^/?]+/, company);
  await tabTo(reviewer, reviewer.getByRole('button', { name: 'Approve' }));
  await reviewer.keyboard.press('Enter');
  await expect(reviewer.locator('.history').getByText('Approved', { exact: true })).toBeVisible();
  await reviewer.context().close();

  // Step 4: the applicant goes back to the CONSOLE (the breadcrumb) and finds it approved.
  await tabTo(page, page.getByRole('main').getByRole('link', { name: 'CONSOLE', exact: true }));
  await keys.press('Enter');
  await arrived(page, /\/console$/, 'Workspaces');
  await expect(page.getByRole('link', { name: new RegExp(`^${esc(company)}, Approved, your role: Owner`) })).toBeVisible();
  await page.context().close();
});
