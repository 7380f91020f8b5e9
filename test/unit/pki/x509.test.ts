import { createServer } from 'node:https';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createAuthority, fingerprintOf, issue, issuedBy } from '../../../main/core/services/pki/x509.js';

describe("EdgeCab's small CA", () => {
  it('issues a server certificate a TLS client verifies against the CA, and refuses one from another CA', async () => {
    const ca = await createAuthority('EdgeCab test CA', 30);
    const server = await issue(ca, { commonName: 'edgecab.test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 7, usage: 'server' });
    expect(issuedBy(server.certificatePem, ca.certificatePem)).toBe(true);
    expect(server.fingerprint).toBe(fingerprintOf(server.certificatePem));
    const other = await createAuthority('Another CA', 30);
    expect(issuedBy(server.certificatePem, other.certificatePem)).toBe(false);
    // Expired: not valid a year from now.
    expect(issuedBy(server.certificatePem, ca.certificatePem, new Date(Date.now() + 365 * 86_400_000))).toBe(false);

    const https = createServer({ cert: server.certificatePem, key: server.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as { port: number }).port;
    const handshake = (ca: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on('error', () => resolve(false));
      });
    try {
      expect(await handshake(ca.certificatePem)).toBe(true);
      expect(await handshake(other.certificatePem)).toBe(false);
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });
});
