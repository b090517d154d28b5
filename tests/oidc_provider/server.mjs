// A real OpenID Connect provider (panva/oidc-provider) for Uptake's login tests.
//
// Usage: node server.mjs <port> <redirect_uri> [<redirect_uri> ...]
//    or: OIDC_PORT=<port> OIDC_REDIRECT_URIS=<uri>,<uri> node server.mjs
//
// The issuer is http://127.0.0.1:<port>. Sign-in uses the provider's built-in development
// pages: any login name with any password is accepted, then the consent page asks to
// approve the requested scopes. Prints "READY <issuer>" once it accepts connections.

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const CLIENT_ID = 'uptake';
const CLIENT_SECRET = 'uptake-test-secret';

function parseArguments(argv, env) {
  const [portArgument, ...redirectUriArguments] = argv;
  const port = Number(portArgument ?? env.OIDC_PORT);
  const redirectUris = redirectUriArguments.length
    ? redirectUriArguments
    : (env.OIDC_REDIRECT_URIS ?? '').split(',').filter(Boolean);

  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`expected a port as first argument or OIDC_PORT, got ${JSON.stringify(portArgument ?? env.OIDC_PORT)}`);
  }
  if (!redirectUris.length) {
    throw new Error('expected at least one redirect URI as argument or in OIDC_REDIRECT_URIS');
  }
  return { port, redirectUris };
}

// The login name typed on the sign-in page is the account's subject; an e-mail address is
// derived from it unless the login already is one (alice -> alice@example.org).
function accountFor(login) {
  const email = login.includes('@') ? login : `${login}@example.org`;
  const localPart = email.split('@')[0];
  return {
    accountId: login,
    async claims() {
      return {
        sub: login,
        email,
        email_verified: true,
        name: localPart.charAt(0).toUpperCase() + localPart.slice(1),
      };
    },
  };
}

function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'uptake-test', use: 'sig', alg: 'RS256' }] };
}

const { port, redirectUris } = parseArguments(process.argv.slice(2), process.env);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'email', 'profile'],
  cookies: { keys: ['uptake-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  findAccount: async (ctx, sub) => accountFor(sub),
  jwks: signingKeys(),
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
