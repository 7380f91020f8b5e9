import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { bitString, boolean, explicit, objectIdentifier, octetString, sequence, set, time, tlv, unsignedInteger, utf8String } from './der.js';

export interface LabCertificate {
  key: string;
  cert: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;

function name(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** What a BMC's own certificate says: an end entity for TLS servers on 127.0.0.1 / localhost. */
function extensions(): Buffer {
  const loopback = tlv(0x87, Buffer.from([127, 0, 0, 1])); // iPAddress [7]
  const localhost = tlv(0x82, Buffer.from('localhost')); // dNSName [2]
  return explicit(
    3,
    sequence(
      extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
      extension('2.5.29.37', false, sequence(objectIdentifier('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, sequence(loopback, localhost)), // subjectAltName
    ),
  );
}

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * A fresh self-signed X.509 v3 certificate for a lab BMC (P-256, ECDSA with
 * SHA-256, ten years), with its own key, as a BMC ships with. Made with
 * node:crypto in-process: cheap enough that every lab BMC has its own, so
 * pinning and new-connection handshakes see one certificate per BMC as in a
 * real fleet.
 */
export function selfSignedCertificate(commonName: string): LabCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and never zero
  const now = Date.now();
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // version 3
    unsignedInteger(serial),
    algorithm,
    name(commonName),
    sequence(time(new Date(now - 60_000)), time(new Date(now + TEN_YEARS_MS))),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions(),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, algorithm, bitString(signature));
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: pem('CERTIFICATE', certificate) };
}
