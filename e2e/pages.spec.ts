import { expect, test } from '@playwright/test';
import { checkA11y, shot, signIn } from './helpers';

test('officer creates a customer: errors first, then the new customer page', async ({ page }) => {
  await signIn(page, 'officer');
  await page.getByTestId('new-customer').click();
  await expect(page.getByRole('heading', { name: 'New customer', level: 1 })).toBeVisible();
  await checkA11y(page, 'new customer form');

  const form = page.getByTestId('new-customer-form');
  await form.getByLabel('Company name').fill('Lumen Optics Lda');
  await page.getByTestId('create-customer').click();
  await expect(page.getByTestId('error-summary')).toContainText('Registration number');
  await expect(form.getByLabel('Registration number')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Company name')).toHaveValue('Lumen Optics Lda'); // input kept
  await checkA11y(page, 'new customer form with errors');

  await form.getByLabel('Registration number').fill('PT-514 220 981');
  await form.getByLabel('Tax residence country').selectOption('PT');
  await form.getByLabel('Risk').selectOption('LOW');
  await form.getByLabel(/^Address line 1/).fill('Rua do Ouro 88');
  await form.getByLabel('City').fill('Lisbon');
  await form.getByLabel('Postal code').fill('1100-063');
  await form.getByLabel(/^Country/).selectOption('PT');
  await page.getByTestId('create-customer').click();
  await expect(page.getByTestId('customer-name')).toHaveText('Lumen Optics Lda');
  await expect(page.getByTestId('customer-status')).toContainText('Pending');
  await expect(page.getByTestId('approve-blockers')).toHaveCount(0); // officers are not offered approval
  await expect(page.getByTestId('associates-edit')).toBeVisible();
});

test('viewer reads but is offered no changes, and changes their password', async ({ page }) => {
  await signIn(page, 'viewer');
  await expect(page.getByTestId('new-customer')).toHaveCount(0);
  await page.getByTestId('customer-row').first().locator('a').first().click();
  await expect(page.getByTestId('customer-name')).toBeVisible();
  await expect(page.getByTestId('details-edit')).toHaveCount(0);
  await expect(page.getByTestId('associates-edit')).toHaveCount(0);
  await expect(page.getByTestId('status-actions').locator('a, button')).toHaveCount(0);
  await checkA11y(page, 'customer page for a viewer');

  await page.getByTestId('user-menu').click();
  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Change password', level: 1 })).toBeVisible();
  await checkA11y(page, 'change password');
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel(/^New password/).fill('viewer-new-password-2026');
  await page.getByLabel('Repeat new password').fill('viewer-new-password-2026');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('error-summary')).toBeVisible();
  await checkA11y(page, 'change password with an error');
  await page.getByLabel('Current password').fill('viewer-demo-2026');
  await page.getByLabel(/^New password/).fill('viewer-new-password-2026');
  await page.getByLabel('Repeat new password').fill('viewer-new-password-2026');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  // The account page lists this browser's session, the only one left.
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();
  await expect(page.getByTestId('session-row')).toHaveCount(1);
  await expect(page.getByTestId('current-session')).toBeVisible();
  await checkA11y(page, 'account page');
  await shot(page, 'account-sessions');

  // Signed out, the old password no longer works and the new one does.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-notice')).toContainText('signed out');
  await page.getByLabel('E-mail').fill('viewer@verity.test');
  await page.getByLabel('Password').fill('viewer-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-error')).toBeVisible();
  await page.getByLabel('Password').fill('viewer-new-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
});
