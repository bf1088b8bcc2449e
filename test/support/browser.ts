// Debian's Chromium driven by playwright-core: the real browser the tests open pages in (no browser download).
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's package puts the browser. */
export const CHROMIUM = process.env.GATEWAY_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium (no sandbox: tests run as root on CI machines). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
