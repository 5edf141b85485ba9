// A real OpenID provider for the tracker's sign-in tests: oidc-provider (a certified
// implementation), on loopback, with its own development login form (any login name; the
// password is not checked) and test people read from a JSON file that the tests may rewrite
// between sign-ins (a changed group shows at the next sign-in).
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 0, "client": {...client metadata...}, "jwks": {"keys": [private JWK]},
//               "cookie_keys": ["..."], "people_file": "people.json"}
// people.json: {"<login>": {"email": "...", "name": "...", "groups": ["..."]}}
//
// Prints "listening <issuer>" on stdout once it accepts connections.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function people() {
  return JSON.parse(readFileSync(config.people_file, 'utf8'));
}

const SCOPE = 'openid email profile groups';

// The tracker is registered as a loopback ("native") client, so that it may use any port of
// 127.0.0.1; such clients are asked for consent at every sign-in by default. The city's provider
// has the tracker pre-approved: no consent screen (with loadExistingGrant below).
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

const configuration = {
  clients: [config.client],
  jwks: config.jwks,
  cookies: { keys: config.cookie_keys },
  pkce: { required: () => true },
  interactions: { policy },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // No consent screen: the city's provider has the tracker pre-approved.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const person = people()[id];
    return {
      accountId: id,
      async claims() {
        if (!person) return { sub: id };
        return {
          sub: id,
          email: person.email,
          email_verified: true,
          name: person.name,
          groups: person.groups || [],
        };
      },
    };
  },
  ttl: {
    // A person's groups are read fresh at each sign-in: nothing is kept longer than a test.
    Session: 3600,
  },
};

const server = createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
