// The `test` every spec uses: each test gets its own portal-server on a free port, with a
// fresh SQLite file and the demo catalog, and `baseURL` pointing at it. Specs that host the
// app elsewhere (nginx) start their own servers with `startServer`.
import { test as base, expect } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '..');
export const dist = process.env.PORTAL_DIST ?? join(root, 'dist');

/** A running server and the address it serves on. */
export interface Portal {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Start portal-server on a free port with the demo catalog, or with the catalog file `seed`;
 * `args` add flags. Demo sign-in is on unless `args` name an OpenID Provider.
 */
export async function startServer(args: string[] = [], seed = join(root, 'server/demo/catalog.toml')): Promise<Portal> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
  const bin = process.env.PORTAL_SERVER_BIN ?? join(root, 'target/debug/portal-server');
  const child: ChildProcess = spawn(
    bin,
    [
      '--port', '0',
      ...(args.includes('--oidc-issuer') ? [] : ['--demo']),
      '--database-url', `sqlite://${join(dir, 'portal.db')}`,
      '--static-dir', dist,
      '--seed', seed,
      ...args,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => (log += d));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(/serving on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`portal-server exited (${code}) before serving:\n${log}`)));
  });
  const stop = async () => {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

export const test = base.extend<{ portal: Portal; appStops: 'fail' | 'expected' }>({
  // The app stopping on an error (a panic: a WebAssembly RuntimeError in the page) fails the
  // test, whatever it goes on to check; a test that makes the app stop on purpose says so with
  // `test.use({ appStops: 'expected' })`.
  appStops: ['fail', { option: true }],
  page: async ({ page, appStops }, use) => {
    const stops: string[] = [];
    page.on('pageerror', (error) => {
      if (error.name === 'RuntimeError') stops.push(`${error.message}\n${error.stack ?? ''}`);
    });
    await use(page);
    if (appStops === 'fail') expect(stops, 'the app stopped on an error').toEqual([]);
  },
  portal: async ({}, use) => {
    const portal = await startServer();
    await use(portal);
    await portal.stop();
  },
  baseURL: async ({ portal }, use) => {
    await use(portal.url);
  },
});

export { expect };
