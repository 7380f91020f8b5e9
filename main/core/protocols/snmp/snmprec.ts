import { compareOids, type Varbind } from './session.js';

/** snmpsim's type tags (the ASN.1 application tags) by net-snmp's type names. */
const TAGS: Record<string, string> = {
  Boolean: '1',
  Integer: '2',
  OctetString: '4',
  Null: '5',
  OID: '6',
  IpAddress: '64',
  Counter: '65',
  Gauge: '66',
  TimeTicks: '67',
  Opaque: '68',
  Counter64: '70',
};

/** Text that snmprec can hold as it is: printable ASCII without its separator. */
function plainText(buffer: Buffer): boolean {
  return [...buffer].every((byte) => byte >= 0x20 && byte < 0x7f && byte !== 0x7c);
}

/** One varbind as a line of snmpsim's `.snmprec` format (`OID|tag|value`, `4x`/`68x` for hex); null for what is not a value (noSuchObject). */
export function snmprecLine(varbind: Varbind): string | null {
  const tag = TAGS[varbind.type];
  if (!tag || (varbind.value === null && varbind.type !== 'Null')) return null;
  const value = varbind.value;
  if (Buffer.isBuffer(value)) return plainText(value) ? `${varbind.oid}|${tag}|${value.toString('latin1')}` : `${varbind.oid}|${tag}x|${value.toString('hex')}`;
  return `${varbind.oid}|${tag}|${value === null ? '' : String(value)}`;
}

/** A walk as a recording: lines in OID order. */
export function snmprec(varbinds: readonly Varbind[]): string {
  return [...varbinds]
    .sort((a, b) => compareOids(a.oid, b.oid))
    .map(snmprecLine)
    .filter((line): line is string => line !== null)
    .join('\n');
}
