import { defineConfig } from '@playwright/test';

/** Debian's Chromium (never a downloaded browser). See ../shared/STACK.md for the flags. */
export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    locale: 'ca-ES',
    timezoneId: 'Europe/Madrid',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // getUserMedia without a camera or a permission prompt (calls, recordings)
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        // WebRTC between two pages of the same machine (the call specs)
        '--allow-loopback-in-peer-connection',
      ],
    },
  },
});
