import { Browser, expect, Page, test } from '@playwright/test';
import { checkA11y, shot, signIn, users } from './helpers';

test.describe.configure({ mode: 'serial' });

// A signed-in page in its own browser context, so two admins can work side by side.
async function as(browser: Browser, who: keyof typeof users): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, who);
  return page;
}

// The first pending customer whose approval nothing blocks yet (associates
// complete, someone in control), found through the Pending queue.
async function approvableCustomer(page: Page): Promise<string> {
  await page.goto('/customers?status=PENDING');
  const hrefs = await page.getByTestId('customer-row').locator('td:first-child a').evaluateAll(
    (as) => as.map((a) => a.getAttribute('href')!));
  for (const href of hrefs) {
    await page.goto(href);
    if (await page.locator('a[data-testid="action-approve"]').count() > 0) return href;
  }
  throw new Error(`no approvable customer among the ${hrefs.length} pending ones`);
}

test('four-eyes: the admin who edited cannot approve; a second admin can', async ({ browser }) => {
  const admin = await as(browser, 'admin');
  const href = await approvableCustomer(admin);

  // The admin changes the description...
  await admin.getByTestId('details-edit').click();
  await admin.getByLabel('Description').fill('Reviewed the register extract; all matches.');
  await admin.getByTestId('details-save').click();
  await expect(admin.getByTestId('detail-description')).toHaveText('Reviewed the register extract; all matches.');

  // ...so the page no longer offers approval to them, and says why.
  const approve = admin.getByTestId('action-approve');
  await expect(approve).toBeDisabled();
  await expect(admin.getByTestId('approve-blockers')).toContainText('Four-eyes rule');
  await checkA11y(admin, 'customer page with approval blocked');

  // Asking anyway (the form page a browser without JavaScript uses) is refused with the reason.
  await admin.goto(`${href}/status?to=VERIFIED`);
  await expect(admin.getByTestId('status-problem')).toContainText('Four-eyes rule');
  await checkA11y(admin, 'approve page');
  const refused = admin.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/status'));
  await admin.getByTestId('status-submit').click();
  expect((await refused).status()).toBe(409);
  await expect(admin.getByTestId('status-problem')).toContainText('The customer cannot be approved');
  await expect(admin.getByTestId('status-problem')).toContainText('Four-eyes rule');
  await admin.goto(href);
  await expect(admin.getByTestId('customer-status')).toContainText('Pending');

  // The second admin approves through the dialog.
  const admin2 = await as(browser, 'admin2');
  await admin2.goto(href);
  await admin2.getByTestId('action-approve').click();
  const dialog = admin2.locator('#status-dialog-verified');
  await expect(dialog).toBeVisible();
  await checkA11y(admin2, 'approve dialog');
  await dialog.getByTestId('status-reason').fill('Documents and register checked by a second admin');
  await dialog.getByTestId('status-submit').click();
  await expect(admin2.getByTestId('customer-status')).toContainText('Verified');
  await expect(admin2.getByTestId('action-approve')).toHaveCount(0);

  // The history has both: the description (before → after) and the approval with its reason.
  await admin2.getByTestId('history-link').click();
  const entries = admin2.getByTestId('history-entry');
  await expect(entries.first()).toContainText('Documents and register checked by a second admin');
  await expect(entries.first()).toContainText('Grace Second-Admin');
  const edit = entries.nth(1);
  await expect(edit).toContainText('Ada Admin');
  await expect(edit.getByTestId('history-change').filter({ hasText: 'Description' }))
    .toContainText('Reviewed the register extract; all matches.');
  await checkA11y(admin2, 'history after approval');

  await admin.context().close();
  await admin2.context().close();
});

test('admin creates a staff account and an API key', async ({ page, request }) => {
  await signIn(page, 'admin');

  // Staff: a short password is refused with the reason, then the account is created and can sign in.
  await page.getByRole('link', { name: 'Staff', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Staff accounts', level: 1 })).toBeVisible();
  await checkA11y(page, 'staff page');
  const form = page.getByTestId('staff-new-form');
  const email = `nora.newhire.${Date.now()}@verity.test`;
  await form.getByLabel('Name').fill('Nora Newhire');
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Role').selectOption('officer');
  await form.getByLabel('Initial password').fill('short');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('error-summary')).toContainText('Initial password must be at least 12 characters.');
  await expect(page.getByLabel('Initial password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('staff-new-form').getByLabel('E-mail')).toHaveValue(email); // input kept
  await checkA11y(page, 'staff page with errors');
  await page.getByLabel('Initial password').fill('a-long-enough-initial-password');
  await page.getByTestId('staff-new-form').getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText(`Account created for ${email}.`)).toBeVisible();
  await expect(page.locator(`[data-testid="staff-row"][data-email="${email}"]`)).toContainText('Nora Newhire');

  const ctx = await page.context().browser()!.newContext();
  const newcomer = await ctx.newPage();
  await newcomer.goto('/sign-in');
  await newcomer.getByLabel('E-mail').fill(email);
  await newcomer.getByLabel('Password').fill('a-long-enough-initial-password');
  await newcomer.getByRole('button', { name: 'Sign in' }).click();
  await expect(newcomer.getByTestId('user-menu')).toContainText('Nora Newhire');
  await expect(newcomer.getByRole('link', { name: 'API keys' })).toHaveCount(0); // officers have no admin pages
  await ctx.close();

  // API keys: the key is shown once, works against the API, and is not shown again.
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await checkA11y(page, 'API keys page');
  const keyForm = page.getByTestId('apikey-new-form');
  await keyForm.getByLabel('Name').fill('onboarding sync');
  await keyForm.getByLabel('Role').selectOption('viewer');
  await keyForm.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByTestId('apikey-created')).toContainText('shown only this once');
  const secret = await page.getByTestId('apikey-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await expect(page.locator('[data-testid="apikey-row"][data-name="onboarding sync"]')).toContainText('viewer');
  await checkA11y(page, 'API keys page with a new key');
  await shot(page, 'api-keys');

  const res = await request.get('/platform/v1/customers', { headers: { Authorization: `Bearer ${secret}` } });
  expect(res.status()).toBe(200);

  await page.goto('/admin/api-keys');
  await expect(page.getByTestId('apikey-created')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
});
