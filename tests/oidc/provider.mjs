// A real OpenID Connect provider (oidc-provider, OpenID Certified) for PTI's SSO browser test.
// Usage: node provider.mjs '<json>' where json = {port, client_id, client_secret, redirect_uri,
// post_logout_redirect_uri, backchannel_logout_uri, accounts: {login: {claims…}}}. Listens on 127.0.0.1:<port> and prints
// "READY <issuer>" once it answers. Any password signs a login in (the provider's development
// interactions); consent is given for the one client (first-party, as in the département's Keycloak).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'pti-test', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      post_logout_redirect_uris: [config.post_logout_redirect_uri],
      // Ending a session here tells PTI, server to server, with a logout token naming the session (sid).
      backchannel_logout_uri: config.backchannel_logout_uri,
      backchannel_logout_session_required: true,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      client_name: 'PTI',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'groups'],
  },
  async findAccount(ctx, id) {
    const claims = config.accounts[id] || { email: `${id}@haute-vienne.example`, email_verified: true };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
  },
  // The provider refuses to call special-use addresses (SSRF protection); the test's PTI listens on 127.0.0.1.
  fetch(url, options) {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
});
// The development interactions warn on every start: quiet, the test reads stdout for READY.
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('backchannel.error', (ctx, err) => console.error('backchannel.error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
