import { test, expect, Browser, Locator, Page } from '@playwright/test';
import {
  approvedWorkspace, codeFor, esc, hydrated, invite, linkInMail, open, ownAddress, PASSWORD, teamLine, unique,
} from './helpers';
import type { Workspace } from './helpers';

// Managing a workspace's team from its members page: an Admin changes a Developer's role; the
// Owner blocks that member (shut out like a stranger) and unblocks them; the Owner hands the
// workspace to the Admin with their password. Each action is confirmed first in a disclosure
// (<details>), so the same steps work hydrated and with JavaScript off (the forms post and
// come back to the members page with a fixed notice).

type Role = 'Owner' | 'Admin' | 'Developer' | 'Operator';

/**
 * An invited person opens the mailed link in a browser of their own, creates an account from
 * it, and joins: their page, on the workspace.
 */
async function joinWithNewAccount(browser: Browser, ws: Workspace, email: string, username: string, role: Role) {
  const link = await linkInMail(ws.page, email, `invited you to join ${ws.company}`);
  const page = await (await browser.newContext()).newPage();
  await ownAddress(page);
  await open(page, link);
  await expect(page.getByRole('heading', { name: `Join ${ws.company}` })).toBeVisible();
  await page.getByRole('link', { name: 'Create an account' }).click();

  await expect(page).toHaveURL(/\/signup\?email=/);
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByText('a 6-digit code is on its way')).toBeVisible();
  // The newest mail to the address is the code (the invitation came before it).
  const code = await codeFor(page, email);
  await page.getByLabel('Verification code').fill(code);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('checkbox', { name: /agree to the Terms of Service/ }).check();
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();

  await expect(page).toHaveURL(link);
  await expect(page.getByLabel(`Account menu for ${username}`)).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: `Join ${ws.company}` }).click();
  await seesWorkspace(page, ws, role);
  return page;
}

/** The workspace's page, for a member other than its Owner, says their role. */
async function seesWorkspace(page: Page, ws: Workspace, role: Role) {
  await expect(page).toHaveURL(new RegExp(`/workspaces/${esc(ws.id)}$`));
  await expect(page.getByRole('heading', { name: ws.company })).toBeVisible();
  await expect(
    page.getByRole('status').filter({ hasText: `You are a member of this workspace. Your role: ${role}.` }),
  ).toBeVisible();
}

/** The CONSOLE's card for the workspace, named with the viewer's role. */
const card = (page: Page, ws: Workspace, role: Role) =>
  page.getByRole('link', { name: `${ws.company}, Approved, your role: ${role}` });

/**
 * Opens the members page and checks the viewer's role on it. Hydrated, the page fetches the team
 * once more when its live stream opens; that is waited for (up to a few seconds), so that a
 * disclosure opened next is not redrawn under the pointer.
 */
