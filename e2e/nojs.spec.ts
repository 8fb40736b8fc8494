import { expect, Page, test } from '@playwright/test';
import { checkA11yWithoutJS as checkA11y, signIn } from './helpers';

// Everything an officer needs works as plain HTML forms: no htmx, no app.js.
test.use({ javaScriptEnabled: false });

// Clicks a submit button and returns the status of the POST it sends
// (303 for a redirect after success, 422 for a form shown again with errors).
async function submit(page: Page, button: ReturnType<Page['getByTestId']>): Promise<number> {
  const res = page.waitForResponse((r) => r.request().method() === 'POST');
  await button.click();
  const status = (await res).status();
  await page.waitForLoadState();
  return status;
}

test('officer without JavaScript: search, edit details, add an associate, reopen', async ({ page }) => {
  // A long walk (a dozen full page loads, each checked with axe): on a busy 2-core machine it needs more
  // than the default minute; the ceiling is not a speed claim.
  test.setTimeout(180_000);
  await signIn(page, 'officer');
  await checkA11y(page, 'customers list without JavaScript');

  // Search is a plain GET form.
  const rows = page.getByTestId('customer-row');
  const someName = (await rows.nth(2).locator('a').first().textContent())!.trim();
  await page.getByTestId('search-input').fill(someName);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(rows.first()).toContainText(someName);

  // A verified customer, from its queue.
  await page.goto('/customers');
  await page.getByRole('link', { name: /Verified/ }).click();
  await expect(page).toHaveURL(/status=VERIFIED/);
  await rows.first().locator('a').first().click();
  await expect(page.getByTestId('customer-status')).toContainText('Verified');
  const url = page.url();
  const name = (await page.getByTestId('customer-name').textContent())!.trim();

  // Details: the Edit link opens the form as a page; a missing city comes back 422 with the rest kept.
  await page.getByTestId('details-edit').click();
  await expect(page).toHaveURL(/\/details\/edit$/);
  const form = page.getByTestId('details-form');
  await checkA11y(page, 'details form without JavaScript');
  await form.getByLabel('City').fill('');
  await form.getByLabel('Address line 1').fill('12 Rua Augusta');
  expect(await submit(page, page.getByTestId('details-save'))).toBe(422);
  await expect(page.getByLabel('City')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('error-summary')).toContainText('City is required.');
  await expect(page.getByLabel('Address line 1')).toHaveValue('12 Rua Augusta');
  await checkA11y(page, 'details form with an error, without JavaScript');
  await page.getByLabel('City').fill('Porto');
  expect(await submit(page, page.getByTestId('details-save'))).toBe(303);
  await expect(page).toHaveURL(url);
  await expect(page.getByText('Company details saved.')).toBeVisible();
  await expect(page.getByTestId('detail-address')).toContainText('12 Rua Augusta');
  await expect(page.getByTestId('detail-address')).toContainText('Porto');

  // Associates: "Add associate" and "Remove" are submit buttons the server answers with the editor again.
  await page.getByTestId('associates-edit').click();
  await expect(page).toHaveURL(/\/associates\/edit$/);
  const editor = page.getByTestId('associates-form');
  const assocRows = editor.getByTestId('associate-row');
  const before = await assocRows.count();
  expect(await submit(page, page.getByTestId('associate-add'))).toBe(200);
  expect(await submit(page, page.getByTestId('associate-add'))).toBe(200);
  await expect(assocRows).toHaveCount(before + 2);
  expect(await submit(page, assocRows.last().getByTestId('associate-remove'))).toBe(200);
  await expect(assocRows).toHaveCount(before + 1);
  await checkA11y(page, 'associates editor without JavaScript');
  const added = assocRows.last();
  await added.getByLabel('First name').fill('Ada');
  await added.getByLabel('Last name').fill('Lovelace');
  await added.getByLabel('Date of birth').fill('12/10/1971'); // not YYYY-MM-DD
  await added.getByLabel('Document type').selectOption('PASSPORT');
  await added.getByLabel('Document number').fill('AL7654321');
  await added.getByLabel('Document issued by').selectOption('GB');
  expect(await submit(page, page.getByTestId('associates-save'))).toBe(422);
  const dob = assocRows.last().getByLabel('Date of birth');
  await expect(dob).toHaveAttribute('aria-invalid', 'true');
  await expect(dob).toHaveValue('12/10/1971');
  await expect(assocRows.last().getByLabel('First name')).toHaveValue('Ada');
  await expect(assocRows.last().getByLabel('Document issued by')).toHaveValue('GB');
  await expect(page.getByTestId('error-summary')).toContainText('Date of birth must be a date in the form YYYY-MM-DD.');
  // Without JavaScript every row is open: no summary line, every input visible.
  await expect(assocRows.first().getByTestId('associate-summary')).toBeHidden();
  await expect(assocRows.first().getByLabel('First name')).toBeVisible();
  await checkA11y(page, 'associates editor with an error, without JavaScript');
  await dob.fill('1971-12-10');
  expect(await submit(page, page.getByTestId('associates-save'))).toBe(303);
  await expect(page).toHaveURL(url);
  await expect(page.getByTestId('associates-table')).toContainText('Ada Lovelace');
  await expect(page.getByTestId('associate')).toHaveCount(before + 1);

  // Status: the Reopen link opens the form as a page; the reason is required.
  await page.getByTestId('action-reopen').click();
  await expect(page).toHaveURL(/\/status\?to=PENDING$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await checkA11y(page, 'reopen page without JavaScript');
  expect(await submit(page, page.getByTestId('status-submit'))).toBe(422);
  await expect(page.getByTestId('status-reason')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('status-reason').fill('Address changed; documents to be checked again');
  expect(await submit(page, page.getByTestId('status-submit'))).toBe(303);
  await expect(page).toHaveURL(url);
  await expect(page.getByTestId('customer-status')).toContainText('Pending');
  await expect(page.getByText('Customer reopened for review.')).toBeVisible();

  // The history lists all three, newest first, with the reason and the old → new values.
  await page.getByTestId('history-link').click();
  const entries = page.getByTestId('history-entry');
  await expect(entries.first().getByTestId('history-reason')).toContainText('Address changed; documents to be checked again');
  await expect(entries.nth(1)).toContainText('Ada Lovelace');
  await expect(entries.nth(2).getByTestId('history-change').filter({ hasText: 'City' })).toContainText('Porto');
  await checkA11y(page, 'history without JavaScript');
});
