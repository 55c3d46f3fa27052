#!/usr/bin/env node
// A deliberately weak counter node for Maelstrom's g-counter protocol, written for faultline's examples.
// Each node adds a client's delta to its own total, acknowledges at once, and tells every peer once, with no
// retry and no message ids to recognise a repeat. So on faultline's network it goes wrong three ways:
//   - a read on another node misses an add acknowledged moments ago (the gossip is still on its way);
//   - a lost gossip message loses the delta on that peer for good;
//   - a duplicated gossip message counts the delta twice.
// The counter checker catches it: reads below the acknowledged sum, or above everything attempted.
// Plain Node.js, no dependencies: messages on stdin and stdout, logs on stderr.
import { createInterface } from 'node:readline';

let nodeId = '';
let nodeIds = [];
let nextMsgId = 0;
let total = 0;

function send(dest, body) {
  nextMsgId += 1;
  process.stdout.write(`${JSON.stringify({ src: nodeId, dest, body: { ...body, msg_id: nextMsgId } })}\n`);
}

function reply(request, body) {
  send(request.src, { ...body, in_reply_to: request.body.msg_id });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const message = JSON.parse(line);
  const body = message.body;
  switch (body.type) {
    case 'init':
      nodeId = body.node_id;
      nodeIds = body.node_ids;
      process.stderr.write(`${nodeId} initialised among ${nodeIds.join(', ')}\n`);
      reply(message, { type: 'init_ok' });
      break;
    case 'add':
      total += body.delta;
      for (const peer of nodeIds) if (peer !== nodeId) send(peer, { type: 'gossip', delta: body.delta });
      reply(message, { type: 'add_ok' });
      break;
    case 'gossip':
      total += body.delta;
      break;
    case 'read':
      reply(message, { type: 'read_ok', value: total });
      break;
    default:
      reply(message, { type: 'error', code: 10, text: `unsupported request ${body.type}` });
  }
});
