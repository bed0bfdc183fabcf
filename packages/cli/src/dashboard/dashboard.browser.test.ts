/**
 * The dev dashboard in a real headless Chromium (Debian's, through playwright-core) against `lift dev`
 * serving the dashboard fixture: the page loads without console errors, a request made outside the
 * browser shows in the live log, "run now" fires a schedule, a token is minted and works, a table is
 * browsed; each panel is saved as a screenshot in test-artifacts/ (and in docs/images/, the pictures
 * docs/dev-server.md shows, when LIFT_UPDATE_SCREENSHOTS=1: a test run leaves the tree clean).
 * Without /usr/bin/chromium it is skipped, unless LIFT_REQUIRE_BROWSER=1 (CI), where it fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { register } from 'tsx/esm/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../dev-server.js';
import { fixture } from '../fixtures/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present && process.env.LIFT_REQUIRE_BROWSER === '1') {
  throw new Error(`LIFT_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
}
if (!present)
  console.warn(`dashboard browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const docsImages = join(repo, 'docs', 'images');
const artefacts = process.env.LIFT_TEST_ARTIFACTS ?? join(repo, 'test-artifacts', 'dev-dashboard');

describe.skipIf(!present)('the dev dashboard in Chromium', () => {
  let server: DevServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];
  const logs: string[] = [];
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  let unregister: (() => Promise<void>) | undefined;

  const shoot = async (panel: string) => {
    // Let fonts and late rows settle, so the picture is what a person sees.
    await page.waitForTimeout(150);
    const dirs = process.env.LIFT_UPDATE_SCREENSHOTS === '1' ? [docsImages, artefacts] : [artefacts];
    for (const dir of dirs) {
      await page.screenshot({ path: join(dir, `dev-dashboard-${panel}.png`), fullPage: false });
    }
  };
  const tab = (name: string) => page.click(`#tabs button[data-panel="${name}"]`);
  const call = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  beforeAll(async () => {
    mkdirSync(docsImages, { recursive: true });
    mkdirSync(artefacts, { recursive: true });
    // app.openapi() imports @lift/core/openapi by name at run time, which in this repository resolves
    // to TypeScript sources: Node needs tsx's loader for them, as `lift dev` from source has it.
    unregister = register();
    // The access lines (route, user, tenant) are INFO; the test suite's default is WARN.
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    server = await startDevServer({
      entry: fixture('dashboard.ts'),
      port: 0,
      watch: false,
      log: (l) => logs.push(l),
      outboxes: [
        {
          name: 'sms',
          title: 'Text messages',
          list: () => [{ id: 's1', to: '+15550100', summary: 'Code 1234' }],
        },
        { name: 'fax', title: 'Fax', list: () => [] },
      ],
    });
    profile = mkdtempSync(join(tmpdir(), 'lift-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Which URL failed: the console line alone does not say.
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await unregister?.();
    if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = level;
  });

  it('lists the routes with their access', async () => {
    await page.goto(`${server.url}/_lift/`);
    await page.waitForSelector('#panel-routes table');
    const text = await page.textContent('#panel-routes');
    expect(text).toContain('/tenants/:tenantId/notes');
    expect(text).toContain('company_admin');
    expect(await page.textContent('#service')).toContain('dashboard-demo');
    await shoot('routes');
  });

  it('shows a request made outside the browser in the live log, with its lines and a 5xx error', async () => {
    await tab('requests');
    await page.waitForSelector('#panel-requests .log-list');
    expect((await call('/hello?who=curl')).status).toBe(200);
    expect((await call('/boom')).status).toBe(500);
    // Live: no reload, the rows arrive over the event stream.
    const hello = page.locator('#request-log tbody tr', { hasText: '/hello' });
    await hello.waitFor();
    expect(await hello.textContent()).toContain('200');
    const boom = page.locator('#request-log tbody tr', { hasText: '/boom' });
    await boom.waitFor();
    await hello.click();
    await page.locator('.log-detail .lines', { hasText: 'saying hello' }).waitFor();
    await boom.click();
    await page.waitForSelector('.log-detail .error-block');
    expect(await page.textContent('.log-detail .error-block')).toContain('the boom route always fails');
    await shoot('requests');
  });

  it('mints a token the service accepts', async () => {
    await tab('token');
    await page.fill('input[name=sub]', 'ada');
    await page.fill('input[name=tenant]', 'tenant-a');
    await page.fill('input[name=roles]', 'company_admin');
    await page.click('#panel-token button[type=submit]');
    const token = await (await page.waitForSelector('#token-value')).inputValue();
    const me = await call('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ userId: 'ada', tenantId: 'tenant-a' });
    const note = await call('/tenants/tenant-a/notes', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'brew more kefir' }),
    });
    expect(note.status).toBe(200);
    // The service trusts its local user pool's ID tokens too: one minted from the stand-in works.
    expect(await page.locator('#trusted').textContent()).toContain('cognito-idp.us-east-1.amazonaws.com');
    const pool = await page
      .locator('select[name=target] option', { hasText: 'user pool' })
      .getAttribute('value');
    await page.selectOption('select[name=target]', pool ?? '');
    expect(await page.textContent('#minting-for')).toMatch(/ID token of https:\/\/cognito-idp/);
    await page.fill('input[name=email]', 'grace@example.com');
    await page.fill('input[name=tenant]', 'tenant-g');
    await page.click('#panel-token button[type=submit]');
    await page.locator('.token-output', { hasText: 'grace@example.com' }).waitFor();
    const poolToken = await page.inputValue('#token-value');
    const grace = await call('/me', { headers: { authorization: `Bearer ${poolToken}` } });
    expect(await grace.json()).toMatchObject({ tenantId: 'tenant-g' });
    await shoot('token');
    // The log names the principal and tenant of that request.
    await tab('requests');
    const row = page.locator('#request-log tbody tr', { hasText: '/tenants/:tenantId/notes' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/ada.*tenant-a/);
  });

  it('runs a schedule now', async () => {
    await tab('schedules');
    expect(await page.textContent('[data-schedule="digest"]')).toBe('not yet');
    await page.click('button[data-run="digest"]');
    await page.waitForSelector('[data-schedule="digest"].ok');
    expect(await page.textContent('[data-schedule="digest"]')).toMatch(/^ok at .* \(dashboard\)$/);
    // A firing from elsewhere (curl) shows too, once the panel is shown again.
    await call('/_lift/schedules/digest', { method: 'POST' });
    await tab('routes');
    await tab('schedules');
    await page.locator('[data-schedule="digest"]', { hasText: 'POST /_lift/schedules' }).waitFor();
    expect(logs).toContain('schedule digest: fired from the dashboard');
    expect(logs.some((l) => /^schedule digest fired: ok in \d+ ms$/.test(l))).toBe(true);
    await shoot('schedules');
  });

  it('browses a table, by key too', async () => {
    await tab('tables');
    const card = page.locator('[data-table="dashboard-notes"]');
    await card.locator('table', { hasText: 'brew more kefir' }).waitFor();
    // The schedule's write is there too.
    await card.locator('table', { hasText: 'daily digest' }).waitFor();
    await card.locator('input[name=pk]').fill('tenant-a');
    await card.locator('button[type=submit]').click();
    await expect.poll(() => card.locator('.results').textContent()).not.toContain('daily digest');
    expect(await card.locator('.results').textContent()).toContain('brew more kefir');
    // Two kinds of item in one table: the keys as columns, the rest compacted per item, a stored
    // null told apart from an attribute the item does not have.
    await card.locator('input[name=pk]').fill('');
    await card.locator('button[type=submit]').click();
    await card.locator('td.attributes', { hasText: 'kind=digest' }).first().waitFor();
    expect(await card.locator('thead th').allTextContents()).toEqual([
      'tenantId',
      'noteId',
      expect.stringMatching(/^Other attributes/),
    ]);
    expect(await card.locator('td.attributes code.null').count()).toBeGreaterThan(0);
    expect(
      await card.locator('td.attributes', { hasText: 'text=brew more kefir' }).first().textContent(),
    ).not.toContain('kind=');
    await shoot('tables');
  });

  it('shows the mail and the push outbox', async () => {
    await call('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    await call('/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'ExponentPushToken[dashboard-demo]', title: 'Your kefir is ready' }),
    });
    await tab('mail');
    await page.locator('#mailbox', { hasText: 'ada@example.com' }).waitFor();
    await page.locator('[data-outbox="push"]', { hasText: 'Your kefir is ready' }).waitFor();
    // An item with no detail shows none (not "null"); an empty outbox is one line.
    const sms = page.locator('[data-outbox="sms"] tbody tr');
    expect(await sms.locator('td').allTextContents()).toEqual(['+15550100', 'Code 1234', '']);
    expect(await page.textContent('[data-outbox="fax"]')).toBe('Fax: nothing yet.');
    await shoot('mail');
  });

  it('opens the API explorer at http://localhost:PORT/_lift/ and "Try it out" calls the service', async () => {
    // The address the docs give: another origin than 127.0.0.1, which the page's CSP would block.
    const { port } = new URL(server.url);
    await page.goto(`http://localhost:${port}/_lift/#explorer`);
    const frame = page.frameLocator('iframe.explorer');
    await frame.locator('.opblock').first().waitFor({ timeout: 20_000 });
    expect(await frame.locator('.opblock-summary-path').allTextContents()).toContain('/hello');
    const hello = frame.locator('.opblock', {
      has: frame.locator('.opblock-summary-path', { hasText: /^\/hello$/ }),
    });
    await hello.locator('.opblock-summary').click();
    const tryIt = hello.locator('button.try-out__btn', { hasText: 'Try it out' });
    if ((await tryIt.count()) > 0) await tryIt.click();
    await hello.locator('button.execute').click();
    const status = hello.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 10_000 });
    expect((await status.textContent())?.trim()).toBe('200');
    await status.scrollIntoViewIfNeeded();
    await expect
      .poll(() =>
        hello.locator('.live-responses-table tr.response .response-col_description').first().textContent(),
      )
      .toContain('"hello": "world"');
    await shoot('explorer');
  });

  it('wrote nothing to the console', () => {
    expect(problems).toEqual([]);
  });
});
