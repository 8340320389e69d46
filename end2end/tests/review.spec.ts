import { test, expect, Browser } from '@playwright/test';
import {
  chooseRole, esc, hydrated, linkInMail, newReviewer, open, requestChanges, signUp, submitBusiness,
  unique, expectFieldError
} from './helpers';

// Seed Steps 3 and 4 with the reviewer's side: a live dashboard, approval and its mail, the
// Owner role; a request for changes that the applicant answers and resubmits; and a rejection,
// which is final: the applicant may only start a new application.

/** A reviewer on the review dashboard, two-step verification turned on first (`newReviewer`). */
async function reviewerPage(browser: Browser) {
  const { page, name } = await newReviewer(browser);
  return { page, name };
}

async function applicantPage(browser: Browser) {
  const username = unique('isv');
  const page = await (await browser.newContext()).newPage();
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'ISV');
  return { page, username, email: `${username}@example.com`, company: `Acme ${username} Pte. Ltd.` };
}

test('a submission appears live on the dashboard; the approval reaches the applicant, who becomes Owner', async ({ browser }) => {
  test.skip(!hydrated(), 'live updates need JavaScript; the no-JS run covers the same decisions below');
  const reviewer = await reviewerPage(browser);
  await expect(reviewer.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();

  const applicant = await applicantPage(browser);
  await submitBusiness(applicant.page, applicant.company);

  // The new row arrives without a reload, marked New.
  const row = reviewer.page.getByRole('row', { name: new RegExp(applicant.company) });
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(row.getByText('New', { exact: true })).toBeVisible();
  await expect(row.getByText('Under Review')).toBeVisible();

  // The applicant watches the console while the reviewer decides.
  await open(applicant.page, '/console');
  await expect(applicant.page.getByRole('link', { name: `${applicant.company}, Under Review` })).toBeVisible();

  await row.getByRole('link', { name: applicant.company }).click();
  await expect(reviewer.page.getByRole('heading', { name: applicant.company })).toBeVisible();
  await expect(reviewer.page.getByText(`${applicant.username}@example.com`)).toBeVisible();
  await expect(reviewer.page.getByText(/Terms of Service \(version/)).toBeVisible();
  await reviewer.page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(reviewer.page.getByText(`Assigned to ${reviewer.name}`)).toBeVisible();
  await reviewer.page.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.page.locator('.history').getByText('Approved', { exact: true })).toBeVisible();

  // The console changes without a reload.
  await expect(applicant.page.getByRole('link', { name: `${applicant.company}, Approved` })).toBeVisible({ timeout: 5_000 });

  // Seed Step 3: the link in the approval mail opens the onboarding details.
  const link = await linkInMail(applicant.page, applicant.email, 'is approved');
  expect(link).toMatch(/\/workspaces\/[^/]+\/onboarding$/);
  await applicant.page.goto(link);
  await expect(applicant.page.getByRole('heading', { name: 'Onboarding details' })).toBeVisible();
  await expect(applicant.page.getByText('Approved').first()).toBeVisible();
  // Seed Step 4: the member role is Owner.
  await applicant.page.getByRole('link', { name: applicant.company }).click();
  await expect(applicant.page.locator('.members')).toContainText(applicant.username);
  await expect(applicant.page.locator('.members')).toContainText('Owner');
});

test('a decision made elsewhere changes its row in place, without the dashboard fetching the queue again', async ({ browser }) => {
  test.skip(!hydrated(), 'live updates need JavaScript');
  const watcher = await reviewerPage(browser);
  await expect(watcher.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();

  const applicant = await applicantPage(browser);
  await submitBusiness(applicant.page, applicant.company);
  const row = watcher.page.getByRole('row', { name: new RegExp(applicant.company) });
  await expect(row.getByText('Under Review')).toBeVisible({ timeout: 5_000 });
  await expect(row.getByText('New', { exact: true })).toBeVisible();
  await expect(row.getByText('Unassigned')).toBeVisible();

  // From here on the dashboard asks the server for nothing: it applies what the feed brings.
  let queueRequests = 0;
  watcher.page.on('request', (request) => {
    if (request.url().includes('/api/review/queue')) queueRequests++;
  });
  // What the reviewer was doing stays as it was: a half-typed search, the table's elements.
  const search = watcher.page.getByLabel('Search', { exact: true });
  await search.fill('half-typed');
  await watcher.page.locator('table.queue').evaluate((table) => table.setAttribute('data-probe', 'kept'));

  // Another reviewer, in another browser, takes the application and approves it.
  const decider = await reviewerPage(browser);
  await open(decider.page, '/review?status=under_review');
  await decider.page.getByRole('link', { name: applicant.company }).click();
  await expect(decider.page.getByRole('heading', { name: applicant.company })).toBeVisible();
  await expect(decider.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await decider.page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(decider.page.getByText(`Assigned to ${decider.name}`)).toBeVisible();
  await expect(row.getByText(decider.name)).toBeVisible({ timeout: 5_000 });
  await decider.page.getByRole('button', { name: 'Approve' }).click();
  await expect(decider.page.locator('.history').getByText('Approved', { exact: true })).toBeVisible();

  // The watcher's row changes where it is, still marked New, and the change is announced.
  await expect(row.getByText('Approved')).toBeVisible({ timeout: 5_000 });
  await expect(row.getByText(decider.name)).toBeVisible();
  await expect(row.getByText('New', { exact: true })).toBeVisible();
  await expect(watcher.page.locator('p.visually-hidden[role="status"]')).toHaveText('An application was approved.');
  await expect(search).toHaveValue('half-typed');
  await expect(watcher.page.locator('table.queue[data-probe="kept"]')).toBeAttached();
  // Anything late would have come by now.
  await watcher.page.waitForTimeout(500);
  expect(queueRequests).toBe(0);
});

test('a reviewer asks for changes; the applicant sees the note beside the field, edits and resubmits', async ({ browser }) => {
  const reviewer = await reviewerPage(browser);
  const applicant = await applicantPage(browser);
  await submitBusiness(applicant.page, applicant.company);

  await open(reviewer.page, '/review?status=under_review');
  await reviewer.page.getByRole('link', { name: applicant.company }).click();
  await expect(reviewer.page.getByRole('heading', { name: applicant.company })).toBeVisible();
  if (hydrated()) await expect(reviewer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  const note = 'Use the name on your registration certificate.';
  await requestChanges(reviewer.page, 'Company Name', note);

  await open(applicant.page, '/console');
  await expect(applicant.page.getByRole('link', { name: `${applicant.company}, Changes requested` })).toBeVisible();
  await expect(applicant.page.getByText('A reviewer asked for changes.')).toBeVisible();
  await applicant.page.getByRole('link', { name: 'Edit and resubmit' }).click();
  await expect(applicant.page.getByRole('heading', { name: 'Tell us about your business' })).toBeVisible();
  if (hydrated()) await expect(applicant.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(applicant.page.getByText('A reviewer asked for changes.')).toBeVisible();
  // The note stands beside the field, which is described by it.
  await expect(applicant.page.getByText(`Reviewer: ${note}`)).toBeVisible();
  const companyName = applicant.page.getByLabel('Company Name');
  await expect(companyName).toHaveValue(applicant.company);
  await expect(companyName).toHaveAccessibleDescription(new RegExp(esc(`Reviewer: ${note}`)));
  const renamed = applicant.company.replace('Pte. Ltd.', 'Private Limited');
  await submitBusiness(applicant.page, renamed);

  await open(reviewer.page, '/review?status=under_review');
  const row = reviewer.page.getByRole('row', { name: new RegExp(esc(renamed)) });
  await expect(row.getByText('Resubmitted')).toBeVisible();
  await expect(row.getByText('1 field changed')).toBeVisible();
  await expect(row.getByText('Under Review')).toBeVisible();

  // The reviewer's page compares the rounds field by field, then the new round is approved.
  await row.getByRole('link', { name: renamed }).click();
  await expect(reviewer.page.getByRole('heading', { name: 'What changed since round 1' })).toBeVisible();
  if (hydrated()) await expect(reviewer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(reviewer.page.getByText('1 field changed.')).toBeVisible();
  const changed = reviewer.page.getByRole('row', { name: /Company Name/ });
  await expect(changed.getByRole('cell', { name: applicant.company })).toBeVisible();
  await expect(changed.getByRole('cell', { name: renamed })).toBeVisible();
  await expect(changed.getByText(`Asked: ${note}`)).toBeVisible();
  await expect(reviewer.page.getByText('Unchanged (8)')).toBeVisible();
  await reviewer.page.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.page.locator('.panel__head .badge')).toHaveText('Approved');
});

test('the metrics page draws its charts with a table beside each; the CSV export is reviewers\' only', async ({ browser }) => {
  // One application decided (assigned first), one still waiting: every section has numbers.
  const decided = await applicantPage(browser);
  await submitBusiness(decided.page, decided.company);
  const applicant = await applicantPage(browser);
  await submitBusiness(applicant.page, applicant.company);
  const reviewer = await reviewerPage(browser);
  await open(reviewer.page, `/review?q=${encodeURIComponent(decided.company)}`);
  await reviewer.page.getByRole('link', { name: decided.company }).click();
  if (hydrated()) await expect(reviewer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await reviewer.page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(reviewer.page.getByRole('button', { name: 'Unassign' })).toBeVisible();
  await reviewer.page.getByRole('button', { name: 'Approve' }).click();
  await expect(reviewer.page.locator('.panel__head .badge')).toHaveText('Approved');

  await open(reviewer.page, '/review');
  await reviewer.page.getByRole('link', { name: 'Metrics' }).click();
  await expect(reviewer.page.getByRole('heading', { name: 'Review metrics', level: 1 })).toBeVisible();
  if (hydrated()) await expect(reviewer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  // Each chart is an image named by its title, drawn on the server, with its table beside it.
  for (const [chart, table] of [
    ['Bar chart of applications submitted, approved, rejected and sent back for changes, per week', 'Submissions and decisions per week'],
    ['Bar chart of the median and 90th percentile time to first assignment and to decision, with the SLA marked', 'Time to first assignment and to decision'],
    ['Bar chart of applications under review by how long they have waited', 'Applications under review by time waited'],
    ['Bar chart of approvals, rejections and requests for changes per reviewer', 'Decisions per reviewer'],
  ]) {
    await expect(reviewer.page.getByRole('img', { name: chart })).toBeVisible();
    await expect(reviewer.page.getByRole('table', { name: table })).toBeVisible();
  }
  await expect(reviewer.page.getByRole('table', { name: 'Decisions per reviewer' }).getByRole('row', { name: new RegExp(esc(reviewer.name)) })).toBeVisible();
  // A chosen range is read from the address, with or without JavaScript.
  await reviewer.page.getByLabel('From', { exact: true }).fill('2026-01-05');
  await reviewer.page.getByLabel('To', { exact: true }).fill('2026-02-01');
  await reviewer.page.getByRole('button', { name: 'Show' }).click();
  await expect(reviewer.page).toHaveURL(/from=2026-01-05/);
  await expect(reviewer.page.getByText('Showing 2026-01-05 to 2026-02-01')).toBeVisible();
  await expect(reviewer.page.getByText('Nothing was submitted or decided in this range.')).toBeVisible();

  // The queue's CSV export is a reviewer's: an applicant is refused.
  const csv = await reviewer.page.request.get('/review/export.csv?status=under_review');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(applicant.company);
  expect((await applicant.page.request.get('/review/export.csv')).status()).toBe(403);
});

test('a rejection needs a reason and is final; the applicant can only start a new application', async ({ browser }) => {
  const reviewer = await reviewerPage(browser);
  const applicant = await applicantPage(browser);
  await submitBusiness(applicant.page, applicant.company);

  await open(reviewer.page, '/review?status=under_review');
  await reviewer.page.getByRole('link', { name: applicant.company }).click();
  await expect(reviewer.page.getByRole('heading', { name: applicant.company })).toBeVisible();
  if (hydrated()) await expect(reviewer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await reviewer.page.getByRole('button', { name: 'Reject' }).click();
  await expectFieldError(reviewer.page, 'Reason for rejecting', 'Enter the reason for rejecting. The applicant will see it.');
  const reason = 'We could not verify that this business is registered.';
  await reviewer.page.getByLabel('Reason for rejecting').fill(reason);
  await reviewer.page.getByRole('button', { name: 'Reject' }).click();
  await expect(reviewer.page.getByText(`Rejected: ${reason}`)).toBeVisible();

  // The console card says it is final and offers a new application, not an edit.
  await open(applicant.page, '/console');
  const rejected = applicant.page.getByRole('link', { name: `${applicant.company}, Rejected` });
  const card = applicant.page.getByRole('listitem').filter({ has: rejected });
  await expect(rejected).toBeVisible();
  await expect(card.getByText(reason)).toBeVisible();
  await expect(card.getByText('This decision is final for this application; you can start a new one.')).toBeVisible();
  await expect(card.getByRole('link', { name: 'Edit and resubmit' })).toHaveCount(0);
  // So does the mail, whose link starts a new application.
  const link = await linkInMail(applicant.page, applicant.email, 'was not approved');
  expect(link).toMatch(/\/onboarding\/role$/);

  await card.getByRole('link', { name: 'Start a new application' }).click();
  await chooseRole(applicant.page, 'Merchant');
  // A new, empty draft: nothing of the rejected application, and no request.
  await expect(applicant.page.getByLabel('Company Name')).toHaveValue('');
  await expect(applicant.page.getByText('A reviewer asked for changes.')).toHaveCount(0);
  const second = applicant.company.replace('Acme', 'Zenith');
  await submitBusiness(applicant.page, second);

  await open(applicant.page, '/console');
  await expect(applicant.page.getByRole('link', { name: `${second}, Under Review` })).toBeVisible();
  await expect(rejected).toBeVisible();
});

test('applicants cannot open the review dashboard', async ({ browser }) => {
  const applicant = await applicantPage(browser);
  await open(applicant.page, '/review');
  await expect(applicant.page.getByText('You are not allowed to do that.')).toBeVisible();
});

test('markup typed as a company name stays text for the applicant and on the dashboard', async ({ browser }) => {
  const reviewer = await reviewerPage(browser);
  const applicant = await applicantPage(browser);
  const attack = `</script><img src=x onerror=alert(1)> ${applicant.username}`;
  let dialogs = 0;
  for (const p of [reviewer.page, applicant.page]) p.on('dialog', (d) => { dialogs++; void d.dismiss(); });

  await submitBusiness(applicant.page, attack);
  // Hydrated, the row is rendered in the browser as it arrives; without JavaScript, by the server.
  if (!hydrated()) await open(reviewer.page, '/review');
  const link = reviewer.page.getByRole('link', { name: attack });
  await expect(link).toBeVisible();
  await link.click();
  await expect(reviewer.page.getByRole('heading', { name: attack })).toBeVisible();
  await open(applicant.page, '/console');
  await expect(applicant.page.getByText(attack)).toBeVisible();
  for (const p of [reviewer.page, applicant.page]) expect(await p.locator('img[src="x"]').count()).toBe(0);
  expect(dialogs).toBe(0);
});
