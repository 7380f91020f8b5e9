/**
 * The server certificate from EdgeCab's own CA is renewed while the server
 * runs: the CA issues a new one when the kept one is within 30 days of its
 * end (decided on the CA's clock, here a fake one), the server looks once a
 * day, and a new certificate is swapped into the running server with
 * setSecureContext, so new connections get it without a restart.
 */
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../main/core/db/open.js';
import { CredentialVault } from '../../../main/core/services/credentials/vault.js';
import { CertificateAuthority, needsRenewal } from '../../../main/core/services/pki/authority.js';
import { createAuthority, issue } from '../../../main/core/services/pki/x509.js';
import { startServer } from '../../../main/server/server.js';
import { keepCertificateCurrent, RENEWAL_CHECK_MS, type ServedCertificate } from '../../../main/core/services/pki/renewal.js';
import { rendererDir } from '../../../main/cli/paths.js';
import { createCore } from '../../../main/core/index.js';
import { tempCore, tempDir } from '../../support/core.js';

const DAY = 86_400_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('renewing the server certificate', () => {
  it('renews a kept certificate within 30 days of its end, or when its names change, and not before', () => {
    const kept = { names: ['dns:localhost', 'ip:127.0.0.1'], notAfter: new Date(100 * DAY).toISOString() };
    expect(needsRenewal(kept, kept.names, new Date(69 * DAY))).toBe(false);
    expect(needsRenewal(kept, kept.names, new Date(70 * DAY))).toBe(true);
    expect(needsRenewal(kept, ['dns:localhost'], new Date(0))).toBe(true);
  });

  it("issues a new certificate when the CA's clock nears the kept one's end, and keeps that one after", async () => {
    const start = Date.now();
    let now = start;
    const clock = () => new Date(now);
    const db = openDatabase(':memory:');
    try {
      const authority = new CertificateAuthority(db, new CredentialVault(db, ':memory:', clock), clock);
      const first = await authority.serverCertificate(['localhost'], ['127.0.0.1']);
      // Valid 397 days: 31 days before its end it is still kept.
      now = start + 366 * DAY;
      expect((await authority.serverCertificate(['localhost'], ['127.0.0.1'])).fingerprint).toBe(first.fingerprint);
      now = start + 368 * DAY;
      const renewed = await authority.serverCertificate(['localhost'], ['127.0.0.1']);
      expect(renewed.fingerprint).not.toBe(first.fingerprint);
      // Its validity counts from the CA's clock, so the next day's check keeps it.
      expect(Date.parse(new X509Certificate(renewed.certificatePem).validTo)).toBeGreaterThan(now + 390 * DAY);
      now += DAY;
      expect((await authority.serverCertificate(['localhost'], ['127.0.0.1'])).fingerprint).toBe(renewed.fingerprint);
    } finally {
      db.close();
    }
  });

  it('looks once a day and swaps a new certificate into the server only when it changed', async () => {
    vi.useFakeTimers();
    let current: ServedCertificate = { cert: 'cert A', key: 'key A', fingerprint: 'A' };
    const swapped: { cert: string; key: string }[] = [];
    const renewed: string[] = [];
    const asked = vi.fn(async () => current);
    const renewal = keepCertificateCurrent({ setCertificate: (tls) => swapped.push(tls) }, 'A', asked, { onRenewed: (fingerprint) => renewed.push(fingerprint), report: (what, error) => { throw new Error(`${what}: ${String(error)}`); } });
    await vi.advanceTimersByTimeAsync(RENEWAL_CHECK_MS - 1_000);
    expect(asked).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(swapped).toEqual([]);
    current = { cert: 'cert B', key: 'key B', fingerprint: 'B' };
    await vi.advanceTimersByTimeAsync(RENEWAL_CHECK_MS);
    expect(swapped).toEqual([{ cert: 'cert B', key: 'key B' }]);
    expect(renewed).toEqual(['B']);
    await vi.advanceTimersByTimeAsync(RENEWAL_CHECK_MS);
    expect(swapped).toHaveLength(1);
    await renewal.dispose();
  });

  it('serves the swapped certificate to new connections of a running HTTPS server', async () => {
    const ca = await createAuthority('EdgeCab test CA', 30);
    const [one, two] = await Promise.all([1, 2].map(() => issue(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 7, usage: 'server' })));
    const { core, cleanup } = tempCore();
    const server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir(), tls: { cert: one!.certificatePem, key: one!.keyPem } });
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(new URL(server.url).port), ca: ca.certificatePem, servername: 'localhost' }, () => {
          resolve(new X509Certificate(socket.getPeerCertificate().raw).fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
    try {
      expect(await served()).toBe(one!.fingerprint);
      server.setCertificate({ cert: two!.certificatePem, key: two!.keyPem });
      expect(await served()).toBe(two!.fingerprint);
    } finally {
      await server.close();
      cleanup();
    }
  });

  it('renews the certificate of the Redfish event receiver too, while monitoring runs', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    let aheadMs = 0;
    const dir = tempDir();
    const core = createCore({ dataDir: dir.dir, host: 'server', now: () => new Date(Date.now() + aheadMs) });
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
          resolve(new X509Certificate(socket.getPeerCertificate().raw).fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
    try {
      const { warnings } = await core.startMonitoring({ trapPort: null, eventsPort: port, eventsAddress: '127.0.0.1', redfishEvents: false, certificateCheckMs: 100 });
      expect(warnings).toEqual([]);
      const first = await served();
      // A month before its end (by EdgeCab's clock) the next look issues a new one, served without a restart.
      aheadMs = 368 * DAY;
      let now = first;
      for (let tries = 0; tries < 100 && now === first; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        now = await served();
      }
      expect(now).not.toBe(first);
      expect(core.services.health.problems()).toEqual([]);
    } finally {
      await core.close();
      dir.cleanup();
    }
  });
});
