/**
 * Lab BMCs share one parsed mockup and copy only what they change, so a lab
 * of thousands costs what its BMCs changed, not a mockup each. Each BMC still
 * sees only its own changes.
 */
import { describe, expect, it } from 'vitest';
import { LabBmc } from '../../../main/lab/redfish/bmc.js';
import { ResourceStore, sharedMockup } from '../../../main/lab/redfish/store.js';
import { RedfishClient } from '../../../main/core/protocols/redfish/client.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const SYSTEM = '/redfish/v1/Systems/437XR1138R2';

describe('lab resource store', () => {
  it('reads the shared resource without copying it, and copies it once for a change', () => {
    const base = sharedMockup(MOCKUP);
    const store = new ResourceStore(base);
    const shared = base.get(SYSTEM)!;
    expect(store.peek(SYSTEM)).toBe(shared);
    expect(store.isShared(store.peek(SYSTEM)!)).toBe(true);
    const own = store.get(SYSTEM)!;
    expect(own).not.toBe(shared);
    expect(store.get(SYSTEM)).toBe(own);
    expect(store.peek(SYSTEM)).toBe(own);
    own.PowerState = 'Off';
    expect(shared.PowerState).not.toBe('Off');
    expect(store.isShared(own)).toBe(false);
  });

  it('keeps the shared mockup frozen: a write through a read-only look throws', () => {
    const store = new ResourceStore(sharedMockup(MOCKUP));
    expect(() => {
      (store.peek(SYSTEM) as Record<string, unknown>).PowerState = 'Off';
    }).toThrow(TypeError);
  });

  it('deletes and adds resources for itself only', () => {
    const base = sharedMockup(MOCKUP);
    const one = new ResourceStore(base);
    const other = new ResourceStore(base);
    expect(one.delete(SYSTEM)).toBe(true);
    expect(one.has(SYSTEM)).toBe(false);
    expect([...one.keys()]).not.toContain(SYSTEM);
    expect(other.has(SYSTEM)).toBe(true);
    one.set('/redfish/v1/Lab/Extra', { Id: 'Extra' });
    expect([...one.keys()]).toContain('/redfish/v1/Lab/Extra');
    expect(other.has('/redfish/v1/Lab/Extra')).toBe(false);
    one.set(SYSTEM, { Id: 'again' });
    expect(one.peek(SYSTEM)).toEqual({ Id: 'again' });
    expect([...one.keys()].filter((key) => key === SYSTEM)).toHaveLength(1);
  });

  it('lets two lab BMCs of one mockup change and serve their own state', async () => {
    const bmcs = await Promise.all([0, 1].map(() => new LabBmc({ mockupDir: MOCKUP, users: { admin: 'pw' } }).start()));
    try {
      bmcs[0]!.resource(SYSTEM)!.SerialNumber = 'FIRST';
      const read = async (bmc: LabBmc) => {
        const client = new RedfishClient({ url: bmc.url, username: 'admin', password: 'pw', pinnedFingerprint: bmc.fingerprint });
        try {
          return (await client.get(SYSTEM)).SerialNumber;
        } finally {
          await client.close();
        }
      };
      const [first, second] = await Promise.all(bmcs.map(read));
      expect(first).toBe('FIRST');
      expect(second).not.toBe('FIRST');
      expect(sharedMockup(MOCKUP).get(SYSTEM)!.SerialNumber).toBe(second);
    } finally {
      await Promise.all(bmcs.map((bmc) => bmc.stop()));
    }
  });
});
