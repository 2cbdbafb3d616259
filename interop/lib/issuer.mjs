// A stand-in OpenID Connect issuer for the bearer-token tests: an RSA key pair, its public half
// served as a JWKS over HTTP on a free loopback port, and RS256 tokens signed with it (node:crypto
// only: a JWT is two base64url JSON parts and a signature over them).

import { createServer } from 'node:http';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

const b64url = (data) => Buffer.from(data).toString('base64url');

export class Issuer {
  /** Starts serving the JWKS at `${issuer.jwksUri}`; `close()` stops it. */
  static async start() {
    const issuer = new Issuer();
    await new Promise((resolve, reject) => {
      issuer.server.once('error', reject);
      issuer.server.listen(0, '127.0.0.1', resolve);
    });
    issuer.jwksUri = `http://127.0.0.1:${issuer.server.address().port}/jwks`;
    return issuer;
  }

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.kid = randomBytes(8).toString('hex');
    this.iss = 'https://issuer.polysync.test';
    this.aud = 'polysync-interop';
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => {
      if (req.url !== '/jwks') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
  }

  /** The server flags that make a Polysync server trust this issuer. */
  serverFlags(prefix = 'oidc:') {
    return [
      `--setting auth.jwt.issuer=${this.iss}`,
      `--setting auth.jwt.audience=${this.aud}`,
      `--setting auth.jwt.jwks_uri=${this.jwksUri}`,
      `--setting auth.jwt.user_prefix=${prefix}`,
    ].join(' ');
  }

  /** A signed token for `sub`, valid for an hour unless `claims` say otherwise. */
  token(sub, claims = {}) {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = b64url(JSON.stringify({ iss: this.iss, aud: this.aud, sub, iat: now, exp: now + 3600, ...claims }));
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(this.privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  }

  close() {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
