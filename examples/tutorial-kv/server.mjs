// tutorial-kv's server: a key-value store where node n1 holds the data and every other node forwards to it.
// Plain JavaScript with no dependencies, so it runs on any node that has Node.js (the node image has v18).
// Usage: node server.mjs <port> <primary-url or "self">
import http from 'node:http';

const [portText, primary] = process.argv.slice(2);
const port = Number(portText);
const data = new Map();

function apply(op) {
  const current = data.get(op.key ?? '') ?? null;
  switch (op.f) {
    case 'read':
      return { type: 'ok', value: current };
    case 'write':
      data.set(op.key ?? '', op.value);
      return { type: 'ok', value: op.value };
    case 'cas': {
      const [from, to] = op.value;
      if (current !== from) return { type: 'fail', error: `expected ${from}, found ${current}` };
      data.set(op.key ?? '', to);
      return { type: 'ok', value: op.value };
    }
    default:
      return { type: 'fail', error: `unknown op ${op.f}` };
  }
}

async function forward(op) {
  try {
    const res = await fetch(`${primary}/op`, {
      method: 'POST',
      body: JSON.stringify(op),
      signal: AbortSignal.timeout(1000),
    });
    return await res.json();
  } catch (e) {
    // We may or may not have reached the primary: the outcome is unknown.
    return { type: 'info', error: `primary unreachable: ${e.message}` };
  }
}

http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      if (req.url === '/health') return res.end('ok');
      const op = JSON.parse(body);
      const completion = primary === 'self' ? apply(op) : await forward(op);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(completion));
    });
  })
  .listen(port, '0.0.0.0', () => console.log(`tutorial-kv listening on ${port}, primary ${primary}`));
