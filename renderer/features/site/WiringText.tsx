import type { TFunction } from 'i18next';
import type { PortName, WireEnd, WiringNode } from '../../../shared/domain/wiring.js';

/** Node key → what a person calls it: the device's own name, or "Internet (WAN)" for the end outside the cabinet. */
export type NodeNames = ReadonlyMap<string, string>;

export function nodeNames(t: TFunction, nodes: readonly WiringNode[]): NodeNames {
  return new Map(nodes.map((node) => [node.key, node.external === 'wan' ? t('wiring.wan') : node.name]));
}

/** A port as a row label: "Outlet 3", "PSU 1". */
export function portRowText(t: TFunction, port: PortName): string {
  return t(`wiring.portRow.${port.kind}`, { n: port.number ?? '', id: port.id });
}

/** One end of a cable in a sentence: "PDU A outlet 3"; the WAN is named alone (its "uplink" says nothing more). */
export function endText(t: TFunction, end: WireEnd, names: NodeNames): string {
  const device = names.get(end.node) ?? end.node;
  if (end.node.startsWith('external:')) return device;
  return t('wiring.end', { device, port: t(`wiring.port.${end.port.kind}`, { n: end.port.number ?? '', id: end.port.id }) });
}

/** "UPS output 1 → PDU A outlet 3 → Compute 1 PSU 1". */
export function chainText(t: TFunction, ends: readonly WireEnd[], names: NodeNames): string {
  return ends.map((end) => endText(t, end, names)).join(t('wiring.chainSeparator'));
}

/** Test ids name slots (stable across cabinets), not device ids. */
export function slotOf(key: string, nodes: readonly WiringNode[]): string {
  const node = nodes.find((each) => each.key === key);
  return node?.slot ?? key;
}

/** Rough advance of one character at 1px font size: CJK is square, Latin narrower. SVG text cannot ellipsize itself. */
function advance(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x2e80) return 1;
  if (char === ' ') return 0.32;
  return /[A-Z0-9]/.test(char) ? 0.68 : 0.58;
}

/** `text` shortened with "…" to fit `width` at `fontSize` (the full text stays in the title and label). */
export function fitText(text: string, width: number, fontSize: number): string {
  const widthOf = (value: string) => [...value].reduce((sum, char) => sum + advance(char) * fontSize, 0);
  if (widthOf(text) <= width) return text;
  const chars = [...text];
  while (chars.length > 1 && widthOf(`${chars.join('')}…`) > width) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}
