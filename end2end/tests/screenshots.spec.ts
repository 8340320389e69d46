/**
 * The README's screenshots (`docs/screenshots/`): the business form and the review dashboard, in
 * English and Simplified Chinese, 320 and 1280 CSS px wide. Not a test: it runs only with
 * `SCREENSHOTS=1` (`SCREENSHOTS=1 npx playwright test screenshots --project hydrated`), and
 * rewrites the files. Chinese glyphs need a CJK font (Debian: `apt-get install fonts-noto-cjk`).
 */
import { test, expect, Page } from '@playwright/test';
import { chooseRole, open, reviewerPage, signUp, submitBusiness, unique } from './helpers';
import * as path from 'path';

const OUT = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const WIDTHS = [320, 1280];
const LANGS = ['en', 'zh-CN'];

async function shoot(page: Page, name: string, ready: () => Promise<void>) {
  for (const lang of LANGS) {
    await page.context().addCookies([{ name: 'isv_lang', value: lang, url: new URL(page.url()).origin }]);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await ready();
      await page.screenshot({ path: path.join(OUT, `${name}-${lang}-${width}.png`), fullPage: true });
    }
  }
}

test('screenshots for the README', async ({ browser }) => {
  test.skip(!process.env.SCREENSHOTS, 'only when SCREENSHOTS=1');
  test.setTimeout(180_000);
  const username = unique('shot');
  const applicant = await (await browser.newContext()).newPage();
  await signUp(applicant, `${username}@example.com`, username);
  await chooseRole(applicant, 'ISV');
  await open(applicant, '/onboarding/business');
  await shoot(applicant, 'business-form', async () => {
    await expect(applicant.locator('#company_name')).toBeVisible();
  });

  await applicant.context().clearCookies({ name: 'isv_lang' });
  await open(applicant, '/onboarding/business');
  await submitBusiness(applicant, `Acme ${username} Pte. Ltd.`);
  await expect(applicant).toHaveURL(/\/onboarding\/submitted\?id=/);

  const reviewer = await reviewerPage(browser);
  await shoot(reviewer, 'dashboard', async () => {
    await expect(reviewer.locator('table')).toBeVisible();
  });
});
