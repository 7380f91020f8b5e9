/**
 * A cabinet identity's life, on a fake clock, with the monitor's poll
 * results handed to the verifier directly: issued and bound to the BMCs,
 * confirmed by polls (at most once a minute), a swapped serial or a changed
 * certificate raising its mismatch alarm, renewed when it nears its end or
 * expired while the site was offline, revoked and re-enrolled.
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedfishInventory } from '../../../shared/domain/redfish.js';
import type { PollResult, PollableDevice } from '../../../main/core/services/monitor/poll-result.js';
import { issuedBy } from '../../../main/core/services/pki/x509.js';
import { tempCore } from '../../support/core.js';

const DAY = 86_400_000;
const PIN = 'AA:'.repeat(31) + 'AA';
const OTHER_PIN = 'BB:'.repeat(31) + 'BB';

describe('cabinet identity lifecycle', () => {
  let clock: number;
  let env: ReturnType<typeof tempCore>;
  let siteId: string;
  let server: PollableDevice;

  const services = () => env.core.services;
  const identities = () => services().nodeIdentity;
  const observed = (serials: string[] | null = null, device: PollableDevice = server): PollResult => ({
    kind: 'observed',
    device,
    at: clock,
    observation: { status: 'ok', observedAt: new Date(clock).toISOString(), sensors: [], metricKeys: [], conditions: [] },
    // Only the systems' serials matter to the verifier; an inventory poll carries them.
    reading: serials ? { observedAt: new Date(clock).toISOString(), status: 'ok', error: null, snmp: null, redfish: { systems: serials.map((serial) => ({ serial })) } as unknown as RedfishInventory } : null,
  });
  const mismatchAlarms = () => services().alarms.list({ siteId }).alarms.filter((alarm) => alarm.condition.startsWith('identity-mismatch:'));

  beforeEach(() => {
    clock = Date.now();
    env = tempCore(() => new Date(clock));
    const site = services().sites.create({ name: 'Hangzhou West', code: 'ZJ-HZ-01', latitude: 30.2, longitude: 120.1, regionId: null, address: null, contact: null });
    siteId = site.id;
    const cabinet = services().cabinets.createForSite(siteId, 'edge-12u');
    const srv1 = cabinet.devices.find((device) => device.slotId === 'srv1')!;
    // Nothing listens there: binding falls back to the serials of the wizard's baseline.
    services().devices.connect({ id: srv1.id, protocol: 'redfish', url: 'https://127.0.0.1:9', username: 'admin', password: 'secret-1', fingerprint: PIN });
    env.core.db.prepare('INSERT INTO device_baselines (device_id, taken_at, config) VALUES (?, ?, ?)').run(srv1.id, new Date(clock).toISOString(), JSON.stringify({ systems: [{ id: '1', serial: 'SRV-0001' }] }));
    const connected = services().cabinets.device(srv1.id);
    server = { id: connected.id, site_id: siteId, site_name: site.name, name: connected.name, protocol: 'redfish', endpoint: connected.endpoint!, credential_id: connected.credentialId!, fingerprint: PIN };
  });

  afterEach(() => env.cleanup());

  it('issues an identity from EdgeCab CA for the site, its key sealed, bound to the BMC certificate and serials', async () => {
    expect((await identities().view(siteId)).status).toBe('none');
    const view = await identities().enrol(siteId, 'alice').then(() => identities().view(siteId));
    expect(view.status).toBe('valid');
    const identity = view.current!;
    expect(identity).toMatchObject({ reason: 'enrol', issuedBy: 'alice', state: 'current', subject: 'CN=ZJ-HZ-01, O=EdgeCab', lastVerifiedAt: null });
    const cabinetId = services().cabinets.viewForSite(siteId)!.cabinet.id;
    expect(identity.uris).toEqual([`urn:edgecab:site:${siteId}`, `urn:edgecab:cabinet:${cabinetId}`]);
    expect(identity.hardware).toEqual([{ deviceId: server.id, name: server.name, slotId: 'srv1', fingerprint: PIN, serials: ['SRV-0001'], readAt: null }]);
    expect(Date.parse(identity.notAfter) - clock).toBeGreaterThan(364 * DAY);

    const ca = await services().authority.certificate();
    expect(view.authorityFingerprint).toBe(ca.fingerprint);
    expect(issuedBy(identity.certificatePem, ca.certificatePem, new Date(clock))).toBe(true);
    const certificate = new X509Certificate(identity.certificatePem);
    expect(certificate.subject).toContain('CN=ZJ-HZ-01');
    expect(certificate.subjectAltName).toContain(`URI:urn:edgecab:site:${siteId}`);
    const keyId = identities().store.current(siteId)!.key_credential_id!;
    expect(services().vault.meta(keyId)).toMatchObject({ kind: 'identity-key', origin: 'system' });
    expect(certificate.checkPrivateKey(await import('node:crypto').then(({ createPrivateKey }) => createPrivateKey(services().vault.open<{ pem: string }>(keyId).pem)))).toBe(true);
  });

  it('is confirmed by polls where the BMC presents its pinned certificate and serials, at most once a minute', async () => {
    await identities().enrol(siteId, 'alice');
    const verifier = identities().verifier;
    verifier.polled(observed(['SRV-0001']));
    const first = new Date(clock).toISOString();
    expect(identities().current(siteId)!.lastVerifiedAt).toBe(first);
    clock += 20_000;
    verifier.polled(observed());
    expect(identities().current(siteId)!.lastVerifiedAt).toBe(first);
    clock += 45_000;
    verifier.polled(observed());
    expect(identities().current(siteId)!.lastVerifiedAt).toBe(new Date(clock).toISOString());
    // A failed poll proves nothing.
    clock += 120_000;
    verifier.polled({ kind: 'failed', device: server, at: clock, error: 'timeout' });
    expect(identities().current(siteId)!.lastVerifiedAt).not.toBe(new Date(clock).toISOString());
  });

  it('raises a mismatch alarm for a BMC whose serial or certificate differs from the bound one, and clears it when it matches again', async () => {
    await identities().enrol(siteId, 'alice');
    const verifier = identities().verifier;
    verifier.polled(observed(['SRV-0001']));
    const verifiedAt = identities().current(siteId)!.lastVerifiedAt;
    clock += 90_000;
    verifier.polled(observed(['SWAPPED-7']));
    expect(mismatchAlarms()).toHaveLength(1);
    expect(mismatchAlarms()[0]).toMatchObject({ messageKey: 'identitySerialMismatch', severity: 'major', params: { device: server.name, expected: 'SRV-0001', actual: 'SWAPPED-7' } });
    expect((await identities().view(siteId)).mismatches).toEqual([{ deviceId: server.id, name: server.name, what: 'serial', expected: 'SRV-0001', actual: 'SWAPPED-7' }]);
    // A later health poll keeps judging with the serials last read: still a mismatch, still not verified.
    clock += 90_000;
    verifier.polled(observed());
    expect(identities().current(siteId)!.lastVerifiedAt).toBe(verifiedAt);

    clock += 90_000;
    verifier.polled(observed(['SRV-0001']));
    expect(mismatchAlarms()).toEqual([]);
    expect(identities().current(siteId)!.lastVerifiedAt).toBe(new Date(clock).toISOString());

    // Someone trusted another certificate for the BMC: the identity no longer matches its hardware.
    clock += 90_000;
    verifier.polled(observed(null, { ...server, fingerprint: OTHER_PIN }));
    expect(mismatchAlarms()[0]).toMatchObject({ messageKey: 'identityCertificateMismatch', params: { expected: PIN, actual: OTHER_PIN } });
  });

  it('renews an identity within 30 days of its end while the site answers, with a new key and the same binding', async () => {
    const first = await identities().enrol(siteId, 'alice');
    clock += 340 * DAY;
    expect((await identities().view(siteId)).status).toBe('expiring');
    identities().verifier.polled(observed(['SRV-0001']));
    await identities().verifier.settled();
    const view = await identities().view(siteId);
    expect(view.status).toBe('valid');
    expect(view.current).toMatchObject({ reason: 'renewal', issuedBy: 'renewal', hardware: first.hardware, lastVerifiedAt: new Date(clock).toISOString() });
    expect(view.current!.serial).not.toBe(first.serial);
    expect(new X509Certificate(view.current!.certificatePem).publicKey.export({ format: 'der', type: 'spki' })).not.toEqual(new X509Certificate(first.certificatePem).publicKey.export({ format: 'der', type: 'spki' }));
    expect(view.history).toHaveLength(1);
    expect(view.history[0]).toMatchObject({ id: first.id, state: 'superseded', supersededAt: new Date(clock).toISOString() });
  });

  it('keeps an identity that expired while the site was offline, and renews it at the first poll that finds the site answering', async () => {
    const first = await identities().enrol(siteId, 'alice');
    const oldKey = identities().store.current(siteId)!.key_credential_id!;
    clock += 370 * DAY;
    const verifier = identities().verifier;
    verifier.polled({ kind: 'failed', device: server, at: clock, error: 'no route to host' });
    await verifier.settled();
    expect((await identities().view(siteId)).status).toBe('expired');
    expect(identities().current(siteId)!.id).toBe(first.id);

    clock += 3_600_000;
    verifier.polled(observed());
    await verifier.settled();
    const view = await identities().view(siteId);
    expect(view.status).toBe('valid');
    expect(view.current!.reason).toBe('renewal');
    expect(Date.parse(view.current!.notAfter) - clock).toBeGreaterThan(364 * DAY);
    expect(issuedBy(view.current!.certificatePem, (await services().authority.certificate()).certificatePem, new Date(clock))).toBe(true);
    // Only the current identity's key is kept; the expired one's certificate stays in the history.
    expect(services().vault.meta(oldKey)).toBeNull();
    expect(view.history.map((identity) => identity.status)).toEqual(['expired']);
  });

  it('does not renew while a bound BMC does not match', async () => {
    await identities().enrol(siteId, 'alice');
    clock += 370 * DAY;
    identities().verifier.polled(observed(['SWAPPED-7']));
    await identities().verifier.settled();
    expect((await identities().view(siteId)).status).toBe('expired');
    expect(mismatchAlarms()).toHaveLength(1);
  });

  it('revokes (kept, with who and why): the site has no valid identity, nothing renews it; re-enrolment issues a new one with a new key', async () => {
    const first = await identities().enrol(siteId, 'alice');
    const oldKey = identities().store.current(siteId)!.key_credential_id!;
    const revoked = await identities().revoke(siteId, 'cabinet stolen', 'bob');
    expect(revoked.status).toBe('revoked');
    expect(revoked.current).toBeNull();
    expect(revoked.history[0]).toMatchObject({ id: first.id, state: 'revoked', status: 'revoked', revokedBy: 'bob', revokeReason: 'cabinet stolen', revokedAt: new Date(clock).toISOString() });
    expect(services().vault.meta(oldKey)).toBeNull();
    await expect(identities().revoke(siteId, 'again', 'bob')).rejects.toThrow(/no current identity/);

    clock += 370 * DAY;
    identities().verifier.polled(observed());
    await identities().verifier.settled();
    expect((await identities().view(siteId)).status).toBe('revoked');

    const again = await identities().enrol(siteId, 'carol');
    const view = await identities().view(siteId);
    expect(view.status).toBe('valid');
    expect(view.current).toMatchObject({ id: again.id, reason: 'enrol', issuedBy: 'carol' });
    expect(view.history.map((identity) => identity.state)).toEqual(['revoked']);
  });

  it('re-enrolment supersedes the current identity with a new key and a binding made anew, ending earlier mismatches', async () => {
    const first = await identities().enrol(siteId, 'alice');
    identities().verifier.polled(observed(['SWAPPED-7']));
    expect(mismatchAlarms()).toHaveLength(1);
    const second = await identities().enrol(siteId, 'alice');
    expect(second.id).not.toBe(first.id);
    expect(mismatchAlarms()).toEqual([]);
    const view = await identities().view(siteId);
    expect(view.history).toEqual([expect.objectContaining({ id: first.id, state: 'superseded' })]);
    expect(view.mismatches).toEqual([]);
  });

  it('is issued as the wizard takes a site live, and kept when the wizard verifies again with the same BMCs', async () => {
    const issued = await identities().issueAtGoLive(siteId);
    expect(issued).toMatchObject({ reason: 'wizard', issuedBy: 'wizard' });
    expect((await identities().issueAtGoLive(siteId))!.id).toBe(issued!.id);
  });
});
