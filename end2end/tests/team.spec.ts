import { test, expect, Browser, Page } from '@playwright/test';
import {
  approvedWorkspace, esc, invite, teamLine, Workspace,
  codeFor, hydrated, linkInMail, open, PASSWORD, signIn, signOut,
  ownAddress, signUp, unique, expectFieldError
} from './helpers';

// A workspace's team: the Owner invites from the members page; one invited person creates an
// account from the link, another signs in from it; both join and see their role; an invitation
// is withdrawn after confirming, and its link stops working.

/** "a***@example.com": the invited address as the invitation page shows it. */
const masked = (email: string) => `${email[0]}***@${email.split('@')[1]}`;

async function openMembers(ws: Workspace) {
  const { page } = ws;
  await open(page, '/console');
  await page.getByRole('link', { name: `${ws.company}, Approved, your role: Owner` }).click();
  await expect(page.getByRole('heading', { name: ws.company })).toBeVisible();
  await page.getByRole('link', { name: 'Members', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${esc(ws.id)}/members$`));
  await expect(page.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(page.getByText('Your role: Owner')).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** After joining: the workspace's page says the role, and so does its card in the CONSOLE. */
async function seesMembership(page: Page, ws: Workspace, username: string, role: string) {
  await expect(page).toHaveURL(new RegExp(`/workspaces/${esc(ws.id)}$`));
  await expect(page.getByRole('heading', { name: ws.company })).toBeVisible();
  await expect(
    page.getByRole('status').filter({ hasText: `You are a member of this workspace. Your role: ${role}.` }),
  ).toBeVisible();
  await expect(page.locator('.members')).toContainText(username);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CONSOLE' }).click();
  await expect(page).toHaveURL(/\/console$/);
  const card = page.getByRole('link', { name: `${ws.company}, Approved, your role: ${role}` });
  await expect(card).toBeVisible();
  await expect(card.getByText(`Your role: ${role}`)).toBeVisible();
}

test('the Owner invites two Developers: one creates an account from the link, one signs in; both join', async ({ browser }) => {
  test.setTimeout(180_000);
  // The second person has an account before being invited.
  const existingName = unique('devb');
  const existingEmail = `${existingName}@example.com`;
  const existing = await (await browser.newContext()).newPage();
  await signUp(existing, existingEmail, existingName);
  await signOut(existing, existingName);

  const ws = await approvedWorkspace(browser);
  const owner = ws.page;
  await openMembers(ws);

  const newName = unique('deva');
  const newEmail = `${newName}@example.com`;
  await invite(owner, [newEmail, existingEmail], 'Developer');
  for (const email of [newEmail, existingEmail]) {
    const row = teamLine(owner, email);
    await expect(row).toBeVisible();
    await expect(row.getByText('Invitation sent', { exact: true })).toBeVisible();
    await expect(row.getByText('Developer', { exact: true })).toBeVisible();
    await expect(row.getByText(ws.username, { exact: true })).toBeVisible();
  }

  // The first person opens the link from their mail, signed out, and creates an account.
  const newLink = await linkInMail(owner, newEmail, `invited you to join ${ws.company}`);
  expect(newLink).toMatch(/\/invitations\/[A-Za-z0-9_-]{20,}$/);
  const person = await (await browser.newContext()).newPage();
  await ownAddress(person);
  await open(person, newLink);
  await expect(person.getByRole('heading', { name: `Join ${ws.company}` })).toBeVisible();
  await expect(
    person.getByText(`${ws.username} invited ${masked(newEmail)} to join ${ws.company} as a Developer.`),
  ).toBeVisible();
  await expect(person.getByText(`To join, sign in with ${masked(newEmail)}`)).toBeVisible();
  await person.getByRole('link', { name: 'Create an account' }).click();

  await expect(person).toHaveURL(/\/signup\?email=/);
  await expect(person.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  if (hydrated()) await expect(person.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(person.getByLabel('Email', { exact: true })).toHaveValue(newEmail);
  await person.getByRole('button', { name: 'Send code' }).click();
  await expect(person.getByText('a 6-digit code is on its way')).toBeVisible();
  // The newest mail to the address is the code (the invitation came before it).
  const code = await codeFor(person, newEmail);
  await expect(person.getByLabel('Email', { exact: true })).toHaveValue(newEmail);
  await person.getByLabel('Verification code').fill(code);
  await person.getByLabel('Username').fill(newName);
  await person.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await person.getByRole('checkbox', { name: /agree to the Terms of Service/ }).check();
  await person.getByRole('button', { name: 'Sign up', exact: true }).click();

  // Signed up, back on the invitation, which now offers to join.
  await expect(person).toHaveURL(newLink);
  await expect(person.getByLabel(`Account menu for ${newName}`)).toBeVisible();
  if (hydrated()) await expect(person.locator('body[data-hydrated="true"]')).toBeAttached();
  await person.getByRole('button', { name: `Join ${ws.company}` }).click();
  await seesMembership(person, ws, newName, 'Developer');

  // The second person already has an account: they sign in from the invitation page.
  const existingLink = await linkInMail(owner, existingEmail, `invited you to join ${ws.company}`);
  expect(existingLink).not.toBe(newLink);
  await open(existing, existingLink);
  await expect(existing.getByRole('heading', { name: `Join ${ws.company}` })).toBeVisible();
  await existing.getByRole('link', { name: 'Sign in', exact: true }).click();
  await expect(existing).toHaveURL(/\/signin\?next=/);
  await expect(existing.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(existing.getByText('Please sign in to continue.')).toBeVisible();
  if (hydrated()) await expect(existing.locator('body[data-hydrated="true"]')).toBeAttached();
  await existing.getByLabel('Email or username').fill(existingName);
  await existing.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await existing.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(existing).toHaveURL(existingLink);
  await existing.getByRole('button', { name: `Join ${ws.company}` }).click();
  await seesMembership(existing, ws, existingName, 'Developer');

  // The Owner's members page: both are Active Developers now, invited by the Owner.
  await open(owner, `/workspaces/${ws.id}/members`);
  await expect(owner.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  for (const [email, name] of [[newEmail, newName], [existingEmail, existingName]]) {
    const row = teamLine(owner, email);
    await expect(row).toHaveCount(1);
    await expect(row.getByText(name, { exact: true })).toBeVisible();
    await expect(row.getByText('Active', { exact: true })).toBeVisible();
    await expect(row.getByText('Developer', { exact: true })).toBeVisible();
    await expect(row.getByText(ws.username, { exact: true })).toBeVisible();
    await expect(row.getByText('Invitation sent', { exact: true })).toHaveCount(0);
  }
  await expect(teamLine(owner, `${ws.username}@example.com`).getByText('Owner', { exact: true })).toBeVisible();

  // A used link works once.
  await open(person, newLink);
  await expect(person.getByRole('heading', { name: 'Invitation link not valid' })).toBeVisible();
});

test('the Owner withdraws an invitation after confirming, and its link stops working', async ({ browser }) => {
  test.setTimeout(120_000);
  const ws = await approvedWorkspace(browser);
  const owner = ws.page;
  await openMembers(ws);

  // Something that is not an address is named, and what was typed stays.
  await owner.getByLabel('Email addresses').fill('not-an-address');
  await owner.getByRole('button', { name: 'Send invitations' }).click();
  await expectFieldError(owner, 'Email addresses', '"not-an-address" is not an email address.');
  await expect(owner.getByLabel('Email addresses')).toHaveValue('not-an-address');

  const email = `${unique('opc')}@example.com`;
  await invite(owner, [email], 'Operator');
  const row = teamLine(owner, email);
  await expect(row.getByText('Invitation sent', { exact: true })).toBeVisible();
  await expect(row.getByText('Operator', { exact: true })).toBeVisible();
  const link = await linkInMail(owner, email, `invited you to join ${ws.company}`);

  // The status filter (a GET form) shows the open invitations only.
  await owner.getByLabel('Status', { exact: true }).selectOption({ label: 'Invitation sent' });
  await owner.getByRole('button', { name: 'Apply' }).click();
  await expect(owner).toHaveURL(/[?&]status=invited/);
  await expect(teamLine(owner, email)).toBeVisible();
  await expect(teamLine(owner, `${ws.username}@example.com`)).toHaveCount(0);

  // Withdraw asks first (a disclosure: it works without JavaScript too).
  await owner.getByLabel(`Withdraw the invitation to ${email}`).click();
  await expect(row.getByText(`Withdraw the invitation to ${email}? Its link stops working.`)).toBeVisible();
  await row.getByRole('button', { name: 'Withdraw invitation' }).click();
  await expect(
    owner.getByRole('status').filter({ hasText: 'The invitation was withdrawn; its link no longer works.' }),
  ).toBeVisible();
  await expect(teamLine(owner, email)).toHaveCount(0);

  // The invited person, signed out, finds the link dead and no workspace named.
  const person = await (await browser.newContext()).newPage();
  await ownAddress(person);
  const response = await person.goto(link);
  expect(response?.status()).toBe(404);
  if (hydrated()) await expect(person.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(person.getByRole('heading', { name: 'Invitation link not valid' })).toBeVisible();
  await expect(
    person.getByText('This invitation link is no longer valid. Ask the person who invited you to send a new one.'),
  ).toBeVisible();
  await expect(person.getByText(ws.company)).toHaveCount(0);
});
