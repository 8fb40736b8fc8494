import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { expect, Page, test } from '@playwright/test';
import { checkA11y, checkA11yWithoutJS, signIn } from './helpers';
import { stateFile } from './global-setup';
import { pdfFile, pngFile } from './files';

test.describe.configure({ mode: 'serial' });

const big = pngFile([79, 70, 229], 3 << 20); // ~3 MB: the upload takes long enough to report progress
const certificate = pdfFile(['Certificate of incorporation', 'Verity e2e Holdings Ltd', 'Registered 2019-04-02']);

let customerURL = '';

// A pending customer the other specs leave alone: the last one of the Pending queue.
async function pendingCustomer(page: Page): Promise<string> {
  await page.goto('/customers?status=PENDING');
  const hrefs = await page.getByTestId('customer-row').locator('td:first-child a').evaluateAll(
    (as) => as.map((a) => a.getAttribute('href')!));
  return hrefs[hrefs.length - 1];
}

// Records every progress report of the upload script, with whether the bar was on screen, across the reload.
async function recordProgress(page: Page) {
  await page.addInitScript(() => {
    document.addEventListener('verity:upload-progress', (e) => {
      const bar = document.querySelector('[data-testid=upload-progress]') as HTMLElement | null;
      const log = JSON.parse(sessionStorage.getItem('e2e-progress') || '[]');
      log.push({ percent: (e as CustomEvent).detail.percent, visible: !!bar && !bar.hidden && bar.offsetHeight > 0 });
      sessionStorage.setItem('e2e-progress', JSON.stringify(log));
    });
  });
}

async function openUpload(page: Page) {
  const disclosure = page.getByTestId('upload-disclosure');
  if (!(await disclosure.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await disclosure.locator('summary').click();
  }
  return page.getByTestId('upload-form');
}

test('officer uploads by drag-and-drop with the progress shown', async ({ page }) => {
  await recordProgress(page);
  await signIn(page, 'officer');
  customerURL = await pendingCustomer(page);
  await page.goto(customerURL);
  const form = await openUpload(page);
  await form.getByLabel('Whose document').selectOption({ label: 'The company' });
  await form.getByLabel('Document type').selectOption('COMPANY_DOC');
  await form.getByLabel('Sub-type').selectOption('REGISTER_EXTRACT');
  // Only the sub-types a company document takes are offered.
  await expect(form.locator('select[name=subType] option[value=FRONT_SIDE]')).toBeDisabled();
  await expect(form.locator('select[name=subType] option[value=REGISTER_EXTRACT]')).toBeEnabled();
  await expect(form.getByText('or drag a file from your computer')).toBeVisible();

  // Sent without a file, the form comes back in place with the message under the file input, values kept.
  await form.getByTestId('upload-submit').click();
  await expect(form.locator('#doc-file-error')).toContainText('File must be chosen');
  await expect(form.getByLabel('Sub-type')).toHaveValue('REGISTER_EXTRACT');
  await expect(page).toHaveURL(customerURL);

  const drop = await page.evaluateHandle(({ b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'image/png' }));
    return dt;
  }, { b64: big.toString('base64'), name: 'e2e-register-extract.png' });
  await form.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer: drop });
  await form.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: drop });
  await expect(form.getByTestId('upload-chosen')).toContainText('e2e-register-extract.png (3.0 MB)');
  await checkA11y(page, 'customer page with the upload form open');

  await form.getByTestId('upload-submit').click();
  await expect(page.getByText('Uploaded e2e-register-extract.png.')).toBeVisible();
  const log: { percent: number; visible: boolean }[] = await page.evaluate(() => JSON.parse(sessionStorage.getItem('e2e-progress') || '[]'));
  expect(log.length, 'progress reports').toBeGreaterThan(1);
  expect(log.every((p) => p.visible), JSON.stringify(log)).toBe(true);
  expect(log[log.length - 1].percent).toBe(100);
  const company = page.locator('[data-testid=documents-group][data-person=""]');
  await expect(company.getByTestId('document-link').filter({ hasText: 'e2e-register-extract.png' })).toBeVisible();
  await expect(company.getByTestId('document-row').filter({ hasText: 'e2e-register-extract.png' })).toContainText('Pending review');

  // A PDF with the file picker.
  const again = await openUpload(page);
  await again.getByLabel('Document type').selectOption('COMPANY_DOC');
  await again.getByLabel('Sub-type').selectOption('INCORPORATION_CERT');
  await again.getByTestId('upload-file').setInputFiles({ name: 'e2e-certificate.pdf', mimeType: 'application/pdf', buffer: certificate });
  await again.getByTestId('upload-submit').click();
  await expect(page.getByText('Uploaded e2e-certificate.pdf.')).toBeVisible();
  await checkA11y(page, 'customer page with documents');
});

