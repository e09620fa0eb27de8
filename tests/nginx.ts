// A real nginx (Debian's) serving a copy of dist/ under a base path, the way a static host
// does: files as they are, index.html for every other address below the base.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist } from './fixtures';

export interface StaticHost {
  /** The address of the app, ending with its base path: http://127.0.0.1:PORT/access/ */
  url: string;
  origin: string;
  /** Write `config` as the app's config.json (null removes it; a string is written as it is). */
  configure: (config: object | string | null) => void;
  stop: () => Promise<void>;
}

/** A port on loopback that was free a moment ago; whoever binds it next may find it taken. */
async function freePort(): Promise<number> {
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
 * null leaves config.json out (`configure` can write it later, once the API's address is
 * known). nginx binds its own port: a port another test took in the meantime is given up for
 * the next, so parallel tests never share one.
 */
export async function startNginx(base: string, config: object | string | null): Promise<StaticHost> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-nginx-'));
  const site = join(dir, 'www', base);
  mkdirSync(site, { recursive: true });
  cpSync(dist, site, { recursive: true });
  const configure = (config: object | string | null) => {
    rmSync(join(site, 'config.json'), { force: true });
    if (config !== null) {
      writeFileSync(join(site, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    }
  };
  configure(config);
  for (let attempt = 1; ; attempt++) {
    const started = await tryNginx(dir, base, await freePort());
    if ('origin' in started) {
      return {
        url: `${started.origin}${base}`,
        origin: started.origin,
        configure,
        stop: async () => {
          await started.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (!started.portTaken || attempt >= 5) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${started.log}`);
    }
  }
}

type Started = { origin: string; stop: () => Promise<void> } | { portTaken: boolean; log: string };

/** nginx on `port`, answering for this site alone (a header only it sends tells it apart). */
async function tryNginx(dir: string, base: string, port: number): Promise<Started> {
  const mark = randomUUID();
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
    add_header X-Test-Site ${mark} always;
    # The fallback rule for a single-page app under ${base}: a file if there is one,
    # otherwise the app's index.html, which opens the route from the address. The pages and
    # config.json change on deploy: revalidated. The .gz copies cargo xtask writes are sent
    # as they are. (add_header in a location replaces the server's, so the mark is repeated.)
    location ${base} {
      gzip_static on;
      gzip_vary on;
      try_files $uri $uri/ ${base}index.html;
      add_header X-Test-Site ${mark} always;
      add_header Cache-Control "no-cache";
      # Names with Trunk's content hash never change: kept for a year.
      location ~ "-[0-9a-f]{16}(_bg)?\\.[a-z0-9]+$" {
        add_header X-Test-Site ${mark} always;
        add_header Cache-Control "public, max-age=31536000, immutable";
      }
    }
  }
}
`,
  );
  const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const child = spawn(nginx, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise((ok) => child.once('exit', ok));
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i <= 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return { portTaken: /Address already in use/.test(log), log };
    }
    try {
      const r = await fetch(`${origin}${base}`);
      if (r.headers.get('x-test-site') === mark) {
        return {
          origin,
          // SIGTERM is nginx's fast shutdown; a graceful one (SIGQUIT) would wait for the
          // browser's keep-alive connections to go idle.
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              await exited;
            }
          },
        };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  child.kill('SIGTERM');
  await exited;
  return { portTaken: false, log: `no answer on ${origin}: ${log}` };
}
