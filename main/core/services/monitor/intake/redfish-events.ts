import type { Condition } from '../../../../../shared/domain/monitoring.js';
import type { JsonObject } from '../../../protocols/redfish/client.js';
import type { PollableDevice, PollResult } from '../poll-result.js';

/** A Redfish event's severity as an alarm severity; events that are not problems raise nothing. */
function eventSeverity(entry: JsonObject): Condition['severity'] | null {
  const severity = String(entry.MessageSeverity ?? entry.Severity ?? '');
  return severity === 'Critical' ? 'critical' : severity === 'Warning' ? 'warning' : null;
}

const MAX_ENTRIES = 64;

/**
 * What a Redfish event (pushed to EdgeCab or read from the BMC's stream)
 * means: an alarm per Warning or Critical entry, raised at once, and a poll
 * of the device so the poll confirms or clears it. Anything that is not an
 * Event with Events entries is reported as malformed and raises nothing.
 */
export function eventResults(device: PollableDevice, event: JsonObject, at: number): { results: PollResult[]; poll: boolean; malformed: boolean } {
  const entries = Array.isArray(event.Events) ? event.Events.slice(0, MAX_ENTRIES) : null;
  if (!entries) return { results: [], poll: false, malformed: true };
  const results: PollResult[] = [];
  let poll = false;
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    poll = true;
    const severity = eventSeverity(entry);
    if (!severity) continue;
    const messageId = typeof entry.MessageId === 'string' ? entry.MessageId.slice(0, 200).replace(/^([^.]+)\.\d+\.\d+\./, '$1.') : 'event';
    const message = typeof entry.Message === 'string' ? entry.Message.slice(0, 500) : messageId;
    results.push({ kind: 'event', device, at, condition: { key: `event:${messageId}`, category: 'health', severity, message, messageKey: 'redfishEvent', params: { message } } });
  }
  return { results, poll, malformed: false };
}
