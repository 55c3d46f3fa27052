// JSON over HTTP/1.1 for reference systems: the server side their programs run on the nodes (Node 18), and the
// request side used both node-to-node and by client adapters on the controller (Node 20).
// Requests use node:http rather than fetch so one code path serves both Node versions and so we know exactly
// whether the connection was ever established: before that, nothing was sent and the request is a definite
// failure; after it, a lost or timed-out request may have taken effect.
import http from 'node:http';

/** What became of a request: a reply, definitely never sent, or unknown (it may have been processed). */
export type JsonReply =
  | { kind: 'reply'; status: number; body: unknown }
  | { kind: 'not-sent'; error: string }
  | { kind: 'unknown'; error: string };

export interface RequestOptions {
  /** Aborts the request; classified like a timeout. */
  signal?: AbortSignal;
  /** Gives up after this long. Default 10 s. */
  timeoutMs?: number;
}

// Keep-alive matters for throughput; idle sockets close before the server's keepAliveTimeout so a reused
// socket is rarely one the server is closing at that moment (which would turn a request into 'unknown').
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });

/** POSTs `body` as JSON (or GETs when body is undefined) and parses the JSON reply. Never rejects. */
export function requestJson(url: string, body: unknown, options: RequestOptions = {}): Promise<JsonReply> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let connected = false;
    let settled = false;
    const finish = (reply: JsonReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(reply);
    };
    const fail = (error: string): void => {
      finish(connected ? { kind: 'unknown', error } : { kind: 'not-sent', error });
    };
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method: payload === undefined ? 'GET' : 'POST',
      agent,
      headers:
        payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) },
    });
    const timer = setTimeout(() => {
      fail(`timed out after ${options.timeoutMs ?? 10_000} ms`);
      request.destroy();
    }, options.timeoutMs ?? 10_000);
    const onAbort = (): void => {
      fail('aborted');
      request.destroy();
    };
    if (options.signal?.aborted) {
      finish({ kind: 'not-sent', error: 'aborted before sending' });
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => {
      // A pooled socket is already connected: whatever we write may reach the server.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      fail(error.code ?? error.message);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        fail(error.message);
      });
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          finish({ kind: 'reply', status: response.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) });
        } catch {
          fail(`reply is not JSON: ${text.slice(0, 200)}`);
        }
      });
    });
    request.end(payload);
  });
}

/** A route handler: gets the parsed JSON body (undefined for GET) and returns the JSON reply body. */
export type JsonRoute = (body: unknown) => unknown;

/** A reply with a status other than 200. */
export class JsonStatus {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    this.status = status;
    this.body = body;
  }
}

/** Serves `routes` (by path, any method) on host:port; resolves once listening. Handler errors become 500. */
export async function serveJson(host: string, port: number, routes: Record<string, JsonRoute>): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        if (response.destroyed) return;
        const text = JSON.stringify(body);
        response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      const route = routes[new URL(request.url ?? '/', 'http://x').pathname];
      if (route === undefined) {
        reply(404, { error: `no route ${request.url ?? ''}` });
        return;
      }
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        reply(400, { error: 'body is not JSON' });
        return;
      }
      Promise.resolve()
        .then(() => route(body))
        .then(
          (result) => {
            if (result instanceof JsonStatus) reply(result.status, result.body);
            else reply(200, result);
          },
          (error: unknown) => {
            reply(500, { error: error instanceof Error ? error.message : String(error) });
          },
        );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
