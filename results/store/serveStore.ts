// `faultline serve`: the store over HTTP on loopback only, with node:http. Every path is resolved and
// checked to lie inside the store (symlinks included, via realpath), so a request cannot read anything else.
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { html } from '../html.ts';
import { writeStoreIndex } from './storeIndex.ts';
import { runFiles, storeFiles } from '../runDirectory.ts';

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the store holds system logs and histories that should not leave the machine. */
  host?: '127.0.0.1' | '::1' | 'localhost';
}

export interface StoreServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function contentType(path: string): string {
  // Unknown files (node logs without an extension, mostly) are shown as text rather than downloaded.
  return contentTypes[extname(path).toLowerCase()] ?? 'text/plain; charset=utf-8';
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}

async function listing(res: ServerResponse, dir: string, urlPath: string): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const base = urlPath.endsWith('/') ? urlPath : `${urlPath}/`;
  const page = html`<!doctype html><meta charset="utf-8"><title>${urlPath}</title><h1>${urlPath}</h1><ul>
    ${urlPath === '/' ? '' : html`<li><a href="../">../</a></li>`}
    ${entries.map((e) => {
      const name = e.isDirectory() ? `${e.name}/` : e.name;
      return html`<li><a href="${base}${encodeURIComponent(e.name)}${e.isDirectory() ? '/' : ''}">${name}</a></li>`;
    })}</ul>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page.html);
}

/**
 * Whether a Host header names this machine's loopback. A page on another site can make the browser send
 * requests here under its own domain name (DNS rebinding): answering only for loopback names keeps the
 * store unreadable to it even though the socket is on 127.0.0.1.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = /^\[([^\]]+)\](?::\d+)?$/.exec(host)?.[1] ?? host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return lower === 'localhost' || lower.endsWith('.localhost') || lower === '::1' || /^127(\.\d{1,3}){3}$/.test(lower);
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!isLoopbackHost(req.headers.host)) {
    send(res, 421, 'this server answers only for localhost, 127.0.0.1 or [::1] (Host header)'); return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') { send(res, 405, 'only GET and HEAD'); return; }
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    send(res, 400, 'bad path'); return;
  }
  if (urlPath.includes('\0')) { send(res, 400, 'bad path'); return; }
  // The index is regenerated on each visit, so runs that finished since the server started show up.
  if (urlPath === '/' || urlPath === '/index.html') await writeStoreIndex(root);
  const wanted = resolve(root, `.${urlPath}`);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    send(res, 404, 'not found'); return;
  }
  if (real !== root && !real.startsWith(root + sep)) { send(res, 403, 'outside the store'); return; }
  let info = await stat(real);
  let file = real;
  if (info.isDirectory()) {
    if (!urlPath.endsWith('/')) {
      res.writeHead(301, { location: `${encodeURI(urlPath)}/` });
      res.end();
      return;
    }
    const index = join(real, urlPath === '/' ? storeFiles.index : runFiles.report);
    try {
      info = await stat(index);
      file = index;
    } catch {
      return listing(res, real, urlPath);
    }
  }
  res.writeHead(200, {
    'content-type': contentType(file),
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** Serves a store directory on loopback; resolves once listening. */
export async function serveStore(storeDir: string, options: ServeOptions): Promise<StoreServer> {
  const host = options.host ?? '127.0.0.1';
  const root = await realpath(storeDir);
  const server = createServer((req, res) => {
    handle(root, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => { resolveListen(); });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => { resolveClose(); });
      }),
  };
}