test('officer uploads without JavaScript; a bad file comes back naming the field', async ({ browser }) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  try {
    await signIn(page, 'officer');
    await page.goto(customerURL);
    const group = page.locator('[data-testid=documents-group]:not([data-person=""])').first();
    const person = await group.getAttribute('data-person');
    await group.getByTestId('upload-for').click();
    await expect(page).toHaveURL(/\/documents\/new\?person=/);
    await expect(page.getByLabel('Whose document')).toHaveValue(person!);
    await checkA11yWithoutJS(page, 'upload page without JavaScript');

    await page.getByLabel('Document type').selectOption('PASSPORT');
    await page.getByTestId('upload-file').setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a PDF at all') });
    let res = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByTestId('upload-submit').click();
    expect((await res).status()).toBe(422);
    await expect(page.getByTestId('upload-file')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('error-summary')).toContainText('File must be a PDF, JPEG or PNG file.');
    await expect(page.getByLabel('Document type')).toHaveValue('PASSPORT');
    await checkA11yWithoutJS(page, 'upload page with a refused file, without JavaScript');

    await page.getByTestId('upload-file').setInputFiles({ name: 'e2e-passport.png', mimeType: 'image/png', buffer: pngFile([14, 116, 144]) });
    res = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByTestId('upload-submit').click();
    expect((await res).status()).toBe(303);
    await expect(page.getByText('Uploaded e2e-passport.png.')).toBeVisible();
    await expect(page.locator(`[data-testid=documents-group][data-person="${person}"]`).getByTestId('document-link')
      .filter({ hasText: 'e2e-passport.png' })).toBeVisible();
  } finally {
    await ctx.close();
  }
});

test('an admin views an image and a PDF, rejects one with a reason and accepts the other', async ({ page }) => {
  // pdf.js must run its worker from 'self' under the site's CSP, not fall back to a "fake worker".
  const console: string[] = [];
  page.on('console', (m) => console.push(m.text()));
  await signIn(page, 'admin');
  await page.goto(customerURL);
  await page.getByTestId('document-link').filter({ hasText: 'e2e-register-extract.png' }).click();
  const img = page.getByTestId('document-image');
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(480);
  await checkA11y(page, 'document viewer with an image');

  // Reject needs a reason.
  await page.getByTestId('review-reject').click();
  await expect(page.locator('#review-reason')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#review-reason-error')).toContainText('Reason for rejecting is required.');
  await page.locator('#review-reason').fill('The extract is older than three months.');
  await page.getByTestId('review-reject').click();
  await expect(page.getByText('Document rejected.')).toBeVisible();
  await expect(page.getByTestId('document-state')).toContainText('Rejected');
  await expect(page.getByTestId('document-reason')).toHaveText('The extract is older than three months.');
  await expect(page.getByTestId('review-accept-form')).toHaveCount(0);

  // The PDF is drawn by pdf.js: pixels on the canvas and its text in the text layer.
  await page.goto(customerURL);
  await page.getByTestId('document-link').filter({ hasText: 'e2e-certificate.pdf' }).click();
  const viewer = page.getByTestId('pdf-viewer');
  await expect(viewer).toHaveAttribute('data-state', 'rendered');
  await expect(viewer.getByTestId('pdf-text')).toContainText('Certificate of incorporation');
  const inked = await viewer.locator('canvas').first().evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 128 && data[i + 3] > 0) dark++;
    return dark;
  });
  expect(inked, 'dark pixels drawn on the canvas').toBeGreaterThan(100);
  expect(console.filter((l) => /fake worker|Content.Security.Policy|Refused to/i.test(l))).toEqual([]);
  await checkA11y(page, 'document viewer with a PDF');
  await page.screenshot({ path: 'docs/screenshots/document-viewer.png', fullPage: true });
  await page.getByTestId('review-accept').click();
  await expect(page.getByText('Document accepted.')).toBeVisible();
  await expect(page.getByTestId('document-state')).toContainText('Accepted');

  // The history says it in words.
  await page.goto(customerURL + '/history');
  const entries = page.getByTestId('history-entry');
  await expect(entries.nth(0)).toContainText('Document accepted');
  await expect(entries.nth(0)).toContainText('e2e-certificate.pdf: Pending review → Accepted');
  await expect(entries.nth(1)).toContainText('Document rejected');
  await expect(entries.nth(1).getByTestId('history-reason')).toHaveText('The extract is older than three months.');

  await page.goto(customerURL);
  await page.getByTestId('documents-section').screenshot({ path: 'docs/screenshots/documents.png' });
});

test('the uploader may not review their own document', async ({ page }) => {
  await signIn(page, 'officer');
  await page.goto(customerURL);
  await page.getByTestId('document-link').filter({ hasText: 'e2e-passport.png' }).click();
  await expect(page.getByTestId('review-own-upload')).toContainText('someone else must review it');
  await expect(page.getByTestId('review-accept')).toHaveCount(0);
});

