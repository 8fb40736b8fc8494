import { test, expect, Page } from '@playwright/test';
import { checkA11y, signIn } from './helpers';

// /docs/api renders the OpenAPI document with Swagger UI built into static/:
// every operation is listed, nothing is fetched from another origin, and the
// app's strict CSP is not broken (no violation is reported).
async function watch(page: Page, baseURL: string) {
  const foreign: string[] = [];
  const origin = new URL(baseURL).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin && !url.startsWith('data:')) {
      foreign.push(url);
      return route.abort();
    }
    return route.continue();
  });
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { foreign, csp };
}

test('the API reference lists every operation, offline and within the CSP', async ({ page, baseURL }) => {
  const seen = await watch(page, baseURL!);
  const doc = await (await page.request.get('/platform/v1/openapi.json')).json();
  // Every operation of the API, and what Verity sends to a webhook endpoint (3.1's webhooks).
  const items = [...Object.values(doc.paths), ...Object.values(doc.webhooks ?? {})] as Record<string, unknown>[];
  const operations = items
    .flatMap((item) => Object.keys(item).filter((k) => ['get', 'put', 'post', 'patch', 'delete'].includes(k))).length;
  expect(operations).toBeGreaterThanOrEqual(30);

  await page.goto('/docs/api');
  await expect(page.getByRole('heading', { name: 'API reference' })).toBeVisible();
  const ui = page.getByTestId('apidocs');
  await expect(ui.locator('.opblock')).toHaveCount(operations);
  await expect(ui.locator('.opblock-put').filter({ hasText: '/customers/{reference}/status' })).toBeVisible();
  await expect(ui.getByText('Approve, reject or reopen')).toBeVisible();

  // An operation opens with its parameters and the shared error shape.
  await ui.locator('.opblock-summary').filter({ hasText: '/customers/{reference}/associates' }).first().click();
  await expect(ui.locator('.opblock.is-open').getByText('If-Match').first()).toBeVisible();

  expect(seen.foreign, 'requests to other origins').toEqual([]);
  expect(seen.csp, 'CSP violations').toEqual([]);
  await checkA11y(page, '/docs/api');
});

test('signed-in staff reach the API reference from the top bar', async ({ page }) => {
  await signIn(page, 'officer');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API docs' }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole('link', { name: 'API docs' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('apidocs').locator('.opblock').first()).toBeVisible();
});
