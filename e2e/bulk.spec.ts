import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { checkA11y, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

const view = '/customers?status=VERIFIED&assignee=none&sort=name';

test('officer ticks two customers, assigns them to himself, reads the result page, then releases them', async ({ page }) => {
  await signIn(page, 'officer');
  await page.goto(view);
  const rows = page.getByTestId('customer-row');
  await expect(rows.nth(1)).toBeVisible();
  const names = [];
  for (const i of [0, 1]) {
    names.push((await rows.nth(i).locator('td:first-child a').textContent())!.trim());
    await rows.nth(i).getByTestId('select-row').check();
  }
  await page.mouse.move(0, 0); // the hovered row's background is not what is being checked
  await checkA11y(page, 'customers list with the bulk bar');
  await page.getByTestId('bulk-assignee').selectOption('me');
  await page.getByTestId('bulk-assign').click();

  await expect(page.getByTestId('bulk-summary')).toContainText('2 of 2 done, 0 refused');
  const results = page.getByTestId('bulk-result');
  await expect(results).toHaveCount(2);
  for (const name of names) {
    await expect(results.filter({ hasText: name })).toContainText('Assigned to');
  }
  await checkA11y(page, 'bulk result page');

  // Back on the list, the two are the officer's: gone from the unassigned view.
  await page.getByTestId('bulk-back').click();
  for (const name of names) {
    await expect(page.getByTestId('customer-row').filter({ hasText: name })).toHaveCount(0);
  }

  // Release them again through the same bulk form, from the Mine queue.
  await page.goto('/customers?assignee=me&status=VERIFIED');
  for (const name of names) {
    await page.getByTestId('customer-row').filter({ hasText: name }).getByTestId('select-row').check();
  }
  await page.getByTestId('bulk-assignee').selectOption('none');
  await page.getByTestId('bulk-assign').click();
  await expect(page.getByTestId('bulk-summary')).toContainText('2 of 2 done, 0 refused');
  await expect(page.getByTestId('bulk-result').first()).toContainText('Unassigned.');
});

test('the Export CSV link downloads the view as a dated CSV', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/customers?status=PENDING');
  const first = (await page.getByTestId('customer-row').first().locator('td:first-child a').textContent())!.trim();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync((await download.path())!, 'utf8');
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('reference,name,registrationNumber,country,status,risk,assignee,statusSince,associates,createdAt,updatedAt');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes(',PENDING,'))).toBe(true);
  expect(text).toContain(first.replace(/"/g, '""'));
});
