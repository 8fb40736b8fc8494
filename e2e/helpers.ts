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

// axe-core needs JavaScript, so it checks a copy: the page's HTML as this
// browser got it, served at the same address to a second context with
// JavaScript on (for axe only: the page's own scripts are blocked) so the
// stylesheet — and with it colour contrast — is the real one.
export async function checkA11yWithoutJS(page: Page, what: string) {
  const html = await page.content();
  const target = page.url();
  const ctx = await page.context().browser()!.newContext({ javaScriptEnabled: true });
  try {
    const copy = await ctx.newPage();
    await copy.route((u) => u.pathname.endsWith('.js'), (r) => r.abort());
    await copy.route((u) => u.href === target, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await copy.goto(target);
    await checkA11y(copy, what);
  } finally {
    await ctx.close();
  }
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
