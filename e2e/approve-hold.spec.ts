import { expect, Page, test } from '@playwright/test';
import { checkA11y, signIn } from './helpers';

// The first pending customer whose approval nothing blocks for this admin.
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

test('Approve is held while the details form has unsaved edits', async ({ page }) => {
  await signIn(page, 'admin2');
  const href = await approvableCustomer(page);
  const approve = page.getByTestId('action-approve');
  const note = page.getByTestId('approve-hold');
  await expect(approve).not.toHaveAttribute('aria-disabled', 'true');
  await expect(note).toBeHidden();

  // Opening the form is not an edit yet.
  await page.getByTestId('details-edit').click();
  const description = page.getByLabel('Description');
  await expect(description).toBeVisible();
  await expect(approve).not.toHaveAttribute('aria-disabled', 'true');

  // Typing holds Approve and says why.
  const before = await description.inputValue();
  await description.fill(before + ' (edited)');
  await expect(approve).toHaveAttribute('aria-disabled', 'true');
  await expect(note).toBeVisible();
  await expect(note).toContainText('Save or cancel your edits');
  await expect(approve).toHaveAttribute('aria-describedby', 'approve-hold');
  await checkA11y(page, 'customer page with Approve held');

  // A click on the held control opens nothing and goes nowhere.
  await approve.click({ force: true });
  await expect(page.locator('#status-dialog-verified')).toBeHidden();
  expect(new URL(page.url()).pathname).toBe(href);

  // Typing the old text back is no edit: Approve is free again.
  await description.fill(before);
  await expect(approve).not.toHaveAttribute('aria-disabled', 'true');
  await expect(note).toBeHidden();

  // A refused save brings the form back with the user's input: still held.
  const name = page.getByLabel('Company name');
  await name.fill('');
  await page.getByTestId('details-save').click();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(approve).toHaveAttribute('aria-disabled', 'true');

  // Cancel swaps the form out and releases it; Approve then opens its dialog.
  await page.getByTestId('details-cancel').click();
  await expect(page.getByTestId('details-form')).toHaveCount(0);
  await expect(approve).not.toHaveAttribute('aria-disabled', 'true');
  await expect(note).toBeHidden();
  await approve.click();
  await expect(page.locator('#status-dialog-verified')).toBeVisible();
});
