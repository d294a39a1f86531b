// tests/e2e/browser.mjs — Debian's chromium driven by playwright-core (never `playwright install`):
// launch with the flags these machines need, a page at 1366×768 that records console errors and
// page errors, and screenshots saved as test artifacts under build/e2e-artifacts/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const ARTIFACTS = process.env.CW_E2E_ARTIFACTS || path.join(process.env.CW_BUILD_DIR || path.join(REPO, 'build'), 'e2e-artifacts');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// A fresh context (no cookies) and page; page.errors lists console errors and uncaught exceptions.
export async function newPage(browser, { colorScheme = 'light', viewport = { width: 1366, height: 768 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.dialogs = [];
  page.on('pageerror', (error) => page.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && page.errors.push(`console: ${message.text()}`));
  page.on('dialog', (dialog) => { page.dialogs.push(dialog.message()); dialog.dismiss(); });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
