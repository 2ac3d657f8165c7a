import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { buildConsole } from '../tools/build';
import { startStack, type RunningStack } from '../tools/stack';
import { type ConsoleBrowser, editStoredSession, launchBrowser, screenshot, seriousAccessibilityViolations, untilAfterReload } from './console/browser';
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
  /** What a locator shows now, '' when it is not on the page (yet): for checks between reloads, which must not wait. */
  const shownNow = async (locator: Locator) => ((await locator.count()) === 0 ? '' : text(locator.first()));

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
  const cancelEntitlement = async (page: Page, product: string, reason: string, notes?: string, shot?: string) => {
    await page.getByRole('button', { name: `Open ${product}` }).click();
    await page.getByRole('button', { name: 'Cancel Entitlement' }).click();
    const confirm = dialog(page);
    // The form validates before sending: no reason, no confirmation.
    expect(await confirm.getByRole('button', { name: 'Confirm Cancellation' }).isDisabled()).toBe(true);
    await confirm.getByLabel('Cancellation reason').selectOption(reason);
    if (notes) await confirm.getByLabel('Notes (optional)').fill(notes);
    const said = await text(confirm);
    if (shot) await mainScreen(page, shot);
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

    const policy = await cancelEntitlement(admin, products.PLG, 'SWITCHING_PROVIDER', 'Moving to another vendor', '04b-cancel-entitlement');
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
    await untilAfterReload(collaborator, async () => (await collaborator.getByRole('alert').count()) > 0, "the collaborator's access ended");
    expect(await text(collaborator.getByRole('alert').first())).toMatch(/organization is archived/);
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

  // ——— The vendor process ———
  const VENDOR = 'Northwind Vendor';
  const PARTNER = 'Fabrikam Partner';
  let vendorId = '';
  let dayZero = '';
  const plusDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const dueOf = (page: Page, milestone: string) => text(page.locator(`table.milestones tr[data-milestone="${milestone}"] td`).first());
  /** Reloads the vendor's timeline (running the due jobs, as cron would) until the milestone is done. */
  const untilDone = (page: Page, milestone: string) =>
    untilAfterReload(
      page,
      async () => {
        // Right after the start the case may not have its timeline yet (retention opens it on the event).
        if ((await shownNow(page.locator(`table.milestones tr[data-milestone="${milestone}"] .badge`))) === 'DONE') return true;
        await runJobs();
        return false;
      },
      `${milestone} done`,
      120_000,
    );

  it('vendor, initiation: the partner and the vendor with their programmes, a vendor user and SSO', async () => {
    vendorId = await createOrganization(admin, { name: VENDOR, taxId: 'GB987654321', type: 'VENDOR' });
    await tab(admin, 'Entitlements');
    await grant(admin, 'AFL', 'Partner Programme');
    const partnerId = await createOrganization(admin, { name: PARTNER, type: 'PARTNER', vendor: VENDOR });
    await tab(admin, 'Entitlements');
    await grant(admin, 'AFL', 'Partner Programme');
    await tab(admin, 'Overview');
    await admin.getByRole('region', { name: 'Vendor' }).getByRole('link', { name: VENDOR }).click();
    await admin.getByRole('heading', { name: VENDOR, level: 1 }).waitFor();
    expect(await text(admin.getByRole('region', { name: /^Partners/ }))).toContain(PARTNER);
    await addCollaborator(admin, 'Vera Vendor', 'vera@northwind.example', 'vendor-password-123');

    // The vendor's own set-up: a campaign with a link, and an SSO connection.
    const { organization } = await gql<{ organization: { entitlements: { edges: { node: { id: string } }[] } } }>(
      `query E($id: ID!) { organization(id: $id) { entitlements(first: 5) { edges { node { id } } } } }`,
      { id: vendorId },
    );
    const { createCampaign } = await gql<{ createCampaign: { id: string } }>(
      `mutation C($e: ID!) { createCampaign(input: { entitlementId: $e, name: "Spring launch", targetUrl: "https://northwind.example/spring" }) { id } }`,
      { e: organization.entitlements.edges[0].node.id },
    );
    await gql(`mutation L($c: ID!) { createTrackingLink(campaignId: $c, targetUrl: "https://northwind.example/spring?ref=1") { id } }`, { c: createCampaign.id });
    await gql(
      `mutation S($org: ID!) { createSsoConnection(input: { organizationId: $org, protocol: OIDC, issuer: "https://idp.northwind.example", clientId: "offboarding", secret: "northwind-oidc-connection-string-0123456789" }) { id } }`,
      { org: vendorId },
    );
    expect(partnerId).not.toBe(vendorId);
  }, STEP_MS);

  it('vendor, day 0: offboarding started with the timeline previewed first, then drawn live; the export window extended on request', async () => {
    await tab(admin, 'Offboarding');
    dayZero = await today();
    const form = admin.getByRole('form', { name: 'Start offboarding' });
    await form.getByLabel('Day 0').fill(dayZero);
    await form.getByRole('button', { name: 'Preview timeline' }).click();
    // Validated before anything is sent.
    await form.getByText('Choose the reason.').waitFor();
    await form.getByLabel('Reason').selectOption('CONTRACT_END');
    await form.getByLabel('Point of contact').fill('Dana Account-Manager');
    await form.getByLabel('Notes (optional)').fill('Contract end notice received; PDF guide sent to the vendor.');
    await form.getByRole('button', { name: 'Preview timeline' }).click();
    await admin.getByText(`Preview: the timeline if day 0 is ${dayZero}`, { exact: true }).waitFor();
    expect([
      await dueOf(admin, 'ENTITLEMENTS_CANCELLED'),
      await dueOf(admin, 'EXPORT_WINDOW_CLOSES'),
      await dueOf(admin, 'SSO_SHUTDOWN'),
      await dueOf(admin, 'PII_MASKED'),
      await dueOf(admin, 'PORTAL_HIDDEN'),
      await dueOf(admin, 'FINAL_CONFIRMATION'),
      await dueOf(admin, 'PURGE_ELIGIBLE'),
    ]).toEqual([dayZero, plusDays(dayZero, 7), plusDays(dayZero, 30), plusDays(dayZero, 30), plusDays(dayZero, 90), plusDays(dayZero, 90), plusDays(dayZero, 365)]);
    expect(await admin.locator('figure.timeline svg g.milestone').count()).toBe(7);
    await mainScreen(admin, '08-offboarding-preview');

    await admin.getByRole('button', { name: 'Start offboarding' }).click();
    expect(await text(dialog(admin))).toContain(`On day 0 (${dayZero}) every entitlement is cancelled`);
    await dialog(admin).getByRole('button', { name: 'Start offboarding' }).click();
    await admin.getByRole('region', { name: 'Offboarding case' }).waitFor();
    await untilDone(admin, 'ENTITLEMENTS_CANCELLED');
    expect(await text(admin.getByRole('region', { name: 'Offboarding case' }))).toContain('Dana Account-Manager');

    // The vendor asks for a delay: three more days to export.
    await admin.getByRole('button', { name: 'Extend export window' }).click();
    await dialog(admin).getByLabel('Extra days').fill('3');
    await dialog(admin).getByLabel('Reason').fill('The vendor asked for a delay in deactivation');
    await dialog(admin).getByRole('button', { name: 'Extend', exact: true }).click();
    await admin.getByText(`The export window now closes ${plusDays(dayZero, 10)}.`).waitFor();
    await untilAfterReload(
      admin,
      async () => (await shownNow(admin.locator('table.milestones tr[data-milestone="EXPORT_WINDOW_CLOSES"] td'))) === plusDays(dayZero, 10),
      'the new export window on the timeline',
    );
    await mainScreen(admin, '09-offboarding-timeline');
  }, STEP_MS);

  it('vendor, day 10: the export window closes', async () => {
    await passDays(10);
    await untilDone(admin, 'EXPORT_WINDOW_CLOSES');
    expect(await milestoneStatus(admin, 'SSO_SHUTDOWN')).toBe('PENDING');
  }, STEP_MS);

  it('vendor, day 30: SSO shut down, accounts deactivated, personal data masked, campaigns invalidated', async () => {
    await passDays(20);
    await untilDone(admin, 'SSO_SHUTDOWN');
    await untilDone(admin, 'PII_MASKED');
    await tab(admin, 'Users and SSO');
    const sso = admin.getByRole('region', { name: 'SSO connections' });
    await sso.getByText(/secret deleted \d{4}-\d{2}-\d{2}: every SSO login fails/).waitFor();
    await admin.getByRole('region', { name: 'Users' }).locator('tbody .badge', { hasText: 'DEACTIVATED' }).waitFor();
    await mainScreen(admin, '10-users-and-sso');
    await tab(admin, 'Resources');
    await showClass(admin, 'Affiliate programme');
    expect(await text(admin.getByRole('article', { name: 'Campaign Spring launch' }).locator('h3 .badge'))).toBe('INVALIDATED');
  }, STEP_MS);

  it('vendor, day 90: portal hidden and the final confirmation; the audit trail verifies', async () => {
    await passDays(60);
    await admin.goto(`${base}/console/organizations/${vendorId}/offboarding`);
    await untilDone(admin, 'PORTAL_HIDDEN');
    await untilDone(admin, 'FINAL_CONFIRMATION');
    expect(await admin.locator('figure.timeline svg g.milestone.done').count()).toBe(6);
    await screenshot(admin, '11-offboarding-complete');

    await tab(admin, 'Audit trail');
    await admin.getByRole('button', { name: 'Verify the chain' }).click();
    await admin.getByText(/^The chain is intact: all \d+ entries verify\.$/).waitFor();
    await mainScreen(admin, '12-audit-trail');
  }, STEP_MS);

  // ——— Part G: the purge ———
  it('settings: the global cancellation policy and deprovisioning per class', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings: Policies' }).click();
    const form = admin.getByRole('form', { name: 'Cancellation policy' });
    await form.getByLabel('Portal visibility (days)').waitFor();
    expect(await form.getByLabel('Data retention (days)').inputValue()).toBe('365');
    await form.getByLabel('Portal visibility (days)').fill('-1');
    await form.getByRole('button', { name: 'Save cancellation policy' }).click();
    await form.getByText('Enter a whole number of days from 0 to 36500.').waitFor();
    await form.getByLabel('Portal visibility (days)').fill('90');
    await form.getByRole('button', { name: 'Save cancellation policy' }).click();
    await admin.getByText(/^The cancellation policy is saved\./).waitFor();
    await mainScreen(admin, '14-settings-policies');
  }, STEP_MS);

  it('Part G: after the retention period the purge queue shows what would be deleted; hold, four eyes, approval; the purge leaves a certificate', async () => {
    // The customer was cancelled 90 days ago; its retention of 365 days ends.
    await passDays(280);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings: Data Retention' }).click();
    const customerEntry = admin.getByRole('article', { name: `Purge queue: ${CUSTOMER}` });
    await untilAfterReload(admin, async () => (await customerEntry.count()) === 1, 'the customer in the purge queue');
    await customerEntry.getByText(/^What a purge would delete now: \d+ rows$/).click();
    expect(await text(customerEntry.getByRole('table'))).toContain('entitlements');
    await mainScreen(admin, '15-data-retention');

    // The vendor: a legal hold, released by this admin, who therefore may not approve.
    const vendorEntry = admin.getByRole('article', { name: `Purge queue: ${VENDOR}` });
    await untilAfterReload(admin, async () => (await vendorEntry.count()) === 1, 'the vendor in the purge queue');
    await vendorEntry.getByRole('button', { name: 'Place legal hold' }).click();
    await dialog(admin).getByLabel('Reason').fill('Court order 17/2027');
    await dialog(admin).getByRole('button', { name: 'Place hold' }).click();
    await admin.getByText(`${VENDOR} is on legal hold: nothing is masked or purged until it is released.`).waitFor();
    await vendorEntry.getByRole('button', { name: 'Release legal hold' }).click();
    await dialog(admin).getByLabel('Reason').fill('Order lifted');
    await dialog(admin).getByRole('button', { name: 'Release hold' }).click();
    await admin.getByText(`The legal hold on ${VENDOR} is released. Another admin must approve its purge.`).waitFor();
    await vendorEntry.getByRole('button', { name: 'Approve purge' }).click();
    await dialog(admin).getByRole('button', { name: 'Approve purge' }).click();
    expect(await text(dialog(admin).getByRole('alert'))).toMatch(/^A second admin must approve this: /);
    await dialog(admin).getByRole('button', { name: 'Go back' }).click();

    // A second admin approves the vendor's purge.
    const secondAdmin = { email: 'sam.second@offboarding.local', password: 'second-admin-password' };
    await gql(`mutation U($email: String!, $password: String!) { createUser(input: { email: $email, password: $password, displayName: "Sam Second", role: ADMIN }) { id } }`, secondAdmin);
    const second = await browser.newPage();
    await signIn(second, secondAdmin.email, secondAdmin.password);
    await second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings: Data Retention' }).click();
    const secondView = second.getByRole('article', { name: `Purge queue: ${VENDOR}` });
    await secondView.getByRole('button', { name: 'Approve purge' }).click();
    await dialog(second).getByRole('button', { name: 'Approve purge' }).click();
    await second.getByText(`The purge of ${VENDOR} is approved;`, { exact: false }).waitFor();
    await second.close();

    // The customer: approved, then purged by the scheduled purge job.
    await customerEntry.getByRole('button', { name: 'Approve purge' }).click();
    expect(await text(dialog(admin))).toContain('This cannot be undone.');
    await dialog(admin).getByRole('button', { name: 'Approve purge' }).click();
    await admin.getByText(`The purge of ${CUSTOMER} is approved;`, { exact: false }).waitFor();

    await admin.goto(`${base}/console/organizations/${customerId}/overview`);
    await untilAfterReload(
      admin,
      async () => {
        if ((await admin.getByRole('region', { name: 'Deletion certificate' }).count()) === 1) return true;
        await runJobs();
        return false;
      },
      'the customer purged with a certificate',
      120_000,
    );
    expect(await text(admin.locator('.subtitle'))).toContain('PURGED');
    const certificate = admin.getByRole('region', { name: 'Deletion certificate' });
    expect(await text(certificate)).toMatch(/SHA-256\s*[0-9a-f]{64}/);
    expect(await text(certificate.getByRole('table'))).toContain('entitlements');
    expect(await admin.getByRole('button', { name: /Archive|Unarchive/ }).count()).toBe(0);
    await mainScreen(admin, '16-purged-certificate');
  }, STEP_MS);

  it('session: signing out ends it; an expired access token is renewed, a revoked session sends the user back to sign in', async () => {
    // Sign out, then back in: a fresh session.
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.getByText('You have signed out.').waitFor();
    await signIn(admin, SEEDED_ADMIN.email, SEEDED_ADMIN.password);

    // Renewal: the stored access token is made unusable; the next request refreshes it and the
    // page loads with the user still signed in (the list itself may be empty by now: archived and
    // purged organizations are not in the default view).
    let tampered = '';
    await editStoredSession(admin, (stored) => ({ ...stored, accessToken: (tampered = `${stored.accessToken.slice(0, -4)}AAAA`) }));
    await admin.goto(`${base}/console/organizations`);
    // The list loaded: its table, or the words for an empty one; no error in its place.
    await admin.getByRole('table').or(admin.getByText('No organization matches.')).waitFor();
    expect(await admin.getByRole('alert').count()).toBe(0);
    const renewed = await waitFor(
      async () => {
        let current = '';
        await editStoredSession(admin, (stored) => ((current = stored.accessToken), stored));
        return current !== tampered && current;
      },
      { description: 'the console renewed the access token' },
    );
    expect(renewed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await admin.getByText('Your session has expired', { exact: false }).count()).toBe(0);
    await admin.getByText('Signed in as').waitFor();

    // A session revoked elsewhere ends with a clear message.
    await editStoredSession(admin, () => ({ accessToken: 'expired', refreshToken: 'revoked' }));
    await admin.reload();
    await admin.getByText('Your session has expired. Please sign in again.').waitFor();
    expect(await admin.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
  }, STEP_MS);
});
