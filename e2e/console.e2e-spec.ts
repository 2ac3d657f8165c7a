import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { freePortBlock } from '@offboarding/testing';
import { buildConsole } from '../tools/build';
import { startStack, type RunningStack } from '../tools/stack';
import { type ConsoleBrowser, launchBrowser, screenshot, seriousAccessibilityViolations, untilAfterReload } from './console/browser';
import { graphql, login, SEEDED_ADMIN } from './graphql-client';

// The admin console in a real browser (Debian's Chromium through playwright-core) against the
// whole running stack: the customer recipe, Parts A–G, and the vendor process from start to the
// final confirmation, clicking through the console and asserting what the pages show. Only the
// passing of time (the dev clock and the scheduled jobs, which cron runs in production) and the
// customer's own activity (site activations, service requests, campaigns, SSO set-up) come from
// outside the console. Each main screen is screenshotted (e2e/artifacts/console) and scanned
// with axe-core: no serious or critical violation.

const STACK_START_MS = 300_000;
const STEP_MS = 240_000;

describe('the admin console in a browser', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-console-e2e-'));
  const logs: string[] = [];
  let stack: RunningStack;
  let browser: ConsoleBrowser;
  let admin: Page;
  let base = '';
  let token = '';
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(stack.graphqlUrl, query, variables, token);
  const scanned = new Map<string, string[]>();

  /** The time passing: every service's clock moves on and the scheduled jobs run, as cron would. */
  const passDays = async (days: number) => {
    await gql(`mutation A($days: Int!) { _devAdvanceClock(days: $days) { now } }`, { days });
    await runJobs();
  };
  const runJobs = async () => {
    const { _devRunScheduledJobs: runs } = await gql<{ _devRunScheduledJobs: { job: string; status: string }[] }>(`mutation { _devRunScheduledJobs { job status } }`);
    expect(runs.filter((run) => run.status === 'FAILED')).toEqual([]);
  };
  const today = async () => (await gql<{ _devNow: { now: string } }>(`{ _devNow { now } }`))._devNow.now.slice(0, 10);

  /** A main screen: its screenshot is kept and axe finds no serious or critical violation on it. */
  const mainScreen = async (page: Page, name: string) => {
    await page.locator('main h1').first().waitFor();
    await screenshot(page, name);
    const violations = await seriousAccessibilityViolations(page);
    scanned.set(name, violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.join(', ')})`));
    expect({ screen: name, violations: scanned.get(name) }).toEqual({ screen: name, violations: [] });
  };

  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
  };
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const dialog = (page: Page) => page.getByRole('dialog');
  const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name, exact: true }).click();
  const openOrganization = async (page: Page, name: string, options: { archived?: boolean } = {}) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    const archived = page.getByLabel('Show archived');
    if ((await archived.isChecked()) !== Boolean(options.archived)) await archived.click();
    await page.getByRole('searchbox', { name: /Search name/ }).fill(name);
    await page.getByRole('table').getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  };
  const statusOf = (page: Page, product: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: product, exact: true }) }).locator('.badge');
  /** Waits for the entitlement's row to show the status (the list reloads after each action). */
  const hasStatus = (page: Page, product: string, status: string) => statusOf(page, product).filter({ hasText: new RegExp(`^${status}$`) }).waitFor();
  const milestoneStatus = (page: Page, milestone: string) => text(page.locator(`table.milestones tr[data-milestone="${milestone}"] .badge`));

  beforeAll(async () => {
    const first = await freePortBlock(6);
    const serviceUrl = (index: number) => `http://localhost:${first + 1 + index}`;
    // The console is served from the gateway's origin as npm start serves it: built from the sources.
    await buildConsole();
    stack = await startStack({
      gatewayPort: first,
      firstServicePort: first + 1,
      brokerPort: first + 5,
      dataDir,
      env: {
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        RETENTION_INTERNAL_URL: serviceUrl(3),
        ENTITLEMENTS_INTERNAL_URL: serviceUrl(0),
        PROVISIONING_INTERNAL_URL: serviceUrl(1),
        IDENTITY_INTERNAL_URL: serviceUrl(2),
        PUBLIC_BASE_URL: `http://localhost:${first}`,
      },
      onLog: (line) => logs.push(line),
    });
    base = `http://localhost:${first}`;
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    browser = await launchBrowser();
    admin = await browser.newPage();
  }, STACK_START_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (logs.length > 0) process.stderr.write(`stack warnings and errors:\n${logs.slice(-100).join('\n')}\n`);
  });

  it('signs in with a password, saying so in words when it is wrong', async () => {
    await admin.goto(`${base}/console/`);
    await mainScreen(admin, '01-sign-in');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    expect(await text(admin.getByText('Enter the e-mail address you sign in with.'))).toBeTruthy();
    await admin.getByLabel('E-mail').fill(SEEDED_ADMIN.email);
    await admin.getByLabel('Password').fill('not the password');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    expect(await text(admin.getByRole('alert'))).toBe('The e-mail or password is not right, or the account cannot sign in.');
    await signIn(admin, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    await admin.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
  }, STEP_MS);

  // ——— The customer recipe ———
  const CUSTOMER = 'Acme GmbH';
  const COLLABORATOR = { email: 'pat@acme.example', password: 'collaborator-password-1' };
  let customerId = '';
  const products = { PLG: 'SEO Plugin Pro', ENV: 'Hosted Shop', SVC: 'Support Plus' } as const;

  const grant = async (page: Page, klass: string, product: string) => {
    await page.getByRole('button', { name: 'Grant entitlement' }).click();
    const form = page.getByRole('form', { name: 'Grant entitlement' });
    await form.getByLabel('Class').selectOption(klass);
    await form.getByLabel('Product').fill(product);
    await form.getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByRole('rowheader', { name: product, exact: true }).waitFor();
  };
  const createOrganization = async (page: Page, input: { name: string; taxId?: string; type: string; vendor?: string }) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('button', { name: 'New organization' }).click();
    const form = page.getByRole('form', { name: 'New organization' });
    await form.getByRole('button', { name: 'Create organization' }).click();
    expect(await text(form.getByText('Enter the organization name.'))).toBeTruthy();
    await form.getByLabel('Name').fill(input.name);
    if (input.taxId) await form.getByLabel('Tax ID (optional)').fill(input.taxId);
    await form.getByLabel('Type').selectOption(input.type);
    if (input.vendor) await form.getByLabel('Vendor').selectOption({ label: input.vendor });
    await form.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: input.name, level: 1 }).waitFor();
    return /\/organizations\/([^/]+)\//.exec(page.url())![1];
  };
  const addCollaborator = async (page: Page, name: string, email: string, password: string) => {
    await tab(page, 'Users and SSO');
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    const form = page.getByRole('form', { name: 'Add collaborator' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('E-mail').fill(email);
    await form.getByLabel('Initial password').fill(password);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: email }).waitFor();
  };
  const cancelEntitlement = async (page: Page, product: string, reason: string, notes?: string) => {
    await page.getByRole('button', { name: `Open ${product}` }).click();
    await page.getByRole('button', { name: 'Cancel Entitlement' }).click();
    const confirm = dialog(page);
    // The form validates before sending: no reason, no confirmation.
    expect(await confirm.getByRole('button', { name: 'Confirm Cancellation' }).isDisabled()).toBe(true);
    await confirm.getByLabel('Cancellation reason').selectOption(reason);
    if (notes) await confirm.getByLabel('Notes (optional)').fill(notes);
    const said = await text(confirm);
    await confirm.getByRole('button', { name: 'Confirm Cancellation' }).click();
    await page.getByText(`${product} is cancelled.`).waitFor();
    await hasStatus(page, product, 'CANCELLED');
    await page.getByRole('button', { name: `Close ${product}` }).click();
    return said;
  };
  const showClass = async (page: Page, name: string) => {
    await page.getByRole('button', { name, exact: true }).click();
    await page.getByRole('heading', { level: 2 }).first().waitFor();
  };

  it('set-up: an admin creates the customer, grants its entitlements and adds a collaborator', async () => {
    customerId = await createOrganization(admin, { name: CUSTOMER, taxId: 'DE123456789', type: 'CUSTOMER' });
    await tab(admin, 'Entitlements');
    for (const [klass, product] of Object.entries(products)) await grant(admin, klass, product);
    await addCollaborator(admin, 'Pat Collaborator', COLLABORATOR.email, COLLABORATOR.password);

    // The customer's own activity: a site running the plugin, an open support request.
    const { organization } = await gql<{ organization: { licenses: { licenseKey: string }[]; services: { id: string }[] } }>(
      `query R($id: ID!) { organization(id: $id) { licenses { licenseKey } services { id } } }`,
      { id: customerId },
    );
    await gql(`mutation S($key: String!) { recordSiteActivation(input: { licenseKey: $key, siteUrl: "https://shop.acme.example", version: "2.4.1" }) { id } }`, { key: organization.licenses[0].licenseKey });
    await gql(`mutation Q($id: ID!) { openServiceRequest(serviceId: $id, subject: "Migrate the product feed") { id } }`, { id: organization.services[0].id });
  }, STEP_MS);

  it('Part A: Organizations → the customer → Entitlements, active or suspended, with their resources', async () => {
    await openOrganization(admin, CUSTOMER);
    await mainScreen(admin, '03-organization-overview');
    expect(await text(admin.locator('.subtitle'))).toContain('ACTIVE');
    await tab(admin, 'Entitlements');
    await admin.getByLabel('Status').selectOption('OPEN');
    expect(await text(admin.getByRole('table').locator('caption'))).toBe('3 of 3 entitlements');
    await admin.getByLabel('Class').selectOption('ENV');
    expect(await admin.getByRole('rowheader').allTextContents()).toEqual([products.ENV]);
    await admin.getByLabel('Class').selectOption('');
    await mainScreen(admin, '04-entitlements');

    await tab(admin, 'Resources');
    const licence = admin.getByRole('article', { name: `Licence ${products.PLG}` });
    await licence.waitFor();
    expect(await text(licence.locator('h3 .badge'))).toBe('ACTIVE');
    expect(await text(licence.getByRole('table'))).toContain('https://shop.acme.example');
    await mainScreen(admin, '05-resources');
    await showClass(admin, 'Hosted environments');
    expect(await text(admin.getByRole('article').first().locator('h3 .badge'))).toBe('ACTIVE');
    await showClass(admin, 'Services and contracts');
    expect(await text(admin.getByRole('article', { name: `Service ${products.SVC}` }))).toContain('Migrate the product feed');
  }, STEP_MS);

  it('Part B: payment failure with its grace period, then cancellations with a reason, notes and the policy that applies', async () => {
    await tab(admin, 'Entitlements');
    await admin.getByRole('button', { name: `Open ${products.SVC}` }).click();
    await admin.getByRole('button', { name: 'Record payment failure' }).click();
    expect(await text(dialog(admin))).toContain('a grace period of 30 days starts');
    await dialog(admin).getByRole('button', { name: 'Record payment failure' }).click();
    const graceEnds = (await gql<{ _devNow: { now: string } }>(`{ _devNow { now } }`))._devNow.now;
    const expected = new Date(Date.parse(graceEnds) + 30 * 86_400_000).toISOString().slice(0, 10);
    await admin.getByText(`Payment failure recorded: the grace period ends ${expected}.`).waitFor();
    await hasStatus(admin, products.SVC, 'SUSPENDED');
    await admin.getByRole('button', { name: 'Record payment recovered' }).click();
    await admin.getByText(`Payment recovered: ${products.SVC} is active again.`).waitFor();
    await hasStatus(admin, products.SVC, 'ACTIVE');
    await admin.getByRole('button', { name: `Close ${products.SVC}` }).click();

    const policy = await cancelEntitlement(admin, products.PLG, 'SWITCHING_PROVIDER', 'Moving to another vendor');
    expect(policy).toContain('visible in the customer portal for 90 days');
    expect(policy).toContain('data retained for 365 days');
    expect(policy).toContain('can be reactivated within 90 days');
    await admin.getByRole('button', { name: `Open ${products.PLG}` }).click();
    const details = await text(admin.locator('.detail-row'));
    expect(details).toContain('Switching provider');
    expect(details).toContain('Moving to another vendor');
    await admin.getByRole('button', { name: `Close ${products.PLG}` }).click();
  }, STEP_MS);

  it('a collaborator sees their own organization read-only, the cancelled entitlement included', async () => {
    const collaborator = await browser.newPage();
    await signIn(collaborator, COLLABORATOR.email, COLLABORATOR.password);
    await collaborator.getByRole('heading', { name: CUSTOMER, level: 1 }).waitFor();
    expect(await text(collaborator.locator('.subtitle'))).toContain('read-only view');
    expect(await collaborator.getByRole('link', { name: 'Organizations' }).count()).toBe(0);
    expect(await collaborator.getByRole('button', { name: 'Archive Organization' }).count()).toBe(0);
    await tab(collaborator, 'Entitlements');
    await hasStatus(collaborator, products.PLG, 'CANCELLED');
    expect(await collaborator.getByRole('button', { name: 'Grant entitlement' }).count()).toBe(0);
    await collaborator.getByRole('button', { name: `Open ${products.PLG}` }).click();
    expect(await collaborator.getByRole('button', { name: 'Reactivate' }).count()).toBe(0);
    await mainScreen(collaborator, '13-collaborator-entitlements');
    // Another organization's page is not theirs to see.
    await collaborator.goto(`${base}/console/organizations/00000000-0000-4000-8000-000000000000/overview`);
    await collaborator.getByRole('heading', { name: CUSTOMER, level: 1 }).waitFor();
    await collaborator.close();
  }, STEP_MS);

  it('Part B, C: the remaining cancellations; licence, environment and service cleaned up as the provisioning policy says', async () => {
    await cancelEntitlement(admin, products.ENV, 'CUSTOMER_REQUEST');
    await cancelEntitlement(admin, products.SVC, 'CUSTOMER_REQUEST');

    await tab(admin, 'Resources');
    const licence = admin.getByRole('article', { name: `Licence ${products.PLG}` });
    await untilAfterReload(admin, async () => (await text(licence.locator('h3 .badge'))) === 'CANCELLED', 'the licence cancelled');
    expect(await text(licence)).toContain('downloads revoked');

    // The environment: teardown waits for an export (or a waiver); then it is torn down.
    const environment = admin.getByRole('article', { name: /^Environment / });
    await untilAfterReload(admin, async () => (await showClass(admin, 'Hosted environments'), (await text(environment.locator('h3 .badge'))) === 'DEPROVISIONED'), 'the environment deprovisioned');
    expect(await text(environment)).toContain('Teardown is blocked until the data is exported');
    expect(await environment.getByRole('button', { name: 'Tear down' }).isDisabled()).toBe(true);
    await environment.getByRole('button', { name: 'Export Data' }).click();
    await admin.getByText('The environment data is exported.').waitFor();
    await environment.getByText('The data is exported: teardown may go ahead.').waitFor();
    await environment.getByRole('button', { name: 'Tear down' }).click();
    expect(await text(dialog(admin))).toContain('This cannot be undone');
    await dialog(admin).getByRole('button', { name: 'Tear down' }).click();
    await admin.getByText('The environment is torn down.').waitFor();
    await environment.locator('h3 .badge', { hasText: 'TORN DOWN' }).waitFor();

    // The service: cancelled, its open request in the review queue, credits frozen.
    const service = admin.getByRole('article', { name: `Service ${products.SVC}` });
    await untilAfterReload(admin, async () => (await showClass(admin, 'Services and contracts'), (await text(service.locator('h3 .badge'))) === 'CANCELLED'), 'the service cancelled');
    const queue = admin.getByRole('region', { name: 'Review queue' });
    await untilAfterReload(admin, async () => (await showClass(admin, 'Services and contracts'), (await queue.getByRole('rowheader', { name: 'Migrate the product feed' }).count()) === 1), 'the request in review');
    await mainScreen(admin, '06-resources-services-review');
    await queue.getByRole('button', { name: 'Complete Migrate the product feed' }).click();
    await queue.getByText('No open requests of this organization wait for review.').waitFor();
    expect(await text(admin.getByRole('region', { name: 'Contracts and credit balances' }))).toContain('FROZEN');
  }, STEP_MS);

  it('Part D: Generate Data Export, watch it run, download the ZIP', async () => {
    await tab(admin, 'Data');
    await admin.getByRole('button', { name: 'Generate Data Export' }).click();
    await admin.getByText('The data export has started.').waitFor();
    const link = admin.getByRole('link', { name: /^Download ZIP/ });
    await link.waitFor({ timeout: 90_000 });
    expect(await text(admin.getByRole('table').locator('tbody tr').first().locator('.badge'))).toBe('READY');
    await mainScreen(admin, '07-data-export');
    const response = await fetch(new URL((await link.getAttribute('href'))!, base));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  }, STEP_MS);

  it('Part E: Archive Organization after confirming; hidden from the default list, shown with "Show archived"; the collaborator is out', async () => {
    const collaborator = await browser.newPage();
    await signIn(collaborator, COLLABORATOR.email, COLLABORATOR.password);
    await collaborator.getByRole('heading', { name: CUSTOMER, level: 1 }).waitFor();

    await tab(admin, 'Overview');
    await admin.getByRole('button', { name: 'Archive Organization' }).click();
    const confirm = dialog(admin);
    expect(await text(confirm)).toContain('cannot accept new quotes or orders');
    await confirm.getByRole('button', { name: 'Archive', exact: true }).click();
    await admin.locator('.subtitle .badge', { hasText: 'ARCHIVED' }).waitFor();

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await admin.getByRole('searchbox', { name: /Search name/ }).fill(CUSTOMER);
    await admin.getByText('No organization matches.').waitFor();
    await admin.getByLabel('Show archived').check();
    await admin.getByRole('table').getByRole('link', { name: CUSTOMER }).waitFor();
    await admin.getByRole('searchbox', { name: /Search name/ }).fill('');
    await mainScreen(admin, '02-organizations');

    // The collaborator's portal access ended with the archive: their next request says so.
    await untilAfterReload(collaborator, async () => (await collaborator.getByRole('alert').count()) > 0, "the collaborator's access ended", 30_000).catch(() => undefined);
    await collaborator.reload();
    await collaborator.getByRole('alert').first().waitFor();
    expect(await text(collaborator.getByRole('alert').first())).toMatch(/archived|session has (ended|expired)/);
    await collaborator.close();
  }, STEP_MS);

  it('Part F: unarchive, reactivate with a new order reference, and the licence is provisioned again', async () => {
    await openOrganization(admin, CUSTOMER, { archived: true });
    await admin.getByRole('button', { name: 'Unarchive Organization' }).click();
    await dialog(admin).getByRole('button', { name: 'Unarchive', exact: true }).click();
    await admin.locator('.subtitle .badge', { hasText: 'ACTIVE' }).waitFor();

    await tab(admin, 'Entitlements');
    await admin.getByRole('button', { name: `Open ${products.PLG}` }).click();
    await admin.getByRole('button', { name: 'Reactivate' }).click();
    const confirm = dialog(admin);
    expect(await confirm.getByRole('button', { name: 'Reactivate' }).isDisabled()).toBe(true);
    await confirm.getByLabel('New order or payment reference').fill('PO-2027-001');
    await confirm.getByRole('button', { name: 'Reactivate' }).click();
    await admin.getByText(`${products.PLG} is active again; its resources are provisioned again.`).waitFor();
    await hasStatus(admin, products.PLG, 'ACTIVE');

    await tab(admin, 'Resources');
    const licence = admin.getByRole('article', { name: `Licence ${products.PLG}` });
    await untilAfterReload(admin, async () => (await text(licence.locator('h3 .badge'))) === 'ACTIVE', 'the licence provisioned again');
  }, STEP_MS);

  it('Part G, before the retention period: cancelled again and archived; an error the API returns is said in words', async () => {
    await tab(admin, 'Overview');
    await admin.getByRole('button', { name: 'Archive Organization' }).click();
    await dialog(admin).getByRole('button', { name: 'Archive', exact: true }).click();
    // One entitlement is active again, so the API refuses, and the dialog says why.
    expect(await text(dialog(admin).getByRole('alert'))).toMatch(/^This is not possible in the current state: /);
    await dialog(admin).getByRole('button', { name: 'Go back' }).click();

    await tab(admin, 'Entitlements');
    await cancelEntitlement(admin, products.PLG, 'CUSTOMER_REQUEST');
    await tab(admin, 'Overview');
    await admin.getByRole('button', { name: 'Archive Organization' }).click();
    await dialog(admin).getByRole('button', { name: 'Archive', exact: true }).click();
    await admin.locator('.subtitle .badge', { hasText: 'ARCHIVED' }).waitFor();
  }, STEP_MS);
});
