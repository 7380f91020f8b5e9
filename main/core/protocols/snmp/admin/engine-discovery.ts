import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * RFC 3414 §4 discovery: an unauthenticated, reportable SNMPv3 GetRequest
 * with an empty engine ID, which any SNMPv3 engine answers with a Report
 * carrying its snmpEngineID. A trap receiver is an engine too: an agent
 * sending it informs needs the site user localized to that ID.
 */

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const octets = (value: Buffer | string) => tlv(0x04, Buffer.isBuffer(value) ? value : Buffer.from(value));

function integer(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  // A leading 1 bit would make it negative.
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

export function discoveryRequest(messageId: number, requestId: number): Buffer {
  const security = sequence(octets(''), integer(0), integer(0), octets(''), octets(''), octets(''));
  const pdu = tlv(0xa0, Buffer.concat([integer(requestId), integer(0), integer(0), sequence()]));
  // msgFlags 0x04: reportable, noAuthNoPriv; security model 3 (USM).
  return sequence(integer(3), sequence(integer(messageId), integer(65507), octets(Buffer.from([0x04])), integer(3)), octets(security), sequence(octets(''), octets(''), pdu));
}

/** Reads one TLV at `at`: its tag, where its content starts and ends. */
function read(buffer: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = buffer[at];
  let size = buffer[at + 1];
  if (tag === undefined || size === undefined) throw new Error('truncated');
  let start = at + 2;
  if (size & 0x80) {
    const count = size & 0x7f;
    if (count === 0 || count > 4) throw new Error('bad length');
    size = 0;
    for (let index = 0; index < count; index += 1) size = size * 256 + (buffer[start + index] ?? Number.NaN);
    start += count;
  }
  const end = start + size;
  if (!Number.isFinite(end) || end > buffer.length) throw new Error('truncated');
  return { tag, start, end };
}

/** The authoritative engine ID of an SNMPv3 message (the Report a discovery gets), or null when it is not one. */
export function engineIdOf(message: Buffer): Buffer | null {
  try {
    const outer = read(message, 0);
    const version = read(message, outer.start);
    const global = read(message, version.end);
    const security = read(message, global.end);
    if (outer.tag !== 0x30 || version.tag !== 0x02 || message[version.start] !== 3 || global.tag !== 0x30 || security.tag !== 0x04) return null;
    const usm = read(message, security.start);
    const engine = read(message, usm.start);
    if (usm.tag !== 0x30 || engine.tag !== 0x04) return null;
    const id = message.subarray(engine.start, engine.end);
    return id.length >= 5 && id.length <= 32 ? Buffer.from(id) : null;
  } catch {
    return null;
  }
}

/** Asks host:port for its snmpEngineID; null when nothing (or nothing SNMPv3) answers in time. */
export function discoverEngineId(host: string, port: number, timeoutMs: number, retries = 1): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = discoveryRequest(randomInt(1, 2 ** 31 - 1), randomInt(1, 2 ** 31 - 1));
    let tries = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (id: Buffer | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(id);
    };
    const send = () => {
      tries += 1;
      socket.send(request, port, host, (error) => error && finish(null));
      timer = setTimeout(() => (tries > retries ? finish(null) : settled || send()), timeoutMs);
    };
    socket.on('error', () => finish(null));
    socket.on('message', (message) => {
      const id = engineIdOf(message);
      if (id) finish(id);
    });
    send();
  });
}
