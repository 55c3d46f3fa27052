// A client adapter for servers that answer POST /op with a Completion as JSON (the reference systems' protocol).
// The mapping from transport outcome to completion is the part every adapter must get right:
//   never sent (refused, unreachable, aborted while connecting) => fail: it cannot have happened;
//   sent but no reply (timeout, abort, connection lost)          => info: it may have happened;
//   a reply                                                      => the server's own ok / fail / info.
import type { Client, ClientOp, Completion, Value } from '../../harness/plugin.ts';
import { requestJson } from './jsonHttp.ts';
import type { JsonReply } from './jsonHttp.ts';

/** Turns a request's outcome into a completion, given how to read a reply body. */
export function completionFromReply(
  reply: JsonReply,
  readBody: (status: number, body: unknown) => Completion,
): Completion {
  switch (reply.kind) {
    case 'not-sent':
      return { type: 'fail', error: `not sent: ${reply.error}` };
    case 'unknown':
      return { type: 'info', error: reply.error };
    case 'reply':
      return readBody(reply.status, reply.body);
  }
}

/** Reads a body that is itself a Completion ({type, value} or {type, error}); anything else is info. */
export function parseCompletion(status: number, body: unknown): Completion {
  if (typeof body === 'object' && body !== null && 'type' in body) {
    const reply = body as { type: unknown; value?: unknown; error?: unknown; servedBy?: unknown };
    const error = typeof reply.error === 'string' ? reply.error : `HTTP ${status}`;
    // The node that performed the op, when the server says (primary-backup's primary names itself).
    const served = typeof reply.servedBy === 'string' ? { servedBy: reply.servedBy } : {};
    if (reply.type === 'ok') return { type: 'ok', value: (reply.value ?? null) as Value, ...served };
    if (reply.type === 'fail') return { type: 'fail', error, ...served };
    if (reply.type === 'info') return { type: 'info', error, ...served };
  }
  return { type: 'info', error: `unexpected reply (HTTP ${status}): ${JSON.stringify(body).slice(0, 200)}` };
}

/** A Client that POSTs each op to `${baseUrl}/op`. */
export function httpOpClient(baseUrl: string, options: { timeoutMs?: number } = {}): Client {
  return {
    async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
      const reply = await requestJson(`${baseUrl}/op`, op, { signal, timeoutMs: options.timeoutMs ?? 30_000 });
      return completionFromReply(reply, parseCompletion);
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
