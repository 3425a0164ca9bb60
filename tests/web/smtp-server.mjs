// A real SMTP server for the tests only (nodemailer's smtp-server), on loopback: STARTTLS with
// the development server certificate, every message parsed with mailparser.
// Usage: node smtp-server.mjs CERT KEY. Prints "smtp 127.0.0.1:PORT control https://127.0.0.1:PORT2".
//
// A login is optional; when given, only ketenpoort / test-password-not-for-production is accepted.
// GET  /received        every message so far: envelope, headers, subject, text, html, raw
// POST /fail {"count": N}  answer the next N messages with a temporary failure (451)
import fs from 'node:fs';
import https from 'node:https';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const [cert, key] = process.argv.slice(2);
if (!cert || !key) {
  console.error('usage: node smtp-server.mjs CERT KEY');
  process.exit(2);
}
const tls = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
const received = [];
let failing = 0;

const smtp = new SMTPServer({
  ...tls,
  // STARTTLS is offered, and a login refused before it (the credentials never go in the clear).
  authMethods: ['PLAIN', 'LOGIN'],
  authOptional: true,
  allowInsecureAuth: false,
  logger: false,
  onAuth(auth, session, callback) {
    if (auth.username === 'ketenpoort' && auth.password === 'test-password-not-for-production') {
      return callback(null, { user: auth.username });
    }
    return callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', async () => {
      if (failing > 0) {
        failing -= 1;
        // As real servers do, the answer quotes the recipient.
        const to = session.envelope.rcptTo.map((r) => `<${r.address}>`).join(', ');
        const error = new Error(`4.2.2 ${to}: mailbox full, try again later`);
        error.responseCode = 451;
        return callback(error);
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const parsed = await simpleParser(raw);
      received.push({
        from: session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        secure: session.secure,
        user: session.user ?? null,
        message_id: parsed.messageId ?? null,
        subject: parsed.subject ?? null,
        language: parsed.headers.get('content-language') ?? null,
        text: parsed.text ?? null,
        html: parsed.html || null,
        raw,
      });
      return callback();
    });
  },
});

const control = https.createServer(tls, (request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    if (request.method === 'GET' && request.url === '/received') {
      return response.end(JSON.stringify(received));
    }
    if (request.method === 'POST' && request.url === '/fail') {
      failing = JSON.parse(Buffer.concat(chunks).toString('utf8')).count;
      return response.end('{"ok":true}');
    }
    response.statusCode = 404;
    return response.end('{"error":"not_found"}');
  });
});

smtp.listen(0, '127.0.0.1', () => {
  control.listen(0, '127.0.0.1', () => {
    console.log(`smtp 127.0.0.1:${smtp.server.address().port} control https://127.0.0.1:${control.address().port}`);
  });
});
