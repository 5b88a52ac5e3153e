// A real OpenID provider for the tests: npm's oidc-provider (OpenID-certified), started by tests/test_sso.py on a
// free port like redis-server is, with switches that make it misbehave on purpose.
//
// Environment: PORT; CLIENTS (JSON list of {client_id, client_secret, redirect_uris}); NOW_MS (the test's pinned
// "now": the provider's clock starts there and ticks).
// POST /__test with a JSON body sets the switches (and {"reset": true, "now_ms": N} clears them):
//   accounts: {id: {claims}}       who can sign in on the interaction page, with the claims their ID token carries
//   token: {claims, key, kid, shift} the ID token re-signed after the provider made it: claims replaced (aud,
//                                  email_verified...), signed with key "a" (the provider's), "b" (a new key) or
//                                  "x" (one it never publishes), under another kid, iat/exp shifted by seconds
//   jwks: ["b", "a"]               the public keys /jwks publishes (a rotation: the new key first)
//   offset_s: N                    the provider's clock N seconds ahead of (or behind) the test's
//   down: ["token"]                those endpoints answer 503
import crypto from 'node:crypto';
import http from 'node:http';

// the provider's clock, set before oidc-provider is loaded (it reads Date.now() for iat, exp and expiries)
const RealDate = Date;
let realStart = RealDate.now();
let clockStart = Number(process.env.NOW_MS || realStart);
let offsetMs = 0;
const now = () => clockStart + (RealDate.now() - realStart) + offsetMs;
class TestDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(now()); else super(...args);
  }

  static now() { return now(); }
}
globalThis.Date = TestDate;

const { default: Provider } = await import('oidc-provider');

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]').map((c) => ({
  grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));

function makeKey(kid) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const extra = { kid, alg: 'RS256', use: 'sig' };
  return {
    kid, privateKey, priv: { ...privateKey.export({ format: 'jwk' }), ...extra },
    pub: { ...publicKey.export({ format: 'jwk' }), ...extra },
  };
}
const keys = { a: makeKey('key-a'), b: makeKey('key-b'), x: makeKey('key-x') };

let mode = {};
let accounts = {};

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [keys.a.priv] },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  claims: {
    openid: ['sub', 'hd', 'tid', 'xms_edov'], email: ['email', 'email_verified'], profile: ['name'], pid: ['pid'],
    name: ['name'],
  },
  scopes: ['openid', 'email', 'profile', 'pid', 'name'],
  conformIdTokenClaims: false, // the claims in the ID token itself, as Google, Microsoft and ThaID put them
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) { // consent given at once: the test is about the relying party
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile pid name');
    await grant.save();
    return grant;
  },
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  ttl: { IdToken: 600, AuthorizationCode: 60, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><title>error</title><main><h1>${out.error}</h1>`
      + `<p>${out.error_description || ''}</p></main></html>`;
  },
});

const b64 = (text) => Buffer.from(text).toString('base64url');
const unb64 = (text) => JSON.parse(Buffer.from(text, 'base64url').toString());

function tamper(idToken) {
  const change = mode.token;
  if (!change) return idToken;
  const [h, p] = idToken.split('.');
  const header = unb64(h);
  const payload = { ...unb64(p), ...(change.claims || {}) };
  if (change.shift) {
    payload.iat += change.shift;
    payload.exp += change.shift;
  }
  const key = keys[change.key || 'a'];
  header.kid = change.kid || key.kid;
  header.alg = 'RS256';
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

provider.use(async (ctx, next) => {
  if ((mode.down || []).some((name) => ctx.path === `/${name}`)) {
    ctx.status = 503;
    ctx.body = 'down';
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token) };
  }
  if (ctx.path === '/jwks' && mode.jwks) ctx.body = { keys: mode.jwks.map((k) => keys[k].pub) };
});

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString();
  return text;
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const login = new URLSearchParams(await body(req)).get('login') || '';
    if (!accounts[login]) {
      res.statusCode = 400;
      res.end('no such account');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>
<body><main><h1>Test OpenID provider</h1><p>client ${escape(details.params.client_id)}</p>
<form method="post" action="/interaction/${escape(uid)}"><label for="login">Account</label>
<input id="login" name="login" autofocus><button type="submit" id="provider-sign-in">Sign in</button></form>
</main></body></html>`);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test' && req.method === 'POST') {
      const change = JSON.parse((await body(req)) || '{}');
      if (change.reset) {
        mode = {};
        accounts = {};
        offsetMs = 0;
      }
      if (change.now_ms) {
        clockStart = change.now_ms;
        realStart = RealDate.now();
      }
      if (change.accounts) accounts = { ...accounts, ...change.accounts };
      if ('offset_s' in change) offsetMs = change.offset_s * 1000;
      for (const name of ['token', 'jwks', 'down']) if (name in change) mode[name] = change[name];
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ mode, now: now() }));
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)$/);
    if (match) {
      await interaction(req, res, match[1]);
      return;
    }
    callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error && error.message));
  }
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${issuer}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
