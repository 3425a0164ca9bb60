// A real OpenID Connect provider (panva's oidc-provider) on loopback, for the tests only.
// Usage: REDIRECT_URI=https://127.0.0.1:PORT/signin/oidc/callback node oidc-provider.mjs
// Prints "issuer http://127.0.0.1:PORT" once listening. Its development login accepts any
// name and password; the name becomes the subject (`sub`).
//
// For the tests of a misbehaving provider, `GET /test/tamper?mode=M` makes the token endpoint
// hand out ID tokens that are wrong in one way: `signature` (altered), or re-signed with the
// provider's own key but with a foreign `issuer`, another `audience`, `expired`, or another
// `nonce` (a replayed token). `mode=none` returns to normal.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const redirect = process.env.REDIRECT_URI;
if (!redirect) {
  console.error('set REDIRECT_URI');
  process.exit(2);
}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
let mode = 'none';

const b64 = (buffer) => Buffer.from(buffer).toString('base64url');

function tamper(idToken) {
  const [header, payload, signature] = idToken.split('.');
  if (mode === 'signature') {
    const bytes = Buffer.from(signature, 'base64url');
    bytes[bytes.length >> 1] ^= 0xff;
    return `${header}.${payload}.${b64(bytes)}`;
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'issuer') claims.iss = 'http://evil.example';
  if (mode === 'audience') claims.aud = 'someone-else';
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'nonce') claims.nonce = 'a-nonce-from-an-earlier-sign-in';
  const body = `${header}.${b64(JSON.stringify(claims))}`;
  return `${body}.${b64(crypto.sign('sha256', Buffer.from(body), privateKey))}`;
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'ketenpoort',
      client_secret: 'test-secret-not-for-production',
      redirect_uris: [redirect],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, name: id }) }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-only-cookie-key'] },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && mode !== 'none' && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token) };
    }
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/test/tamper') {
      mode = url.searchParams.get('mode') || 'none';
      res.end(`mode ${mode}`);
      return;
    }
    handle(req, res);
  });
  console.log(`issuer ${issuer}`);
});
