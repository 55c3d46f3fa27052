// Opens pages in Debian's Chromium with playwright-core, recording page errors, console errors and every
// request that is not for a local file (which the report must never make).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const skipReason = existsSync(chromiumPath)
  ? false
  : `${chromiumPath} is not installed (scripts/setup-machine.sh installs it); skipping the browser tests`;
if (skipReason !== false) process.stdout.write(`# ${skipReason}\n`);

export const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts/report');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  errors: string[];
  external: string[];
  /** ms from navigation to the page's __ready flag. */
  loadMs: number;
}

export async function openPage(browser: Browser, file: string, width = 1400, height = 900): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  const external: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.route('**/*', async (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    external.push(route.request().url());
    return route.abort();
  });
  const started = Date.now();
  await page.goto(pathToFileURL(file).href);
  await waitUntilReady(page);
  return { page, errors, external, loadMs: Date.now() - started };
}

export async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  if (selector === undefined) await page.screenshot({ path, fullPage: true });
  else await page.locator(selector).screenshot({ path });
}

// These tests type-check against Node's types, not the DOM's, and the report's CSP forbids eval (so no string
// predicates): page state is read through playwright's locators, and polled from Node.

/** Waits for the page's __ready flag (set once everything is drawn). */
export async function waitUntilReady(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { __ready?: boolean }).__ready === true, null, {
    timeout: timeoutMs,
  });
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function poll(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The values of an attribute over every element a selector matches, in document order. */
export function attributeValues(page: Page, selector: string, attribute: string): Promise<(string | null)[]> {
  return page
    .locator(selector)
    .evaluateAll(
      (nodes: { getAttribute(name: string): string | null }[], name: string) => nodes.map((n) => n.getAttribute(name)),
      attribute,
    );
}

/** The canvas's pixels, as a data URL, to tell whether a redraw changed anything. */
export function canvasPixels(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((c: { toDataURL(): string }) => c.toDataURL());
}
