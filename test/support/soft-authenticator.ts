import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for in-process tests of the cloud's passkey routes: one P-256 key
 * (ES256) per credential, attestation 'none', and assertions signed as a platform authenticator signs
 * them. It builds the JSON @simplewebauthn/browser would send (RegistrationResponseJSON,
 * AuthenticationResponseJSON). The CBOR it needs is small enough to write by hand.
 */

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/** A CBOR head: major type and length (RFC 8949 §3). */
function head(major: number, length: number): Buffer {
  const m = major << 5;
  if (length < 24) return Buffer.from([m | length]);
  if (length < 0x100) return Buffer.from([m | 24, length]);
  const b = Buffer.alloc(3);
  b[0] = m | 25;
  b.writeUInt16BE(length, 1);
  return b;
}
const cborBytes = (bytes: Uint8Array): Buffer => Buffer.concat([head(2, bytes.length), bytes]);
const cborText = (text: string): Buffer =>
  Buffer.concat([head(3, Buffer.byteLength(text)), Buffer.from(text)]);
/** A small integer, -24 … 23. */
const cborInt = (n: number): Buffer => (n >= 0 ? head(0, n) : head(1, -1 - n));

/** The credential's public key as a COSE_Key (EC2, P-256, ES256). */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  return Buffer.concat([
    head(5, 5),
    cborInt(1),
    cborInt(2), // kty: EC2
    cborInt(3),
    cborInt(-7), // alg: ES256
    cborInt(-1),
    cborInt(1), // crv: P-256
    cborInt(-2),
    cborBytes(x),
    cborInt(-3),
    cborBytes(y),
  ]);
}

export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
  userHandle: string;
}

/** WebAuthn options as the server sends them: what the authenticator reads of them. */
interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
  rpId?: string;
}

/** Flags of authenticator data: user present, user verified, attested credential data. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** navigator.credentials.create: a new resident credential, as RegistrationResponseJSON. */
  create(
    options: CreationOptions,
    overrides: { origin?: string; rpId?: string } = {},
  ): Record<string, unknown> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const credential: SoftCredential = {
      id: b64u(id),
      privateKey,
      publicKey,
      counter: 0,
      userHandle: options.user.id,
    };
    this.credentials.push(credential);
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([UP | UV | AT]),
      counter,
      Buffer.alloc(16), // aaguid: none
      idLength,
      id,
      coseKey(publicKey),
    ]);
    const attestationObject = Buffer.concat([
      head(5, 3),
      cborText('fmt'),
      cborText('none'),
      cborText('attStmt'),
      head(5, 0),
      cborText('authData'),
      cborBytes(authData),
    ]);
    const clientData = JSON.stringify({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: overrides.origin ?? this.origin,
      crossOrigin: false,
    });
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(Buffer.from(clientData)),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get with a discoverable credential, as AuthenticationResponseJSON. */
  get(
    options: RequestOptions,
    credential: SoftCredential | undefined = this.credentials[0],
    overrides: { origin?: string; challenge?: string } = {},
  ): Record<string, unknown> {
    if (credential === undefined) throw new Error('the authenticator holds no credential');
    credential.counter += 1;
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([UP | UV]), counter]);
    const clientData = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: overrides.challenge ?? options.challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    // ES256: ECDSA over authData || SHA-256(clientDataJSON), DER-encoded as WebAuthn sends it.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
