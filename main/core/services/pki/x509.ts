// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';

/** The key types as @peculiar/x509 names them (Web Crypto's); Node's webcrypto provides them. */
type LibKey = x509.X509CertificateCreateWithKeyParams['signingKey'];
type LibKeyPair = x509.X509CertificateCreateSelfSignedParams['keys'];
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyAndCertificate {
  certificatePem: string;
  /** PKCS#8 PEM; a secret: it goes to the vault. */
  keyPem: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, "AB:CD:…", as BMC pins are written. */
  fingerprint: string;
}

export type Usage = 'ca' | 'server' | 'client' | 'identity';

export interface IssueRequest {
  commonName: string;
  /** Distinguished name parts after CN (e.g. "O=EdgeCab, OU=Sites"). */
  organization?: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  uris?: readonly string[];
  days: number;
  usage: Usage;
  /** Start earlier than now by this much, so a device whose clock lags a little still accepts it. */
  backdateMs?: number;
  /** "Now" for the validity period: the issuer's clock (the CA's, which tests can move); the system clock if absent. */
  at?: Date;
}

export function fingerprintOf(certificatePem: string): string {
  const der = Buffer.from(certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
}

function randomSerial(): string {
  // Positive, 16 bytes: the top bit clear keeps the DER integer positive.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function exportKey(key: LibKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as unknown as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<LibKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])) as unknown as LibKey;
}

function name(request: IssueRequest): string {
  const cn = request.commonName.replace(/[,+="<>#;\\]/g, ' ');
  return `CN=${cn}, O=${request.organization ?? 'EdgeCab'}`;
}

function extensions(request: IssueRequest, publicKey: LibKey): Promise<x509.Extension[]> {
  const list: x509.Extension[] = [];
  if (request.usage === 'ca') {
    list.push(new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true));
  } else {
    list.push(new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true));
    const usages = request.usage === 'server' ? [x509.ExtendedKeyUsage.serverAuth] : request.usage === 'client' ? [x509.ExtendedKeyUsage.clientAuth] : [x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth];
    list.push(new x509.ExtendedKeyUsageExtension(usages));
  }
  const names: { type: 'dns' | 'ip' | 'url'; value: string }[] = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(request.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length > 0) list.push(new x509.SubjectAlternativeNameExtension(names));
  return x509.SubjectKeyIdentifierExtension.create(publicKey).then((ski) => [...list, ski]);
}

async function describe(certificate: x509.X509Certificate, keyPem: string): Promise<KeyAndCertificate> {
  // Ends with a newline, so certificates can be concatenated into a chain.
  const certificatePem = `${certificate.toString('pem').trimEnd()}\n`;
  return { certificatePem, keyPem, serial: certificate.serialNumber, notBefore: certificate.notBefore.toISOString(), notAfter: certificate.notAfter.toISOString(), fingerprint: fingerprintOf(certificatePem) };
}

/** A new self-signed CA (ECDSA P-256). */
export async function createAuthority(commonName: string, days: number): Promise<KeyAndCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as LibKeyPair;
  const request: IssueRequest = { commonName, days, usage: 'ca' };
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: name(request),
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * 86_400_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: await extensions(request, keys.publicKey),
  });
  return describe(certificate, await exportKey(keys.privateKey));
}

/** A new key pair and a certificate for it signed by the authority. */
export async function issue(authority: { certificatePem: string; keyPem: string }, request: IssueRequest): Promise<KeyAndCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as LibKeyPair;
  const caCertificate = new x509.X509Certificate(authority.certificatePem);
  const notBefore = new Date((request.at?.getTime() ?? Date.now()) - (request.backdateMs ?? 5 * 60_000));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(request),
    issuer: caCertificate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + request.days * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: await importKey(authority.keyPem),
    signingAlgorithm: ALGORITHM,
    extensions: [...(await extensions(request, keys.publicKey)), await x509.AuthorityKeyIdentifierExtension.create(caCertificate)],
  });
  return describe(certificate, await exportKey(keys.privateKey));
}

/** Whether `certificatePem` was signed by the authority and is within its validity now (Node's own X.509 check). */
export function issuedBy(certificatePem: string, authorityPem: string, at = new Date()): boolean {
  const certificate = new X509Certificate(certificatePem);
  const authority = new X509Certificate(authorityPem);
  return certificate.checkIssued(authority) && certificate.verify(authority.publicKey) && Date.parse(certificate.validFrom) <= at.getTime() && at.getTime() <= Date.parse(certificate.validTo);
}
