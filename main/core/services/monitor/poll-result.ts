import type { Condition } from '../../../../shared/domain/monitoring.js';
import type { DeviceReading } from '../../../../shared/domain/readings.js';
import type { SnmpTrapEvent } from '../../../../shared/domain/snmp.js';
import type { Observation } from './observe.js';

/** A device that can be polled: an address and a credential. */
export interface PollableDevice {
  id: string;
  site_id: string;
  site_name: string;
  name: string;
  protocol: 'redfish' | 'snmp';
  endpoint: string;
  credential_id: string;
  fingerprint: string | null;
}

/** What intake (polls, traps, events) hands the batched writer. */
export type PollResult =
  | { kind: 'observed'; device: PollableDevice; at: number; observation: Observation; reading: DeviceReading | null }
  | { kind: 'failed'; device: PollableDevice; at: number; error: string }
  | { kind: 'trap'; device: PollableDevice; at: number; trap: SnmpTrapEvent }
  | { kind: 'event'; device: PollableDevice; at: number; condition: Condition };
