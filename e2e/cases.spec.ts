import { expect, test } from '@playwright/test';
import { checkA11y, shot, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

// The count a queue tab shows ("Mine 3" → 3).
async function tabCount(page: import('@playwright/test').Page, id: string): Promise<number> {
  const text = (await page.getByTestId(id).locator('.tab-count').textContent())!.trim();
  return Number(text.replace(/[^0-9]/g, ''));
}

test('officer takes the next case, finds it in Mine, and unassigns it', async ({ page }) => {
  await signIn(page, 'officer');
  await page.goto('/customers');
  await expect(page.getByTestId('tab-overdue')).toBeVisible();
  const mineBefore = await tabCount(page, 'tab-mine');
  await checkA11y(page, 'customers list with queues');

  // The Pending queue lists the longest-waiting case first, with its age.
  await page.goto('/customers?status=PENDING');
  await expect(page.getByTestId('customer-row').first().getByTestId('age')).toBeVisible();
  await shot(page, 'customers-queues');

  // Next case opens the oldest unassigned pending customer, now the officer's.
  await page.getByTestId('next-case').click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('customer-assignee')).toHaveText('Olivia Officer');
  await expect(page.getByTestId('customer-sla')).toBeVisible();
  const name = (await page.getByTestId('customer-name').textContent())!.trim();
  const href = new URL(page.url()).pathname;
  await checkA11y(page, 'customer page with case header');

  // Mine counts it and lists it.
  await page.goto('/customers');
  await expect.poll(() => tabCount(page, 'tab-mine')).toBe(mineBefore + 1);
  await page.getByTestId('tab-mine').click();
  await expect(page.getByTestId('tab-mine')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('customer-row').filter({ hasText: name })).toHaveCount(1);

  // Unassign from the customer page: the case is nobody's again.
  await page.goto(href);
  await page.getByTestId('unassign').click();
  await expect(page.getByTestId('customer-assignee')).toHaveText('Unassigned');
  await expect(page.getByTestId('assign-me')).toBeVisible();
  await page.goto('/customers?assignee=me');
  await expect(page.getByTestId('customer-row').filter({ hasText: name })).toHaveCount(0);
  expect(await tabCount(page, 'tab-mine')).toBe(mineBefore);
});
