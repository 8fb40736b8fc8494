import { expect, test } from '@playwright/test';
import { checkA11y, shot, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

test('officer adds a note and sees it in the timeline', async ({ page }) => {
  await signIn(page, 'officer');
  await page.getByTestId('customer-row').first().locator('a').first().click();
  const card = page.getByTestId('notes-card');
  await expect(card).toBeVisible();

  // An empty note is refused in place (htmx), nothing lost.
  await card.getByTestId('note-add').click();
  await expect(card.getByText('is required')).toBeVisible();

  const text = 'Called the CFO: <b>confirmed</b> the new address.\nSource: https://example.com/letter';
  await card.getByTestId('note-text').fill(text);
  await card.getByTestId('note-add').click();
  await expect(page.getByTestId('note').first().getByTestId('note-text-shown')).toHaveText(text);
  await expect(page.getByTestId('notes-card').locator('a[href="https://example.com/letter"]')).toHaveCount(0);
  await expect(page.getByTestId('history-preview-note').first()).toHaveText(text);
  await checkA11y(page, 'customer page with notes');

  await page.getByTestId('history-link').click();
  const entry = page.locator('[data-testid=history-entry][data-action="customer.note"]').first();
  await expect(entry.getByTestId('history-note')).toHaveText(text);
  await expect(entry).toContainText('Note by');
  await shot(page, 'history-with-notes');
});

test('admin opens the audit log and filters by kind', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  await checkA11y(page, 'audit log');

  await page.getByLabel('Kind').selectOption('auth');
  await page.getByTestId('audit-apply').click();
  await expect(page).toHaveURL(/kind=auth/);
  const actions = await page.getByTestId('audit-action').allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  for (const a of actions) expect(a).toMatch(/^auth\./);
  await expect(page.getByTestId('audit-csv')).toHaveAttribute('href', /kind=auth/);
  await shot(page, 'audit-log');
});
