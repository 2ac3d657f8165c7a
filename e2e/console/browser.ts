import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { waitFor } from '@offboarding/testing';

// Debian's Chromium driven by playwright-core (no browser download): one browser for the whole
// console suite, a fresh profile each run. Pages of one profile keep separate sessions (the
// console keeps its token in sessionStorage, which is per tab), so one browser serves the admin,
// a second admin and a collaborator side by side.

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts', 'console');

export interface ConsoleBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<ConsoleBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'console-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  context.setDefaultTimeout(30_000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot kept as a test artifact (e2e/artifacts/console, git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.1 AA rules over the page as it is now: the serious and critical violations.
 * The script is evaluated through the DevTools protocol, so the console's CSP (no inline
 * scripts) stays as it is in production.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Runs in the page (a string, since the tests are compiled without the DOM's types).
  const violations = await page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((node) => node.target.join(' ')) }));
  })()`);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

const SESSION_KEY = 'offboarding.console.session';

/** The console's stored session in this tab, changed by `edit` (to make its tokens stale or revoked). */
export async function editStoredSession(page: Page, edit: (session: { accessToken: string; refreshToken: string }) => { accessToken: string; refreshToken: string }): Promise<void> {
  const stored = JSON.parse(await page.evaluate<string>(`sessionStorage.getItem(${JSON.stringify(SESSION_KEY)})`)) as { accessToken: string; refreshToken: string };
  const changed = JSON.stringify({ ...stored, ...edit(stored) });
  await page.evaluate(`sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, ${JSON.stringify(changed)})`);
}

/**
 * Reloads the page until `check` holds: for effects other services apply after an event. Each
 * check runs once the page has loaded and its requests have settled; a check that throws (what it
 * reads is not on the page yet) counts as not holding, so the page is reloaded then too. On a
 * timeout the page is kept as a screenshot beside the others and the last check error is told.
 */
export async function untilAfterReload(page: Page, check: () => Promise<boolean>, description: string, timeoutMs = 90_000): Promise<void> {
  const settled = async () => {
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
  };
  let checkError: unknown;
  try {
    await settled();
    await waitFor(
      async () => {
        try {
          if (await check()) return true;
        } catch (error) {
          checkError = error;
        }
        await page.reload();
        await settled();
        return false;
      },
      { timeoutMs, intervalMs: 500, description },
    );
  } catch (error) {
    await screenshot(page, `failed-${description.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
    if (checkError instanceof Error && error instanceof Error) error.message += `; the last check failed with: ${checkError.message}`;
    throw error;
  }
}
