import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { checkA11y, shot, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

type Delivery = { headers: http.IncomingHttpHeaders; body: string };

// A real receiver on 127.0.0.1 (the e2e server runs with WEBHOOK_ALLOW_PRIVATE).
async function receiver(): Promise<{ url: string; got: Delivery[]; close: () => Promise<void> }> {
  const got: Delivery[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/verity`, got, close: () => new Promise((r) => srv.close(() => r())) };
}

// The Standard Webhooks check a receiver makes: v1,base64(HMAC(key, id.ts.body)).
function standardSignatureOK(secret: string, d: Delivery): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const want = crypto.createHmac('sha256', key)
    .update(`${d.headers['webhook-id']}.${d.headers['webhook-timestamp']}.${d.body}`).digest('base64');
  return String(d.headers['webhook-signature']).split(' ').includes(`v1,${want}`);
}

test('admin registers a webhook, sees its signed delivery, redelivers and disables it', async ({ page }) => {
  const rc = await receiver();
  try {
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await checkA11y(page, 'webhooks page');

    const form = page.getByTestId('webhook-new-form');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByText('choose at least one event').first()).toBeVisible();

    await form.getByLabel('URL').fill(rc.url);
    await form.getByLabel('note-added').check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await checkA11y(page, 'webhooks page with the new secret');
    await page.goto('/admin/webhooks'); // not a reload: that would post the form again
    await expect(page.getByTestId('webhook-secret')).toHaveCount(0);

    // a note on a customer is an event; the worker in verity serve delivers it
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByTestId('customer-row').first().locator('a').first().click();
    const card = page.getByTestId('notes-card');
    await card.getByTestId('note-text').fill('Webhook check: called the CFO.');
    await card.getByTestId('note-add').click();
    await expect(page.getByTestId('note').first().getByTestId('note-text-shown')).toHaveText('Webhook check: called the CFO.');
    await expect.poll(() => rc.got.length).toBe(1);
    const first = rc.got[0];
    expect(JSON.parse(first.body).event).toBe('platform:accounts:customer:note-added');
    expect(standardSignatureOK(secret, first)).toBe(true);

    await page.getByTestId('webhook-events-link').click();
    const row = page.getByTestId('webhook-delivery').first();
    await expect(row).toHaveAttribute('data-state', 'delivered');
    await expect(row.getByTestId('webhook-response')).toHaveText('200');
    await checkA11y(page, 'webhook deliveries of one customer');
    await shot(page, 'webhooks');

    await row.getByTestId('webhook-redeliver').click();
    await expect(page.getByText('Queued for redelivery.')).toBeVisible();
    await expect.poll(() => rc.got.length).toBe(2);
    expect(JSON.parse(rc.got[1].body).eventId).toBe(JSON.parse(first.body).eventId);

    const ep = page.locator(`[data-testid=webhook-endpoint][data-url="${rc.url}"]`);
    await ep.getByTestId('webhook-disable').click();
    await expect(ep.getByTestId('webhook-state')).toHaveText('Disabled');
    page.once('dialog', (d) => d.accept());
    await ep.getByTestId('webhook-delete').click();
    await expect(page.locator(`[data-testid=webhook-endpoint][data-url="${rc.url}"]`)).toHaveCount(0);
  } finally {
    await rc.close();
  }
});
