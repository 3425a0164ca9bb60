// A real OpenID Connect provider (panva's oidc-provider) on loopback, for the tests only.
// Usage: REDIRECT_URI=https://127.0.0.1:PORT/signin/oidc/callback node oidc-provider.mjs
// Prints "issuer http://127.0.0.1:PORT" once listening. Its development login accepts any
// name and password; the name becomes the subject (`sub`).
import http from 'node:http';
import Provider from 'oidc-provider';

const redirect = process.env.REDIRECT_URI;
if (!redirect) {
  console.error('set REDIRECT_URI');
  process.exit(2);
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
    pkce: { required: () => true },
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, name: id }) }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-only-cookie-key'] },
  });
  server.on('request', provider.callback());
  console.log(`issuer ${issuer}`);
});
