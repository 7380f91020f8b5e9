import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { ReleaseSignature } from '../../../../shared/domain/apps.js';

/**
 * Ed25519 signatures over a release manifest's exact bytes. A publisher is
 * named by the SHA-256 of its raw 32-byte public key (hex), which is what a
 * signature says it was made with.
 */

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

export function ed25519PublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new KeyError(`not a public key in PEM: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`an Ed25519 public key is needed, this one is ${key.asymmetricKeyType ?? 'of no known type'}`);
  return key;
}

export function ed25519PrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new KeyError(`not a private key in PEM: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`an Ed25519 private key is needed, this one is ${key.asymmetricKeyType ?? 'of no known type'}`);
  return key;
}

export function keyIdOf(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return createHash('sha256').update(raw).digest('hex');
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString().trim();
}

export function newPublisherKeys(): { publicKey: string; privateKey: string; keyId: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKeyPem(publicKey), privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), keyId: keyIdOf(publicKey) };
}

export function signManifest(manifest: Uint8Array, privateKey: KeyObject): ReleaseSignature {
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), signature: sign(null, manifest, privateKey).toString('base64') };
}

export function signatureHolds(manifest: Uint8Array, signature: ReleaseSignature, publicKey: KeyObject): boolean {
  return verify(null, manifest, publicKey, Buffer.from(signature.signature, 'base64'));
}
