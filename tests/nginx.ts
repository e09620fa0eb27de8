// A real nginx (Debian's) serving a copy of dist/ under a base path, the way a static host
// does: files as they are, index.html for every other address below the base.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist } from './fixtures';

export interface StaticHost {
  /** The address of the app, ending with its base path: http://127.0.0.1:PORT/access/ */
  url: string;
  origin: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

/**
 * Serve dist/ under `base` (e.g. "/access/") with `config` as its config.json; `config`
 * null leaves config.json out, a string is written as it is.
 */
export async function startNginx(
  base: string,
  config: object | string | null,
  port?: number,
): Promise<StaticHost> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-nginx-'));
  const site = join(dir, 'www', base);
  mkdirSync(site, { recursive: true });
  cpSync(dist, site, { recursive: true });
  rmSync(join(site, 'config.json'), { force: true });
  if (config !== null) {
    writeFileSync(join(site, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  }
  port ??= await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `user root;
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    # The fallback rule for a single-page app under ${base}: a file if there is one,
    # otherwise the app's index.html, which opens the route from the address.
    location ${base} {
      try_files $uri $uri/ ${base}index.html;
    }
  }
}
`,
  );
  const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const child = spawn(nginx, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d) => (log += d));
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${origin}${base}`);
      if (r.ok) break;
    } catch {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${log}`);
    }
    if (i > 100) throw new Error(`nginx did not answer on ${origin}: ${log}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    url: `${origin}${base}`,
    origin,
    stop: async () => {
      // SIGTERM is nginx's fast shutdown; a graceful one (SIGQUIT) would wait for the
      // browser's keep-alive connections to go idle.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
