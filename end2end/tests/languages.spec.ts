/**
 * Languages (issue 12), in both projects: hydrated and with JavaScript off.
 *
 * 1. The header's switcher is a plain form: pressing "简体中文" brings the same page back in
 *    Chinese (`<html lang="zh-CN">`), hydrated again when JavaScript is on, and the choice stays
 *    for the next page; "English" brings English back. A field error shows in Chinese: from the
 *    browser's own check when hydrated, from the server when not.
 * 2. The Chinese pages pass the same WCAG 2.2 AA audit and 320 px reflow as the English ones
 *    (`checkPage`): every signed-out page and sign-up after "发送验证码"; the applicant's role
 *    choice, business form empty and with errors, submitted, console, workspace, details,
 *    members, account; the reviewer's dashboard, detail and reject with its error, and their
 *    two-step verification page (on) (the people are made through the English helpers, the
 *    reviewer turning two-step verification on, then read the portal in Chinese through the
 *    cookie).
 */
import { test, expect, Page, BrowserContext } from '@playwright/test';
import { chooseRole, hydrated, open, ownAddress, PASSWORD, reviewerPage, signUp, submitBusiness, unique } from './helpers';
import { checkPage } from './a11y-helpers';

const h1 = (page: Page, name?: string | RegExp) =>
  page.getByRole('heading', { level: 1, ...(name === undefined ? {} : { name }) });

/** Reads the portal in Chinese from now on, as the switcher's cookie does. */
async function readChinese(context: BrowserContext, baseURL: string) {
  await context.addCookies([{ name: 'isv_lang', value: 'zh-CN', url: baseURL }]);
}

