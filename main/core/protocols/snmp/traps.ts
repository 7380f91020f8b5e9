import { EventEmitter } from 'node:events';
import snmp from 'net-snmp';
import type { SnmpTrapEvent, SnmpV3Credentials } from '../../../../shared/domain/snmp.js';
import { toNetSnmpUser } from './users.js';

/** Needs no root; use 162 (the standard port) with CAP_NET_BIND_SERVICE or a port redirect. */
export const DEFAULT_TRAP_PORT = 10162;
const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
const IF_INDEX = '1.3.6.1.2.1.2.2.1.1.';

const TRAP_KINDS: Record<string, SnmpTrapEvent['kind']> = {
  '1.3.6.1.6.3.1.1.5.1': 'coldStart',
  '1.3.6.1.6.3.1.1.5.2': 'warmStart',
  '1.3.6.1.6.3.1.1.5.3': 'linkDown',
  '1.3.6.1.6.3.1.1.5.4': 'linkUp',
  '1.3.6.1.2.1.33.2.1': 'upsOnBattery',
  '1.3.6.1.2.1.33.2.2': 'upsTestCompleted',
  '1.3.6.1.2.1.33.2.3': 'upsAlarmAdded',
  '1.3.6.1.2.1.33.2.4': 'upsAlarmRemoved',
  // CISCO-ENTITY-SENSOR-MIB entSensorThresholdNotification, the common ENTITY-SENSOR threshold trap.
  '1.3.6.1.4.1.9.9.91.2.0.1': 'sensorThreshold',
};
const V1_GENERIC: Record<number, string> = {
  0: '1.3.6.1.6.3.1.1.5.1',
  1: '1.3.6.1.6.3.1.1.5.2',
  2: '1.3.6.1.6.3.1.1.5.3',
  3: '1.3.6.1.6.3.1.1.5.4',
};

export interface TrapReceiverOptions {
  port?: number;
  address?: string;
  /** v1/v2c communities accepted; traps with others are counted and refused. */
  communities: readonly string[];
  users?: readonly SnmpV3Credentials[];
  /** Events waiting for a slow consumer beyond this are dropped and counted. */
  maxBacklog?: number;
  /**
   * The receiver's snmpEngineID (hex). For SNMPv3 informs the receiver is the
   * authoritative engine and each device's user is keyed for it: it must stay
   * the same across restarts, or every device's informs stop authenticating.
   */
  engineId?: string;
  now?: () => Date;
}

export interface TrapStats {
  received: number;
  delivered: number;
  refused: number;
  malformed: number;
  dropped: number;
  unknown: number;
}

interface RawVarbind {
  oid: string;
  type?: number;
  value: unknown;
}
interface RawNotification {
  pdu: { type: number; varbinds: RawVarbind[]; community?: string; user?: string; enterprise?: string; generic?: number; specific?: number };
  rinfo: { address: string; port: number };
}

function renderValue(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text) ? value.toString('hex') : text;
  }
  return String(value);
}

function describe(kind: SnmpTrapEvent['kind'], varbinds: SnmpTrapEvent['varbinds']): string | null {
  const ifDescr = varbinds.find((varbind) => varbind.oid.startsWith('1.3.6.1.2.1.2.2.1.2.'))?.value;
  switch (kind) {
    case 'linkDown':
    case 'linkUp':
      return ifDescr ? `${ifDescr} ${kind === 'linkDown' ? 'down' : 'up'}` : null;
    case 'upsAlarmAdded':
    case 'upsAlarmRemoved':
      return varbinds.find((varbind) => varbind.oid.startsWith('1.3.6.1.2.1.33.1.6.2.1.2.'))?.value ?? null;
    default:
      return null;
  }
}

/**
 * Receives SNMP v1/v2c/v3 traps and informs (informs are acknowledged),
 * turns them into typed events, and keeps unknown ones as "unknown" events.
 * A flood is bounded: what a slow consumer cannot take is dropped and counted.
 */
export class TrapReceiver extends EventEmitter<{ trap: [SnmpTrapEvent] }> {
  private readonly counters: TrapStats = { received: 0, delivered: 0, refused: 0, malformed: 0, dropped: 0, unknown: 0 };
  private readonly backlog: SnmpTrapEvent[] = [];
  private draining = false;
  private receiver: ReturnType<typeof snmp.createReceiver> | undefined;
  readonly port: number;

  private constructor(private readonly options: TrapReceiverOptions) {
    super();
    this.port = options.port ?? DEFAULT_TRAP_PORT;
  }

