import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { knownBadChecks, knownBadHistory, sampleResults, writeSampleRun } from '../testing/sampleRuns.ts';
import type { StoreServer } from './serveStore.ts';
import { serveStore } from './serveStore.ts';

const root = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
const store = join(root, 'store');
let server: StoreServer;

before(async () => {
  const history = knownBadHistory();
  const run = writeSampleRun(join(store, 'register', '20261123T200000'), history, sampleResults(history, knownBadChecks()));
  writeFileSync(join(run, 'report.html'), '<!doctype html><p>report</p>');
  writeFileSync(join(root, 'secret.txt'), 'outside the store');
  symlinkSync(join(root, 'secret.txt'), join(store, 'register', 'leak.txt'));
  mkdirSync(join(store, 'register', 'empty'));
  server = await serveStore(store, { port: 0 });
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw request, so paths like /../ reach the server unnormalised. */
function get(
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const out = { status: res.statusCode ?? 0, type: String(res.headers['content-type']), body };
        resolve(res.headers.location === undefined ? out : { ...out, location: res.headers.location });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('listens on loopback and says where', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('/ regenerates and serves the store index', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.match(res.type, /text\/html/);
  assert.match(res.body, /register\/20261123T200000/);
});

test('a run directory serves its report; files are served with their types', async () => {
  assert.equal((await get('/register/20261123T200000')).location, '/register/20261123T200000/');
  assert.match((await get('/register/20261123T200000/')).body, /<p>report<\/p>/);
  const results = await get('/register/20261123T200000/results.json');
  assert.match(results.type, /application\/json/);
  assert.equal((JSON.parse(results.body) as { campaign: string }).campaign, 'register-partition');
  const log = await get('/register/20261123T200000/logs/n1/server.log');
  assert.equal(log.body, 'started\n');
  assert.match(log.type, /text\/plain/);
  assert.match((await get('/register/empty/')).body, /<h1>\/register\/empty\/<\/h1>/);
  assert.equal((await get('/register/20261123T200000/results.json', 'HEAD')).body, '');
});

test('nothing outside the store can be read', async () => {
  assert.equal((await get('/../secret.txt')).status, 404); // normalised to /secret.txt, which is not in the store
  assert.equal((await get('/%2e%2e/secret.txt')).status, 404);
  assert.equal((await get('/register/leak.txt')).status, 403); // a symlink pointing out
  assert.equal((await get('/nope')).status, 404);
  assert.equal((await get('/', 'POST')).status, 405);
});

test('only loopback Host headers are answered (DNS rebinding)', async () => {
  for (const host of ['evil.example', 'evil.example:80', '10.0.0.1', '127.0.0.1.evil.example', 'localhost.evil.example']) {
    const r = await get('/register/20261123T200000/history.jsonl', 'GET', { host });
    assert.equal(r.status, 421, host);
    assert.doesNotMatch(r.body, /"index"/, host);
  }
  for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, 'LOCALHOST']) {
    const r = await get('/register/20261123T200000/report.html', 'GET', { host });
    assert.equal(r.status, 200, host);
  }
});