async function openMembers(page: Page, ws: Workspace, role: Role) {
  const refetched = hydrated()
    ? page
      .waitForResponse((r) => new URL(r.url()).pathname === '/api/workspaces/members', { timeout: 5_000 })
      .then((r) => r.finished())
      .catch(() => undefined)
    : Promise.resolve(undefined);
  await open(page, `/workspaces/${ws.id}/members`);
  await refetched;
  await expect(page.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(page.getByText(`Your role: ${role}`, { exact: true })).toBeVisible();
}

/**
 * What the page says after a member action: the action's own sentence when hydrated; without
 * JavaScript the post is redirected to `?key=1`, which the page words as a fixed sentence.
 */
async function says(page: Page, ws: Workspace, hydratedSentence: string, key: string, plainSentence: string) {
  if (hydrated()) {
    await expect(page.getByRole('status').filter({ hasText: hydratedSentence })).toBeVisible();
  } else {
    await expect(page).toHaveURL(new RegExp(`/workspaces/${esc(ws.id)}/members\\?${key}=1$`));
    await expect(page.getByRole('status').filter({ hasText: plainSentence })).toBeVisible();
  }
}

/** A line's cell showing exactly `text` (its role, its status). */
const cell = (line: Locator, text: string) =>
  line.getByRole('cell', { name: text, exact: true });

test('an Admin changes a role; the Owner blocks, unblocks and hands the workspace to the Admin', async ({ browser }) => {
  test.setTimeout(240_000);
  const ws = await approvedWorkspace(browser);
  const owner = ws.page;
  const ownerEmail = `${ws.username}@example.com`;
  await openMembers(owner, ws, 'Owner');
  // The Owner cannot leave before handing the workspace over.
  await expect(owner.getByText(`You own ${ws.company}. To leave it, first make an Admin its Owner`)).toBeVisible();
  await expect(owner.getByText('Leave workspace', { exact: true })).toHaveCount(0);

  // The Owner invites an Admin and a Developer; both join by creating an account.
  const adminName = unique('adm');
  const adminEmail = `${adminName}@example.com`;
  const devName = unique('dev');
  const devEmail = `${devName}@example.com`;
  await invite(owner, [adminEmail], 'Admin');
  await expect(cell(teamLine(owner, adminEmail), 'Invitation sent')).toBeVisible();
  await invite(owner, [devEmail], 'Developer');
  await expect(cell(teamLine(owner, devEmail), 'Invitation sent')).toBeVisible();
  const admin = await joinWithNewAccount(browser, ws, adminEmail, adminName, 'Admin');
  const dev = await joinWithNewAccount(browser, ws, devEmail, devName, 'Developer');

  // The Admin makes the Developer an Operator: confirm, choose, save.
  await openMembers(admin, ws, 'Admin');
  const devLine = teamLine(admin, devEmail);
  await expect(cell(devLine, 'Developer')).toBeVisible();
  await admin.getByLabel(`Change the role of ${devName}`, { exact: true }).click();
  await expect(devLine.getByText(`${devName} is a Developer now.`, { exact: true })).toBeVisible();
  await admin.getByLabel(`New role for ${devName}`, { exact: true }).selectOption({ label: 'Operator' });
  await devLine.getByRole('button', { name: 'Save role' }).click();
  await says(admin, ws, `${devName} is an Operator now.`, 'role_changed',
    'The role was changed; the member was emailed about it.');
  await expect(cell(devLine, 'Operator')).toBeVisible();
  await expect(cell(devLine, 'Developer')).toHaveCount(0);
  await expect(cell(devLine, 'Active')).toBeVisible();
  // The member sees the new role too.
  await open(dev, '/console');
  await expect(card(dev, ws, 'Operator')).toBeVisible();

  // The Owner blocks the Operator, after confirming.
  await openMembers(owner, ws, 'Owner');
  const opLine = teamLine(owner, devEmail);
  await expect(cell(opLine, 'Operator')).toBeVisible();
  await owner.getByLabel(`Block ${devName}`, { exact: true }).click();
  await expect(
    opLine.getByText(`Block ${devName}? They cannot open ${ws.company} until they are unblocked, and keep their role.`),
  ).toBeVisible();
  await opLine.getByRole('button', { name: 'Block member' }).click();
  await says(owner, ws, `${devName} is blocked: they cannot open ${ws.company} until they are unblocked.`, 'blocked',
    'The member was blocked: they cannot open this workspace until they are unblocked.');
  await expect(cell(opLine, 'Blocked')).toBeVisible();
  await expect(cell(opLine, 'Operator')).toBeVisible();
  await expect(owner.getByLabel(`Unblock ${devName}`, { exact: true })).toBeVisible();

  // The blocked member's CONSOLE no longer lists the workspace: with none left, it sends them on
  // to choose a role; the workspace's address answers "not found", as to a stranger.
  await open(dev, '/console');
  await expect(dev).toHaveURL(/\/onboarding\/role$/);
  await expect(dev.getByRole('heading', { name: 'Choose your role' })).toBeVisible();
  await expect(dev.getByRole('link', { name: new RegExp(esc(ws.company)) })).toHaveCount(0);
  const response = await dev.goto(`/workspaces/${ws.id}`);
  expect(response?.status()).toBe(404);
  if (hydrated()) await expect(dev.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(dev.getByRole('heading', { name: 'Not found', exact: true })).toBeVisible();
  await expect(dev.getByText('We could not find that workspace.')).toBeVisible();
  await expect(dev.getByText(ws.company)).toHaveCount(0);

  // The Owner unblocks them: Active again, with the role they had, and they are back in.
  await owner.getByLabel(`Unblock ${devName}`, { exact: true }).click();
  await expect(
    opLine.getByText(`Unblock ${devName}? They can open ${ws.company} again, as an Operator.`),
  ).toBeVisible();
  await opLine.getByRole('button', { name: 'Unblock member' }).click();
  await says(owner, ws, `${devName} is unblocked and can open ${ws.company} again.`, 'unblocked',
    'The member was unblocked and can open this workspace again.');
  await expect(cell(opLine, 'Active')).toBeVisible();
  await expect(cell(opLine, 'Blocked')).toHaveCount(0);
  await expect(cell(opLine, 'Operator')).toBeVisible();
  await open(dev, `/workspaces/${ws.id}`);
  await seesWorkspace(dev, ws, 'Operator');

  // The Owner makes the Admin the Owner, with their password, on the page where they just
  // unblocked. Meanwhile the Admin makes the Operator a Developer: hydrated, that change
  // reaches the Owner's page live and is applied to its line in place, so the open disclosure
  // and the password typed in it stay.
  await openMembers(admin, ws, 'Admin');
  const adminLine = teamLine(owner, adminEmail);
  await expect(cell(adminLine, 'Admin')).toBeVisible();
  await owner.getByLabel(`Make ${adminName} the Owner`, { exact: true }).click();
  const transferText = adminLine.getByText(
    `Make ${adminName} the Owner of ${ws.company}? You become an Admin, and only ${adminName} can transfer it back. Enter your password to confirm.`,
  );
  await expect(transferText).toBeVisible();
  const password = adminLine.getByLabel('Your password', { exact: true });
  await password.fill(PASSWORD);
  const opLineForAdmin = teamLine(admin, devEmail);
  await admin.getByLabel(`Change the role of ${devName}`, { exact: true }).click();
  await admin.getByLabel(`New role for ${devName}`, { exact: true }).selectOption({ label: 'Developer' });
  await opLineForAdmin.getByRole('button', { name: 'Save role' }).click();
  await expect(cell(opLineForAdmin, 'Developer')).toBeVisible();
  if (hydrated()) {
    await expect(cell(opLine, 'Developer')).toBeVisible();
    await expect(transferText).toBeVisible();
    await expect(password).toHaveValue(PASSWORD);
  }
  await adminLine.getByRole('button', { name: 'Transfer ownership' }).click();
  await says(owner, ws, `${adminName} is the Owner of ${ws.company} now; you are an Admin.`, 'transferred',
    'The ownership was transferred; you are an Admin now.');
  await expect(owner.getByText('Your role: Admin', { exact: true })).toBeVisible();
  await expect(cell(adminLine, 'Owner')).toBeVisible();
  const formerOwnerLine = teamLine(owner, ownerEmail);
  await expect(cell(formerOwnerLine, 'Admin')).toBeVisible();
  await expect(cell(formerOwnerLine, 'Owner')).toHaveCount(0);
  // As an Admin now, the former Owner may leave, and may no longer act on the new Owner.
  await expect(owner.getByText('Leave workspace', { exact: true })).toBeVisible();
  await expect(owner.getByLabel(`Block ${adminName}`, { exact: true })).toHaveCount(0);

  // The new Owner's own members page says so.
  await openMembers(admin, ws, 'Owner');
  await expect(cell(teamLine(admin, ownerEmail), 'Admin')).toBeVisible();
  await expect(cell(teamLine(admin, adminEmail), 'Owner')).toBeVisible();

  // The new Owner removes the Developer, who has the workspace open: hydrated, their page says
  // at once that they lost access (the live feed); without JavaScript, opening it again
  // answers "not found", as to a stranger.
  await open(dev, `/workspaces/${ws.id}`);
  await seesWorkspace(dev, ws, 'Developer');
  const removedLine = teamLine(admin, devEmail);
  await admin.getByLabel(`Remove ${devName}`, { exact: true }).click();
  await removedLine.getByRole('button', { name: 'Remove member' }).click();
  await says(admin, ws, `${devName} was removed from ${ws.company}.`, 'removed',
    'The member was removed from the team.');
  await expect(teamLine(admin, devEmail)).toHaveCount(0);
  if (hydrated()) {
    await expect(
      dev.getByText('You no longer have access to this workspace: its Owner or an Admin removed or blocked you.'),
    ).toBeVisible();
    await expect(dev.getByText(ws.company)).toHaveCount(0);
  } else {
    const gone = await dev.goto(`/workspaces/${ws.id}`);
    expect(gone?.status()).toBe(404);
    await expect(dev.getByText('We could not find that workspace.')).toBeVisible();
  }
});