  static async start(options: TrapReceiverOptions): Promise<TrapReceiver> {
    const trapReceiver = new TrapReceiver(options);
    await trapReceiver.listen();
    return trapReceiver;
  }

  /** The engine ID informs are authenticated against. */
  get engineId(): string {
    const engine = (this.receiver as unknown as { engine?: { engineID?: Buffer } } | undefined)?.engine?.engineID;
    return engine ? engine.toString('hex') : (this.options.engineId ?? '');
  }

  stats(): TrapStats {
    return { ...this.counters };
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const receiver = snmp.createReceiver(
        { port: this.port, address: this.options.address ?? '127.0.0.1', transport: 'udp4', includeAuthentication: true, ...(this.options.engineId ? { engineID: this.options.engineId } : {}) },
        (error: (Error & { code?: string }) | null, notification?: RawNotification) => {
          if (error) {
            if (!settled && (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL')) {
              settled = true;
              reject(new Error(`cannot receive traps on UDP ${this.options.address ?? '127.0.0.1'}:${this.port}: ${error.message}`));
              return;
            }
            this.counters.received += 1;
            if (/community|user|auth|digest|decrypt/i.test(error.message)) this.counters.refused += 1;
            else this.counters.malformed += 1;
            return;
          }
          if (notification) this.accept(notification);
        },
      );
      const authorizer = receiver.getAuthorizer();
      for (const community of this.options.communities) authorizer.addCommunity(community);
      for (const user of this.options.users ?? []) authorizer.addUser(toNetSnmpUser(user));
      this.receiver = receiver;
      const sockets = Object.values((receiver as unknown as { listener: { sockets: Record<string, import('node:dgram').Socket> } }).listener.sockets);
      let pending = sockets.length;
      for (const socket of sockets) {
        socket.once('listening', () => {
          // A burst of traps must wait in the kernel while we work; the default buffer holds only a few hundred.
          try {
            socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
          } catch {
            // The system caps it (net.core.rmem_max); the default still works.
          }
          pending -= 1;
          if (pending === 0 && !settled) {
            settled = true;
            resolve();
          }
        });
      }
    });
  }

  private accept(notification: RawNotification): void {
    this.counters.received += 1;
    const { pdu, rinfo } = notification;
    const varbinds = (pdu.varbinds ?? []).map((varbind) => ({
      oid: varbind.oid,
      type: varbind.type === undefined ? 'unknown' : (snmp.ObjectType[varbind.type] ?? String(varbind.type)),
      value: renderValue(varbind.value),
    }));
    let trapOid = varbinds.find((varbind) => varbind.oid === SNMP_TRAP_OID)?.value ?? null;
    const isV1 = pdu.type === snmp.PduType.Trap;
    if (isV1) trapOid = pdu.generic === 6 ? `${pdu.enterprise}.0.${pdu.specific}` : (V1_GENERIC[pdu.generic ?? -1] ?? null);
    if (!trapOid) {
      this.counters.malformed += 1;
      return;
    }
    const kind = TRAP_KINDS[trapOid] ?? 'unknown';
    if (kind === 'unknown') this.counters.unknown += 1;
    const ifIndex = varbinds.find((varbind) => varbind.oid.startsWith(IF_INDEX));
    this.enqueue({
      kind,
      trapOid,
      source: { address: rinfo.address, port: rinfo.port },
      version: isV1 ? '1' : pdu.user ? '3' : '2c',
      securityName: pdu.user ?? pdu.community ?? '',
      receivedAt: (this.options.now ?? (() => new Date()))().toISOString(),
      ifIndex: ifIndex ? (ifIndex.value ?? ifIndex.oid.slice(IF_INDEX.length)) : null,
      detail: describe(kind, varbinds),
      varbinds,
    });
  }

  private enqueue(event: SnmpTrapEvent): void {
    if (this.backlog.length >= (this.options.maxBacklog ?? 10_000)) {
      this.counters.dropped += 1;
      return;
    }
    this.backlog.push(event);
    if (!this.draining) {
      this.draining = true;
      // Deliver in batches off the socket callback, so a burst never blocks receiving.
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    const batch = this.backlog.splice(0, 500);
    for (const event of batch) {
      this.counters.delivered += 1;
      this.emit('trap', event);
    }
    if (this.backlog.length > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.receiver) return resolve();
      this.receiver.close(() => resolve());
    });
  }
}
