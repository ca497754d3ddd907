// The one way tests and benchmarks start Chromium (Debian's, or CHROMIUM_PATH), with the flags this machine needs.
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Headless unless `headed` (the e2e harness passes E2E_HEADED=1 through here to watch a run). */
export function launchChromium(options: { headed?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: !options.headed });
}