// A second server with APPROVAL_REQUIRES_DOCUMENTS=true, its own data and an API key to make a customer.
test.describe('with APPROVAL_REQUIRES_DOCUMENTS', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let dir = '';
  let customer = '';

  test.beforeAll(async () => {
    const { work } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    const bin = path.join(work, 'verity');
    dir = fs.mkdtempSync(path.join(work, 'rule-'));
    fs.chmodSync(dir, 0o755);
    if (process.getuid && process.getuid() === 0) execFileSync('chown', ['postgres', dir]);
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, DATA_DIR: dir, VERITY_ENV: 'development', LOG_LEVEL: 'warn', ADDR: `127.0.0.1:${port}`,
      FOUR_EYES: 'true', DATABASE_URL: '', APPROVAL_REQUIRES_DOCUMENTS: 'true' };
    execFileSync(bin, ['seed', '--demo', '--customers', '3', '--seed', '3'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const key = execFileSync(bin, ['apikey', 'create', '--name', 'e2e', '--role', 'officer', '--owner', 'officer@verity.test'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim().split('\n').pop()!;
    server = spawn(bin, ['serve'], { env, stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/readyz`)).ok) break;
      } catch { /* not yet */ }
      if (i > 300) throw new Error('the second verity serve did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await fetch(`${url}/platform/v1/customers`, {
      method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ riskScore: 'LOW', company: { name: 'Evidence Test Ltd', taxResidenceCountryCode: 'GB', registrationNumber: '09876543',
        address: { addressLine1: '1 Fleet St', city: 'London', postalCode: 'EC4Y 1AA', countryCode: 'GB' },
        associates: [{ person: { firstName: 'Nora', lastName: 'Quist', dateOfBirth: '1980-05-17' },
          details: { documentInfo: { number: 'P1234567', type: 'PASSPORT', issuingCountryCode: 'GB' } },
          title: 'Director', controls: { hasOwnership: true, hasControl: true, isSigner: true } }] } }),
    });
    expect(res.status).toBe(201);
    customer = `/customers/${(await res.json()).reference}`;
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
  });

  test('approval is blocked until the documents are accepted', async ({ browser }) => {
    const ctx = await browser.newContext({ baseURL: url });
    const page = await ctx.newPage();
    try {
      await signIn(page, 'admin');
      await page.goto(customer);
      const approve = page.getByTestId('action-approve');
      await expect(approve).toBeDisabled();
      const blockers = page.getByTestId('approve-blockers');
      await expect(blockers.locator('[data-code=document_missing]')).toHaveCount(2);
      await expect(blockers).toContainText('Nora Quist has no passport on file.');
      await expect(page.getByTestId('documents-missing')).toHaveAttribute('data-required', 'true');
      await checkA11y(page, 'customer page with evidence blocking approval');
      await ctx.clearCookies();

      // The officer uploads both, following the blockers' links to the upload form.
      await signIn(page, 'officer');
      await page.goto(customer);
      await page.getByTestId('documents-missing').getByRole('link', { name: /certificate of incorporation/ }).click();
      await page.getByLabel('Sub-type').selectOption('INCORPORATION_CERT');
      await page.getByTestId('upload-file').setInputFiles({ name: 'incorporation.pdf', mimeType: 'application/pdf', buffer: certificate });
      await page.getByTestId('upload-submit').click();
      await expect(page.getByText('Uploaded incorporation.pdf.')).toBeVisible();
      await page.getByTestId('documents-missing').getByRole('link', { name: /Nora Quist/ }).click();
      await page.getByLabel('Document type').selectOption('PASSPORT');
      await page.getByTestId('upload-file').setInputFiles({ name: 'nora-passport.png', mimeType: 'image/png', buffer: pngFile([190, 18, 60]) });
      await page.getByTestId('upload-submit').click();
      await expect(page.getByText('Uploaded nora-passport.png.')).toBeVisible();
      await ctx.clearCookies();

      // Uploaded is not enough: the admin must accept them first.
      await signIn(page, 'admin');
      await page.goto(customer);
      await expect(blockers.locator('[data-code=document_pending]')).toHaveCount(2);
      await expect(approve).toBeDisabled();
      for (const name of ['incorporation.pdf', 'nora-passport.png']) {
        await page.goto(customer);
        await page.getByTestId('document-link').filter({ hasText: name }).click();
        await page.getByTestId('review-accept').click();
        await expect(page.getByText('Document accepted.')).toBeVisible();
      }
      await page.goto(customer);
      await expect(page.getByTestId('approve-blockers')).toHaveCount(0);
      await page.getByTestId('action-approve').click();
      await page.locator('[data-testid=status-dialog][data-status=VERIFIED]').getByTestId('status-submit').click();
      await expect(page.getByTestId('customer-status')).toContainText('Verified');
    } finally {
      await ctx.close();
    }
  });
});
