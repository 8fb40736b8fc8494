import { Browser, expect, Page, test } from '@playwright/test';
import { checkA11y, shot, signIn, users } from './helpers';

async function as(browser: Browser, who: keyof typeof users): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who);
  return page;
}

// The first verified customer not already changed since approval.
async function settledVerified(page: Page): Promise<string> {
  await page.goto('/customers?status=VERIFIED');
  const hrefs = await page.getByTestId('customer-row').locator('td:first-child a').evaluateAll(
    (as) => as.map((a) => a.getAttribute('href')!));
  for (const href of hrefs) {
    await page.goto(href);
    if (await page.getByTestId('review-banner').count() === 0) return href;
  }
  throw new Error(`no settled verified customer among the ${hrefs.length} listed`);
}

test('an officer renames a verified customer: review required; a second admin confirms it', async ({ browser }) => {
  const officer = await as(browser, 'officer');
  const href = await settledVerified(officer);
  const before = (await officer.getByTestId('customer-name').textContent())!.trim();
  const after = `${before} Renamed`;

  await officer.getByTestId('details-edit').click();
  await officer.getByLabel('Company name').fill(after);
  await officer.getByTestId('details-save').click();
  await expect(officer.getByTestId('details-form')).toHaveCount(0);
  await officer.goto(href);

  // Still VERIFIED, with the banner saying what changed; an officer cannot confirm.
  await expect(officer.getByTestId('customer-status')).toContainText(/verified/i);
  const banner = officer.getByTestId('review-banner');
  await expect(banner).toBeVisible();
  await expect(banner.getByTestId('review-change')).toContainText(`${before} → ${after}`);
  await expect(officer.getByTestId('action-review-confirm')).toHaveCount(0);

  // The queue tab lists it.
  await officer.goto('/customers?review=1');
  await expect(officer.getByTestId('tab-review')).toHaveAttribute('aria-current', 'page');
  await expect(officer.getByTestId('customer-row').filter({ hasText: after })).toHaveCount(1);

  // A second admin confirms through the dialog, with a reason.
  const admin = await as(browser, 'admin2');
  await admin.goto(href);
  await checkA11y(admin, 'customer page with review required');
  await shot(admin, 'customer-review-required');
  await admin.getByTestId('action-review-confirm').click();
  const dialog = admin.locator('#review-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('review-submit').click();
  await expect(dialog.getByTestId('review-reason')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByTestId('review-reason').fill('Name change matches the registry extract.');
  await dialog.getByTestId('review-submit').click();
  await expect(admin.getByTestId('review-banner')).toHaveCount(0);
  await expect(admin.getByTestId('customer-status')).toContainText(/verified/i);

  await officer.goto('/customers?review=1');
  await expect(officer.getByTestId('customer-row').filter({ hasText: after })).toHaveCount(0);
});
