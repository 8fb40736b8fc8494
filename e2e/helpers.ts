import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// The demo sign-ins `verity seed --demo` creates.
export const users = {
  officer: { email: 'officer@verity.test', password: 'officer-demo-2026' },
  admin: { email: 'admin@verity.test', password: 'admin-demo-2026' },
  admin2: { email: 'admin2@verity.test', password: 'admin2-demo-2026' },
  viewer: { email: 'viewer@verity.test', password: 'viewer-demo-2026' },
};

export async function signIn(page: Page, who: keyof typeof users) {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(users[who].email);
  await page.getByLabel('Password').fill(users[who].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

// Fails on serious or critical axe-core violations, listing them.
export async function checkA11y(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n  ')}`);
  expect(report, `axe-core on ${what}`).toEqual([]);
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
