import { defineConfig } from '@playwright/test';

// The same specs run twice: hydrated, and with JavaScript off (progressive enhancement).
const port = Number(process.env.E2E_PORT ?? 3100);
// At `localhost`, a domain name: passkeys (WebAuthn) belong to one, never to an IP address.
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    // The binary cargo-leptos built, on a fresh SQLite file, with the dev mailbox.
    command: 'rm -rf target/e2e && mkdir -p target/e2e && exec target/debug/isv-portal',
    cwd: '..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      DATABASE_URL: 'sqlite://target/e2e/portal.db?mode=rwc',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: baseURL,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'isv-portal',
      RUST_LOG: 'warn',
      // The specs give each person an address of their own (helpers.ts `ownAddress`).
      TRUSTED_PROXIES: '127.0.0.1/32',
    },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
