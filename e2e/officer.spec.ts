import { expect, test } from '@playwright/test';
import { checkA11y, shot, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

test('sign-in page is accessible and refuses a wrong password', async ({ page }) => {
  await page.goto('/sign-in');
  await checkA11y(page, 'sign-in');
  await shot(page, 'sign-in');
  await page.getByLabel('E-mail').fill('officer@verity.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-error')).toContainText('not right');
  await expect(page.getByLabel('E-mail')).toHaveValue('officer@verity.test');
});

test('officer searches, edits details, edits associates and reopens', async ({ page }) => {
  await signIn(page, 'officer');
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
  await checkA11y(page, 'customers list');

  // Search as you type: the results change without a reload, the URL follows.
  const rows = page.getByTestId('customer-row');
  const firstName = (await rows.first().locator('a').first().textContent())!.trim();
  const word = firstName.split(/\s+/)[0];
  await page.getByTestId('search-input').fill(word);
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(word)}`));
  await expect(rows.first()).toContainText(word);
  await shot(page, 'customers-list');

  // A search with no match says what to do; back restores the previous search.
  await page.getByTestId('search-input').fill('zzzz-no-such-company');
  await expect(page.getByTestId('empty-state')).toContainText('No customers match');
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(word)}`));
  await expect(page.getByTestId('search-input')).toHaveValue(word);

  // Open the customer.
  await rows.first().locator('a').first().click();
  await expect(page.getByTestId('customer-name')).toHaveText(firstName);
  await checkA11y(page, 'customer page');

  // Edit details in place, with one validation error first.
  await page.getByTestId('details-edit').click();
  const form = page.getByTestId('details-form');
  await expect(form).toBeVisible();
  await checkA11y(page, 'details form');
  await form.getByLabel('Company name').fill('');
  await form.getByLabel('City').fill('Lisbon');
  await page.getByTestId('details-save').click();
  const name = page.getByLabel('Company name');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('City')).toHaveValue('Lisbon'); // input kept
  await expect(page.getByTestId('error-summary')).toContainText('Company name');
  await name.fill(firstName + ' Group');
  await page.getByTestId('details-save').click();
  await expect(page.getByTestId('detail-name')).toHaveText(firstName + ' Group');
  await expect(page.getByTestId('detail-address')).toContainText('Lisbon');

  // Associates: add one, remove another, save.
  await page.getByTestId('associates-edit').click();
  const editor = page.getByTestId('associates-form');
  await expect(editor).toBeVisible();
  const before = await editor.getByTestId('associate-row').count();
  await page.getByTestId('associate-add').click();
  const added = editor.getByTestId('associate-row').last();
  await added.getByLabel('First name').fill('Grace');
  await added.getByLabel('Last name').fill('Hopper');
  await added.getByLabel('Date of birth').fill('1960-12-09');
  await added.getByLabel('E-mail').fill('grace.hopper@example.com');
  await added.getByLabel('Document type').selectOption('PASSPORT');
  await added.getByLabel('Document number').fill('GH1234567');
  await added.getByLabel('Document issued by').selectOption('US');
  await added.getByLabel('Control').check();
  await checkA11y(page, 'associates editor');
  await shot(page, 'associates-editor');
  if (before > 0) {
    await editor.getByTestId('associate-row').first().getByTestId('associate-remove').click();
  }
  await page.getByTestId('associates-save').click();
  await expect(page.getByTestId('associates-table')).toContainText('Grace Hopper');
  await expect(page.getByTestId('associate')).toHaveCount(before > 0 ? before : 1);
  await shot(page, 'customer-page');

  // Saved associates open as compact rows: a summary line that expands to edit.
  await page.getByTestId('associates-edit').click();
  const grace = editor.getByTestId('associate-row').filter({ hasText: 'Grace Hopper' });
  const summary = grace.getByTestId('associate-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('Control');
  await expect(summary).toContainText('Born 1960-12-09');
  await expect(summary).toContainText('Passport GH1234567 (US)');
  const toggle = grace.getByTestId('associate-toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(grace.getByLabel('First name')).toBeHidden();
  await checkA11y(page, 'associates editor with compact rows');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const dob = grace.getByLabel('Date of birth');
  await expect(dob).toBeVisible();
  await expect(dob).toHaveValue('1960-12-09'); // ISO, not the browser's mm/dd/yyyy
  await expect(dob).toHaveAttribute('placeholder', 'YYYY-MM-DD');
  await grace.getByLabel('Title').fill('Rear Admiral');
  await toggle.click();
  await expect(grace.getByLabel('Title')).toBeHidden();
  await page.getByTestId('associates-save').click(); // folded inputs are sent too
  await expect(page.getByTestId('associates-table')).toContainText('Rear Admiral');

  // History shows the changes, newest first.
  await page.getByTestId('history-link').click();
  const entries = page.getByTestId('history-entry');
  await expect(entries.first()).toContainText('Associates changed'); // the title
  await expect(entries.nth(1)).toContainText('Associates changed'); // Grace added
  await expect(entries.nth(2)).toContainText('Details changed');
  await expect(entries.nth(2)).toContainText('Lisbon');
  await checkA11y(page, 'history');
  await shot(page, 'history');
});

test('officer reopens a rejected customer with a reason', async ({ page }) => {
  await signIn(page, 'officer');
  await page.getByRole('link', { name: /Rejected/ }).click();
  await expect(page).toHaveURL(/status=REJECTED/);
  await page.getByTestId('customer-row').first().locator('a').first().click();
  await expect(page.getByTestId('action-approve')).toHaveCount(0); // officers never approve
  await page.getByTestId('action-reopen').click();
  const dialog = page.locator('#status-dialog-pending');
  await expect(dialog).toBeVisible();
  await checkA11y(page, 'reopen dialog');
  await dialog.getByTestId('status-submit').click();
  await expect(dialog.getByTestId('status-reason')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByTestId('status-reason').fill('New documents received from the client');
  await dialog.getByTestId('status-submit').click();
  await expect(page.getByTestId('customer-status')).toContainText('Pending');
  await expect(page.getByTestId('history-preview')).toContainText('New documents received');
});
