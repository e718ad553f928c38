import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_SITE_DIR = fileURLToPath(new URL('../fixtures/demo-site/', import.meta.url));

export interface SiteServer {
  port: number;
  /** Serve this HTML for host+path instead of the file (a page that changed). */
  setPage(host: string, path: string, html: string): void;
  /** Answer host+path with a redirect to `location` (absolute, or relative to the request). */
  setRedirect(
    host: string,
    path: string,
    status: 301 | 302 | 303 | 307 | 308,
    location: string,
  ): void;
  close(): Promise<void>;
}

/**
 * Serves the demo site on 127.0.0.1 only. Several made-up hosts (coffee-blog.test, …) share
 * the one port: the browser maps them here with --host-resolver-rules and the Host header
 * picks the folder, so referring domains are real distinct domains to the extension.
 */
export async function startSiteServer(root = DEMO_SITE_DIR): Promise<SiteServer> {
  const overrides = new Map<string, string>();
  const redirects = new Map<string, { status: number; location: string }>();
  const server: Server = createServer(async (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0]!.toLowerCase();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const redirect = redirects.get(`${host}${path}`);
    if (redirect) {
      res.writeHead(redirect.status, { location: redirect.location, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const override = overrides.get(`${host}${path}`);
    const file = path === '/' ? 'index.html' : `${path.slice(1)}.html`;
    const resolved = normalize(join(root, host, file));
    try {
      if (!resolved.startsWith(root) || !/^[a-z0-9.-]+$/.test(host)) throw new Error('outside');
      const body = override ?? (await readFile(resolved, 'utf8'));
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return {
    port: address.port,
    setPage: (host, path, html) => overrides.set(`${host}${path}`, html),
    setRedirect: (host, path, status, location) =>
      redirects.set(`${host}${path}`, { status, location }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
