// Debian's chromium driven by playwright-core (never a downloaded browser). Tests skip with the reason
// when it is absent, unless SKULENS_REQUIRE_CHROMIUM=1 (CI installs it with apt and sets that).
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SKULENS_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is not installed (apt-get install chromium); the console's browser tests need it`;
  if (process.env.SKULENS_REQUIRE_CHROMIUM === '1') throw new Error(`SKULENS_REQUIRE_CHROMIUM=1 but ${reason}`);
  return reason;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Signs `page` in to the console at `url` with `key` and waits for the projects page. */
export async function signIn(page: Page, url: string, key: { id: string; secret: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Key id').fill(key.id);
  await page.getByLabel('Secret').fill(key.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

/** A browser with one 1280x800 page signed in to the console at `url` (actions wait up to `timeoutMs`). */
export async function openConsole(url: string, key: { id: string; secret: string }, timeoutMs: number): Promise<{ browser: Browser; page: Page }> {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(timeoutMs);
  await signIn(page, url, key);
  return { browser, page };
}
