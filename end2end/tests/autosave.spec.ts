import { test, expect, Page, Request } from '@playwright/test';
import { chooseRole, hydrated, logoPng, open, signUp, unique } from './helpers';

// The business form's autosave (hydrated only; without JavaScript the buttons post the whole
// form, covered by onboarding.spec.ts): each change sends only what changed, never the logo; a
// chosen logo goes up once, on its own, and the buttons do not send it again.

/** A post of the business form as it left the browser: where to, and its parts by name. */
interface FormPost {
  path: string;
  /** The name of every part, in order. */
  parts: string[];
  /** The names of the parts that carry a file. */
  files: string[];
}

const FORM_POST = /^\/api\/onboarding\/(autosave_business|save_business|submit_business|save_business_and_go_back)$/;

/**
 * The parts of a multipart body, read from their headers. Chromium does not report a body that
 * carries a file at all: such a post shows as one odd part, and its size tells the rest
 * (`bodySize`).
 */
function formPost(request: Request): FormPost {
  const post: FormPost = { path: new URL(request.url()).pathname, parts: [], files: [] };
  const body = request.postDataBuffer();
  if (!body) {
    post.parts.push('(no body reported)');
    return post;
  }
  const header = /Content-Disposition: form-data; name="([^"]*)"(; filename="[^"]*")?/gi;
  for (const m of body.toString('latin1').matchAll(header)) {
    post.parts.push(m[1]);
    if (m[2]) post.files.push(m[1]);
  }
  return post;
}

/** Records the business form's posts from now on, and counts those answered. */
function recordPosts(page: Page) {
  const posts: FormPost[] = [];
  const requests: Request[] = [];
  let answered = 0;
  const ours = (r: Request) => r.method() === 'POST' && FORM_POST.test(new URL(r.url()).pathname);
  page.on('request', (r) => {
    if (ours(r)) {
      posts.push(formPost(r));
      requests.push(r);
    }
  });
  page.on('requestfinished', (r) => {
    if (ours(r)) answered++;
  });
  /** Waits until `n` posts have been sent and answered. */
  const settled = async (n: number) => {
    await expect.poll(() => posts.length).toBe(n);
    await expect.poll(() => answered).toBe(n);
  };
  /** Whether the server's answer to the `i`th post names a stored logo (`/logos/…`). */
  const storedLogo = async (i: number) => /\/logos\//.test(await (await requests[i].response())!.text());
  return { posts, settled, storedLogo };
}

const NO_BODY = { parts: ['(no body reported)'], files: [] };

test('the autosave sends only what changed, and a chosen logo once, on its own', async ({ page }) => {
  test.skip(!hydrated(), 'the autosave needs JavaScript; without it the buttons post the whole form');
  const username = unique('auto');
  const company = `Auto ${username} Ltd`;
  await signUp(page, `${username}@example.com`, username);
  await chooseRole(page, 'ISV');
  const { posts, settled, storedLogo } = recordPosts(page);
  const autosave = '/api/onboarding/autosave_business';

  // One field, then another: each change (on leaving the field) sends that field alone.
  await page.getByLabel('Company Name').fill(company);
  await page.getByLabel('Business Address').fill('1 Raffles Place, #20-01');
  await page.getByLabel('Business Address').press('Tab');
  await settled(2);
  expect(posts).toEqual([
    { path: autosave, parts: ['application_id', 'company_name'], files: [] },
    { path: autosave, parts: ['application_id', 'business_address'], files: [] },
  ]);

  // A chosen logo: one post, carrying the file (Chromium reports no body with a file in it;
  // the answer says a logo was stored); the page shows it is stored.
  await page.getByLabel('Business Logo (optional)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng(128) });
  await settled(3);
  expect(posts[2]).toEqual({ path: autosave, ...NO_BODY });
  expect(await storedLogo(2), 'the logo went up').toBe(true);
  expect(await storedLogo(0) || await storedLogo(1), 'the text autosaves stored no logo').toBe(false);
  await expect(page.getByText('A logo is uploaded; choose a file only to replace it.')).toBeVisible();

  // Later changes, and the Save draft button, leave it out.
  await page.getByLabel('Website (optional)').fill('acme.example.com');
  await page.getByLabel('Website (optional)').press('Tab');
  await settled(4);
  expect(posts[3]).toEqual({ path: autosave, parts: ['application_id', 'website'], files: [] });
  await page.getByRole('button', { name: 'Save draft' }).click();
  await settled(5);
  await expect(page.getByText('Draft saved.')).toBeVisible();
  expect(posts[4].path).toBe('/api/onboarding/save_business');
  expect(posts[4].parts).toEqual(expect.arrayContaining(['application_id', 'company_name', 'business_address', 'website']));
  expect(posts[4].parts).not.toContain('logo');
  expect(posts.filter((p) => p.parts.includes('(no body reported)')), 'one post carried a file').toHaveLength(1);

  // Another file chosen goes up again, once.
  await page.getByLabel('Business Logo (optional)').setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: logoPng(160) });
  await settled(6);
  expect(posts[5]).toEqual({ path: autosave, ...NO_BODY });
  expect(await storedLogo(5)).toBe(true);

  // Reloaded: everything typed, and the last logo chosen.
  await open(page, '/onboarding/business');
  await expect(page.getByLabel('Company Name')).toHaveValue(company);
  await expect(page.getByLabel('Business Address')).toHaveValue('1 Raffles Place, #20-01');
  await expect(page.getByLabel('Website (optional)')).toHaveValue('acme.example.com');
  await expect(page.getByText('A logo is uploaded; choose a file only to replace it.')).toBeVisible();
  const logo = page.locator('.logo-preview img');
  await expect(logo).toHaveAttribute('src', /^\/logos\//);
  await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
  expect(posts).toHaveLength(6);
});
