// A partner system's webhook receiver, for the tests only: HTTPS on loopback with the
// development server certificate, every delivery checked with the official Standard Webhooks
// library (npm `standardwebhooks`).
// Usage: node webhook-receiver.mjs CERT KEY. Prints "listening https://127.0.0.1:PORT".
//
// POST /hook/NAME     a delivery: 204 when its signature verifies with NAME's secret (400 when
//                     not), unless told to fail; every attempt is kept, verified or not
// POST /control/secret  {"name": NAME, "secret": "whsec_…"}: the secret NAME's hook checks
// POST /control/fail    {"count": N, "status": S}: answer S to the next N deliveries
// POST /control/slow    {"ms": N}: answer each delivery N ms after it arrived (kept at once)
// GET  /control/received  every attempt so far: id, timestamp, verified, status answered, body
import fs from 'node:fs';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';

const [cert, key] = process.argv.slice(2);
if (!cert || !key) {
  console.error('usage: node webhook-receiver.mjs CERT KEY');
  process.exit(2);
}

const verifiers = new Map();
let failing = { count: 0, status: 500 };
let slow = 0;
const received = [];

const read = (request) => new Promise((resolve, reject) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  request.on('error', reject);
});

const answer = (response, status, body) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? '' : JSON.stringify(body));
};

const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, async (request, response) => {
  const raw = await read(request);
  const hook = request.url.match(/^\/hook\/([\w.-]+)$/);
  if (request.method === 'POST' && hook) {
    const verifier = verifiers.get(hook[1]);
    const attempt = {
      hook: hook[1],
      id: request.headers['webhook-id'] ?? null,
      timestamp: request.headers['webhook-timestamp'] ?? null,
      content_type: request.headers['content-type'] ?? null,
      raw,
      verified: false,
      error: null,
      body: null,
    };
    try {
      if (!verifier) throw new Error('no secret given to the receiver yet');
      attempt.body = verifier.verify(raw, request.headers);
      attempt.verified = true;
    } catch (error) {
      attempt.error = String(error.message ?? error);
    }
    if (!attempt.verified) {
      attempt.status = 400;
    } else if (failing.count > 0) {
      failing.count -= 1;
      attempt.status = failing.status;
    } else {
      attempt.status = 204;
    }
    received.push(attempt);
    if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
    return answer(response, attempt.status, attempt.status === 204 ? undefined : { error: attempt.error ?? 'told to fail' });
  }
  if (request.method === 'POST' && request.url === '/control/secret') {
    const { name, secret } = JSON.parse(raw);
    verifiers.set(name, new Webhook(secret));
    return answer(response, 200, { ok: true });
  }
  if (request.method === 'POST' && request.url === '/control/fail') {
    const { count, status } = JSON.parse(raw);
    failing = { count, status: status ?? 500 };
    return answer(response, 200, { ok: true });
  }
  if (request.method === 'POST' && request.url === '/control/slow') {
    slow = JSON.parse(raw).ms;
    return answer(response, 200, { ok: true });
  }
  if (request.method === 'GET' && request.url === '/control/received') {
    return answer(response, 200, received);
  }
  return answer(response, 404, { error: 'not_found' });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening https://127.0.0.1:${server.address().port}`);
});
