// The `test` every spec uses: each test gets its own portal-server on a free port, with a
// fresh SQLite file and the demo catalog, and `baseURL` pointing at it.
import { test as base, expect } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

/** A running server and the address it serves on. */
export interface Portal {
  url: string;
}

async function startServer(): Promise<{ portal: Portal; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
  const bin = process.env.PORTAL_SERVER_BIN ?? join(root, 'target/debug/portal-server');
  const child: ChildProcess = spawn(
    bin,
    [
      '--port', '0',
      '--demo',
      '--database-url', `sqlite://${join(dir, 'portal.db')}`,
      '--static-dir', process.env.PORTAL_DIST ?? join(root, 'dist'),
      '--seed', join(root, 'server/demo/catalog.toml'),
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
  return { portal: { url }, stop };
}

export const test = base.extend<{ portal: Portal }>({
  portal: async ({}, use) => {
    const { portal, stop } = await startServer();
    await use(portal);
    await stop();
  },
  baseURL: async ({ portal }, use) => {
    await use(portal.url);
  },
});

export { expect };