test('the header switches the language, and the page keeps working in it', async ({ page }) => {
  // A page rendered in one language and hydrated in another would log errors (a mismatch, a
  // panic); a server function's refusal logs "Failed to load resource", which is expected.
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await ownAddress(page);
  await open(page, '/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(h1(page, 'Sign in')).toBeVisible();

  await page.getByRole('form', { name: 'Language' }).getByRole('button', { name: '简体中文' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(h1(page, '登录')).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  // The choice stays: the next page is Chinese too, and the switcher now offers English.
  await open(page, '/signup');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  const switcher = page.getByRole('form', { name: '语言' });
  await expect(switcher.getByRole('button', { name: 'English' })).toBeVisible();

  // A field error, in Chinese: the browser's instant check, or the server's answer.
  const email = page.getByLabel('邮箱', { exact: true });
  await email.fill('not an address');
  if (hydrated()) {
    await email.blur();
  } else {
    await page.getByRole('button', { name: '发送验证码' }).click();
  }
  await expect(page.locator('#email-error')).toContainText(/[\u4e00-\u9fff]/);
  await expect(email).toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('form', { name: '语言' }).getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(h1(page, 'Create your account')).toBeVisible();
  expect(errors).toEqual([]);
});

test('signing in to an account that reads Chinese brings the portal in Chinese', async ({ browser }) => {
  // The account is made reading Chinese; a fresh browser in English signs in to it.
  const username = unique('zhacct');
  const first = await (await browser.newContext()).newPage();
  await signUp(first, `${username}@example.com`, username);
  await open(first, '/account');
  await first.getByRole('form', { name: 'Change the language' }).getByRole('button', { name: '简体中文' }).click();
  await expect(first.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(first.getByText('页面和我们发给您的邮件使用简体中文。')).toBeVisible();
  await first.context().close();

  const page = await (await browser.newContext()).newPage();
  await ownAddress(page);
  await open(page, '/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel('Email or username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // No application yet: the console sends them on to choose a role, in Chinese.
  await expect(page).toHaveURL(/\/onboarding\/role$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(h1(page, '选择角色')).toBeVisible();
  if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.context().close();
});

test('Chinese pages pass the WCAG 2.2 AA audit and reflow at 320 px', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const visitor = await (await browser.newContext()).newPage();
  await ownAddress(visitor);
  await readChinese(visitor.context(), baseURL!);
  for (const [path, label] of [
    ['/', 'the landing page'], ['/signin', 'the sign-in page'], ['/signup', 'the sign-up page'],
    ['/forgot-password', 'the forgot-password page'], ['/terms', 'the Terms of Service'],
    ['/privacy', 'the Privacy Policy'], ['/accessibility', 'the accessibility statement'],
  ]) {
    await open(visitor, path);
    await expect(visitor.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await checkPage(visitor, `${label} (zh-CN)`, h1(visitor));
  }
  await visitor.goto('/no-such-page-here');
  await checkPage(visitor, 'a 404 page (zh-CN)', h1(visitor));
  await open(visitor, '/signup');
  await visitor.getByLabel('邮箱', { exact: true }).fill(`${unique('zhcode')}@example.com`);
  await visitor.getByRole('button', { name: '发送验证码' }).click();
  await expect(visitor.getByRole('status').filter({ hasText: '验证码' })).toBeVisible();
  await checkPage(visitor, 'the sign-up page after Send code (zh-CN)', h1(visitor));
  await visitor.context().close();

  // An applicant with a submitted application, and a reviewer, reading Chinese.
  const username = unique('zh');
  const company = `星河 ${username}`;
  const applicant = await (await browser.newContext()).newPage();
  await signUp(applicant, `${username}@example.com`, username);
  await readChinese(applicant.context(), baseURL!);
  await open(applicant, '/onboarding/role');
  await expect(applicant.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await checkPage(applicant, 'the role choice (zh-CN)', h1(applicant, '选择角色'));
  await applicant.context().clearCookies({ name: 'isv_lang' });
  await open(applicant, '/onboarding/role');
  await chooseRole(applicant, 'ISV');
  await readChinese(applicant.context(), baseURL!);
  await open(applicant, '/onboarding/business');
  await checkPage(applicant, 'the empty business form (zh-CN)', h1(applicant));
  await applicant.getByRole('button', { name: '提交', exact: true }).click();
  await expect(applicant.locator('.error-summary')).toBeVisible();
  await checkPage(applicant, 'the business form with errors (zh-CN)', h1(applicant));
  await applicant.context().clearCookies({ name: 'isv_lang' });
  await open(applicant, '/onboarding/business');
  await submitBusiness(applicant, company);
  await expect(applicant).toHaveURL(/\/onboarding\/submitted\?id=/);
  const id = new URL(applicant.url()).searchParams.get('id');
  await readChinese(applicant.context(), baseURL!);
  for (const [path, label] of [
    [`/onboarding/submitted?id=${id}`, 'the submitted page'], ['/console', 'the console'],
    [`/workspaces/${id}`, 'the workspace page'], [`/workspaces/${id}/onboarding`, 'the onboarding details'],
    [`/workspaces/${id}/members`, 'the members page'], ['/account', 'the account page'],
  ]) {
    await open(applicant, path);
    await expect(applicant.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await checkPage(applicant, `${label} (zh-CN)`, h1(applicant));
  }
  await applicant.context().close();

  const reviewer = await reviewerPage(browser);
  await readChinese(reviewer.context(), baseURL!);
  await open(reviewer, '/review');
  await expect(reviewer.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await checkPage(reviewer, 'the review dashboard (zh-CN)', h1(reviewer));
  await open(reviewer, `/review/${id}`);
  await checkPage(reviewer, 'the application detail (zh-CN)', h1(reviewer, company));
  await reviewer.getByRole('button', { name: '驳回' }).click();
  await expect(reviewer.locator('.error-summary')).toBeVisible();
  await checkPage(reviewer, 'the reject form with its error (zh-CN)', h1(reviewer, company));
  await open(reviewer, '/account/second-factor');
  await expect(reviewer.getByRole('heading', { name: '身份验证器应用' })).toBeVisible();
  await checkPage(reviewer, 'the two-step verification page, on (zh-CN)', h1(reviewer, '两步验证'));
  await reviewer.context().close();
});

test('moments are in the reader\'s time zone once hydrated, and in UTC saying so without JavaScript', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const username = unique('tz');
  await signUp(page, `${username}@example.com`, username);
  await readChinese(context, baseURL!);
  await open(page, '/account');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  // The devices list says when this device was last seen.
  const seen = page.locator('time').first();
  await expect(seen).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
  if (hydrated()) {
    // Chromium's Chinese wording for Asia/Shanghai ("2026年11月27日 GMT+8 08:55").
    await expect(seen).toContainText('GMT+8');
    await expect(seen).toContainText('年');
    await expect(seen).not.toContainText('UTC');
  } else {
    await expect(seen).toContainText(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC/);
  }
  await context.close();
});
