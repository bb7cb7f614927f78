// Debian's chromium driven by playwright-core (never a downloaded browser). Tests skip with the reason
// when it is absent, unless SKULENS_REQUIRE_CHROMIUM=1 (CI installs it with apt and sets that).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
