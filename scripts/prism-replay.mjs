// Replays a recorded run of the API tests (VERITY_API_RECORD, one JSON line
// per exchange) through Stoplight Prism's validating proxy, and fails on any
// violation Prism reports: an answer that departs from the OpenAPI document,
// or a request the document calls invalid that the server accepted.
//
// The upstream behind Prism answers each request with the response the real
// server gave in the recorded run (matched by an x-replay-index header), so
// Prism judges exactly the traffic the tests saw — refused approvals, stale
// versions and replays included — without rebuilding the tests' state.
//
// usage: node scripts/prism-replay.mjs OPENAPI.yaml TRAFFIC.jsonl
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const [, , docPath, trafficPath] = process.argv;
if (!docPath || !trafficPath) {
  console.error('usage: node scripts/prism-replay.mjs OPENAPI.yaml TRAFFIC.jsonl');
  process.exit(2);
}
// The document's server is the relative /platform/v1, which Prism does not
// strip: requests go to Prism without it, as the document's paths read.
const base = '/platform/v1';
const exchanges = fs.readFileSync(trafficPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
if (exchanges.length === 0) {
  console.error('prism-check: no recorded exchanges in', trafficPath);
  process.exit(1);
}

// Hop-by-hop and length headers are Node's to set; the rest go back as recorded.
const skip = new Set(['content-length', 'transfer-encoding', 'connection', 'date', 'keep-alive']);

const upstream = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const i = Number(req.headers['x-replay-index']);
    const x = exchanges[i];
    if (!x || x.method !== req.method || same(x.uri) !== same(base + req.url)) {
      res.writeHead(599, { 'content-type': 'text/plain' }).end(`replay out of step at ${i}: ${req.method} ${req.url}`);
      return;
    }
    const headers = {};
    for (const [k, v] of Object.entries(x.resHeader || {})) {
      if (!skip.has(k.toLowerCase())) headers[k] = v;
    }
    res.writeHead(x.status, headers).end(x.resBody);
  });
});

// same reads a request URI as its path and decoded query: Prism re-encodes
// the query it forwards (":" as %3A).
function same(uri) {
  const u = new URL(uri, 'http://x');
  return u.pathname + '?' + [...u.searchParams].map(([k, v]) => `${k}=${v}`).join('&');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

// wellFormed tells a JSON body Prism can parse. Prism 5.16 never answers a
// request whose JSON body does not parse (it hangs), so those exchanges —
// the tests of malformed JSON and invalid UTF-8, all refused with 400 — are
// left to the Go contract check.
const utf8 = new TextDecoder('utf-8', { fatal: true });
function wellFormed(x) {
  const type = String(Object.entries(x.header || {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] || '');
  if (!x.body || !/json/i.test(type)) return true;
  try {
    JSON.parse(utf8.decode(Buffer.from(x.body, 'base64')));
    return true;
  } catch {
    return false;
  }
}

// multipartFiles tells Prism's one false alarm: its multipart reader gives a
// single "files" part as one value, not the one-element array the document
// (rightly) declares for a part that may repeat.
function multipartFiles(x, v) {
  const type = String(Object.entries(x.header || {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] || '');
  return type.startsWith('multipart/form-data') && (v.location || []).join('.') === 'request.body.files' && v.code === 'type';
}

function send(port, i, x) {
  return new Promise((resolve, reject) => {
    const headers = { ...x.header, 'x-replay-index': String(i) };
    const path = x.uri.startsWith(base + '/') ? x.uri.slice(base.length) : x.uri;
    const req = http.request({ host: '127.0.0.1', port, method: x.method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`timeout at #${i} ${x.method} ${x.uri}`)));
    req.end(x.body ? Buffer.from(x.body, 'base64') : undefined);
  });
}

const upPort = await freePort();
await new Promise((r) => upstream.listen(upPort, '127.0.0.1', r));
const prismPort = await freePort();
const prism = spawn('node_modules/.bin/prism', ['proxy', docPath, `http://127.0.0.1:${upPort}`,
  '--port', String(prismPort), '--host', '127.0.0.1', '--errors', 'false'],
{ stdio: ['ignore', 'pipe', 'pipe'] });
// Prism binds its port before it has read the document; it is ready when
// it says so. Its log is kept for a failure's diagnosis only.
let log = '';
const ready = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('prism did not start within 60 s:\n' + log)), 60000);
  const onData = (d) => {
    log = (log + d).slice(-20000);
    if (log.includes('Prism is listening')) { clearTimeout(timer); resolve(); }
  };
  prism.stdout.on('data', onData);
  prism.stderr.on('data', onData);
  prism.on('exit', (code) => reject(new Error(`prism exited (${code}):\n` + log)));
});
const stop = () => { prism.kill('SIGTERM'); upstream.close(); };

const failures = [];
const operations = new Set();
let requestViolations = 0;
let unparsable = 0;
try {
  await ready;
  for (let i = 0; i < exchanges.length; i++) {
    const x = exchanges[i];
    if (!wellFormed(x)) {
      unparsable++;
      continue;
    }
    const got = await send(prismPort, i, x);
    const where = `#${i} ${x.method} ${x.uri} (${x.status})`;
    if (got.status !== x.status) {
      failures.push(`${where}: Prism answered ${got.status}: ${got.body.slice(0, 300)}`);
      continue;
    }
    operations.add(`${x.method} ${x.uri.split('?')[0].replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{reference}')}`);
    const violations = got.headers['sl-violations'] ? JSON.parse(got.headers['sl-violations']) : [];
    for (const v of violations) {
      const side = (v.location || [])[0];
      const text = `${v.severity} ${v.code} at ${(v.location || []).join('.')}: ${v.message}`;
      if (side === 'request' && multipartFiles(x, v)) continue;
      if (side === 'request') {
        requestViolations++;
        if (x.status < 400) failures.push(`${where}: the server accepted a request Prism calls invalid: ${text}`);
      } else if (v.severity === 'Error') {
        failures.push(`${where}: ${text}`);
      }
    }
  }
} finally {
  stop();
}
console.log(`prism-check: ${exchanges.length - unparsable} of ${exchanges.length} exchanges replayed ` +
  `(${unparsable} with an unparsable body left to the Go check), ${operations.size} distinct method+path, ` +
  `${requestViolations} request violations (each must be refused by the server), ${failures.length} failures`);
for (const f of failures) console.error('  ' + f);
process.exit(failures.length ? 1 : 0);
