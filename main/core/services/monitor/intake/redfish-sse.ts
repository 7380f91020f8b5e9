import { readEventStream } from '../../../protocols/redfish/actions.js';
import type { JsonObject } from '../../../protocols/redfish/client.js';
import { sleep } from '../../../lib/disposable.js';
import type { RedfishClientPool } from '../client-pool.js';
import type { PollableDevice } from '../poll-result.js';

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;
/** A stream that failed this often in a row gives its place under the cap to another BMC for a while (REST_MS). */
const FAILURES_BEFORE_REST = 3;
const REST_MS = 600_000;

/**
 * Follows the server-sent event stream of every BMC that offers one (and
 * only those: a BMC without ServerSentEventUri is left to push events and
 * polls). A stream that fails or goes silent is reopened with backoff. A
 * BMC whose password change is not settled is not reconnected (a login
 * with a password that may be wrong counts toward locking the account);
 * once it settles, its stream is reopened with the password that works.
 * At most `cap` streams are held (each holds a socket for good): the BMCs
 * past it are `capped`, and the monitor polls them more often instead.
 */
export class RedfishStreams {
  private readonly streams = new Map<string, AbortController>();
  private readonly unsupported = new Set<string>();
  private capped: ReadonlySet<string> = new Set();
  /** BMCs whose stream kept failing, and until when they are left to polls. */
  private readonly resting = new Map<string, number>();
  malformed = 0;

  constructor(
    private readonly clients: RedfishClientPool,
    private readonly device: (id: string) => PollableDevice | undefined,
    private readonly onEvent: (device: PollableDevice, event: JsonObject) => void,
    /** Whether the device has a credential change not settled yet. */
    private readonly pending: (id: string) => boolean = () => false,
    readonly cap: number = Number.POSITIVE_INFINITY,
  ) {}

  get open(): number {
    return this.streams.size;
  }

  /** BMCs that offer a stream (as far as is known) but are not followed, because `cap` streams are held. */
  get cappedDevices(): ReadonlySet<string> {
    return this.capped;
  }

  /** BMCs that offer a stream but are not heard from between polls: past the cap, or resting after failing streams. */
  get unheardDevices(): ReadonlySet<string> {
    return new Set([...this.capped, ...this.resting.keys()]);
  }

  /** Follows the BMCs among these devices; stops following the ones gone. */
  follow(devices: Iterable<PollableDevice>): void {
    const wanted = new Set<string>();
    const waiting: string[] = [];
    for (const device of devices) {
      if (device.protocol !== 'redfish') continue;
      wanted.add(device.id);
      if (this.streams.has(device.id) || this.unsupported.has(device.id)) continue;
      const restingUntil = this.resting.get(device.id);
      if (restingUntil !== undefined && restingUntil > Date.now()) continue;
      this.resting.delete(device.id);
      waiting.push(device.id);
    }
    for (const id of this.resting.keys()) if (!wanted.has(id)) this.resting.delete(id);
    for (const [id, controller] of this.streams) {
      if (wanted.has(id)) continue;
      controller.abort();
      this.streams.delete(id);
    }
    // Streams held stay held; new ones take the room left, in the order the devices came.
    const room = Math.max(0, this.cap - this.streams.size);
    for (const id of waiting.slice(0, room)) this.openStream(id);
    this.capped = new Set(waiting.slice(room));
  }

  private openStream(deviceId: string): void {
    const controller = new AbortController();
    this.streams.set(deviceId, controller);
    void this.run(deviceId, controller.signal);
  }

  /** Reopens a followed stream now, with the device as it is now (its credential changed). */
  restart(deviceId: string): void {
    const controller = this.streams.get(deviceId);
    if (!controller) return;
    controller.abort();
    this.streams.delete(deviceId);
    if (this.device(deviceId)) this.openStream(deviceId);
  }

  private async run(deviceId: string, signal: AbortSignal): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let failures = 0;
    while (!signal.aborted) {
      const device = this.device(deviceId);
      if (!device) break;
      if (this.pending(deviceId)) {
        // Settled by the poller; restart() reopens the stream then.
        await sleep(FIRST_RETRY_MS, signal);
        continue;
      }
      try {
        await readEventStream(await this.clients.client(device), (event) => this.onEvent(device, event), signal, () => {
          this.malformed += 1;
        });
        delay = FIRST_RETRY_MS;
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if ((error as { code?: string }).code === 'not_supported') {
          this.unsupported.add(deviceId);
          break;
        }
        failures += 1;
        // Held places are few: one that never opens is not kept from a BMC waiting for a place, whose stream may.
        if (failures >= FAILURES_BEFORE_REST && this.capped.size > 0) {
          this.resting.set(deviceId, Date.now() + REST_MS);
          break;
        }
      }
      await sleep(delay, signal);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
    if (this.streams.get(deviceId)?.signal === signal) this.streams.delete(deviceId);
  }

  dispose(): void {
    for (const controller of this.streams.values()) controller.abort();
    this.streams.clear();
    this.capped = new Set();
    this.resting.clear();
  }
}
