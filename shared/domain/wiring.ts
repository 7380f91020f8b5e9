import type { CabinetView, DeviceKind, DeviceStatus } from './cabinet.js';
import { SEVERITY_RANK, type Alarm } from './monitoring.js';

/**
 * The cabinet's wiring as something to draw, and an alarm's cause, effects
 * and the cables between them. The core decides which alarm is a symptom of
 * which (`rootId`, see main/core/services/alarms/correlation.ts); this only
 * finds where each one sits on the wiring and the path that joins them, so a
 * generalist sees why several alarms are one problem. Pure: no DOM, no I/O.
 */

export type WireKind = 'power' | 'network';
export type PortKind = 'input' | 'output' | 'outlet' | 'psu' | 'nic' | 'port' | 'uplink' | 'other';
export interface PortName {
  kind: PortKind;
  number: number | null;
  /** The template's own port id, e.g. "outlet-3". */
  id: string;
}

export interface WireEnd {
  /** Device id, or `external:<name>` for an end outside the cabinet (the WAN). */
  node: string;
  port: PortName;
}

export interface WireSegment {
  /** Stable within the cabinet: kind, then both ends. */
  id: string;
  kind: WireKind;
  from: WireEnd;
  to: WireEnd;
}

export interface WiringNode {
  key: string;
  deviceId: string | null;
  /** The template slot (for test ids and stable names), or the external end's name. */
  slot: string | null;
  external: string | null;
  name: string;
  kind: DeviceKind | 'external';
  status: DeviceStatus;
  /** Column, upstream first: 0 = source (UPS, WAN), then distribution (PDU, switch), then loads. */
  tier: number;
  /** Ports wired in this section, in drawing order. */
  ports: PortName[];
}

export interface WiringSection {
  kind: WireKind;
  /** Tier by tier, each tier top to bottom. */
  nodes: WiringNode[];
  segments: WireSegment[];
  tiers: number;
}

export type WiringRole = 'root' | 'symptom' | 'path';

/** The fields of an alarm this needs; the UI passes whole alarms and gets them back. */
export type WiringAlarm = Pick<Alarm, 'id' | 'deviceId' | 'condition' | 'category' | 'severity' | 'rootId' | 'symptomCount' | 'firstSeen' | 'state' | 'muted'>;

export interface WiringChain<A> {
  alarm: A;
  /** Where the trouble leaves each device on its way from the cause to this alarm, ending where it arrives; empty when no cable joins them. */
  ends: WireEnd[];
}

export interface WiringFocus<A> {
  root: A;
  symptoms: A[];
  /**
   * Node key → role, per drawing: a port-down switch is the cause in the
   * network drawing, not in the power one; an alarm about a whole device
   * (unreachable, on battery) marks it wherever it is drawn.
   */
  nodes: Readonly<Record<WireKind, ReadonlyMap<string, WiringRole>>>;
  /** Keyed `${node}/${portId}`; a port is cabled in one drawing only. */
  ports: ReadonlyMap<string, WiringRole>;
  /** Ids of the cables on the path from the cause to what it affects. */
  segments: ReadonlySet<string>;
  chains: WiringChain<A>[];
}

export interface Wiring<A> {
  power: WiringSection;
  network: WiringSection;
  /** Active root and standalone alarms of the site, worst first: what can be focused. */
  roots: A[];
  focus: WiringFocus<A> | null;
}

/** Mirrors the core's site-wide root condition (main/ may not be imported from shared/). */
export const SITE_LINK_DOWN_CONDITION = 'site:link-down';

const PORT_WORDS: Readonly<Record<string, PortKind>> = { in: 'input', out: 'output', outlet: 'outlet', psu: 'psu', nic: 'nic', port: 'port', uplink: 'uplink' };
const PORT_ORDER: readonly PortKind[] = ['input', 'uplink', 'output', 'outlet', 'psu', 'nic', 'port', 'other'];

/** "outlet-3" → outlet 3, "in" → input; anything unknown keeps its id for display. */
export function portName(id: string): PortName {
  const match = /^([a-z]+)(?:-(\d+))?$/.exec(id);
  const kind = match ? PORT_WORDS[match[1]!] : undefined;
  return kind ? { kind, number: match![2] === undefined ? null : Number(match![2]), id } : { kind: 'other', number: null, id };
}

export const externalKey = (name: string) => `external:${name}`;
export const portKey = (end: WireEnd | { node: string; port: string }) => `${end.node}/${typeof end.port === 'string' ? end.port : end.port.id}`;

function comparePorts(a: PortName, b: PortName): number {
  return PORT_ORDER.indexOf(a.kind) - PORT_ORDER.indexOf(b.kind) || (a.number ?? 0) - (b.number ?? 0) || a.id.localeCompare(b.id);
}

type Cabinet = Pick<CabinetView, 'devices' | 'links'>;

function segmentsOf(cabinet: Cabinet): WireSegment[] {
  const known = new Set(cabinet.devices.map((device) => device.id));
  const endOf = (deviceId: string | null, port: string, external: string | null): WireEnd | null => {
    if (deviceId !== null) return known.has(deviceId) ? { node: deviceId, port: portName(port) } : null;
    return external ? { node: externalKey(external), port: portName(port) } : null;
  };
  const segments: WireSegment[] = [];
  for (const link of cabinet.links) {
    const from = endOf(link.fromDeviceId, link.fromPort, link.external);
    const to = endOf(link.toDeviceId, link.toPort, link.external);
    // A cable to a device that is no longer in the cabinet has nothing to draw at one end.
    if (!from || !to) continue;
    segments.push({ id: `${link.kind}:${portKey(from)}>${portKey(to)}`, kind: link.kind, from, to });
  }
  return segments;
}

/** Power tiers: longest run of cables from a device nothing feeds. Network tiers: outside, switches, the rest. */
function tiersOf(kind: WireKind, keys: readonly string[], segments: readonly WireSegment[], kindOf: (key: string) => DeviceKind | 'external'): Map<string, number> {
  const tier = new Map<string, number>();
  if (kind === 'network') {
    for (const key of keys) tier.set(key, kindOf(key) === 'external' ? 0 : kindOf(key) === 'switch' ? 1 : 2);
  } else {
    for (const key of keys) tier.set(key, 0);
    // At most one pass per node: a (mis-wired) loop cannot spin forever.
    for (let pass = 0; pass < keys.length; pass += 1) {
      let moved = false;
      for (const segment of segments) {
        const next = tier.get(segment.from.node)! + 1;
        if (next > tier.get(segment.to.node)! && next <= keys.length) {
          tier.set(segment.to.node, next);
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
  // Close gaps (no WAN in a cabinet → switches become the first column).
  const used = [...new Set(tier.values())].sort((a, b) => a - b);
  for (const [key, value] of tier) tier.set(key, used.indexOf(value));
  return tier;
}

function sectionOf(kind: WireKind, cabinet: Cabinet, all: readonly WireSegment[]): WiringSection {
  const segments = all.filter((segment) => segment.kind === kind);
  const devices = new Map(cabinet.devices.map((device) => [device.id, device]));
  const ports = new Map<string, Map<string, PortName>>();
  for (const segment of segments) {
    for (const end of [segment.from, segment.to]) {
      const list = ports.get(end.node) ?? new Map<string, PortName>();
      list.set(end.port.id, end.port);
      ports.set(end.node, list);
    }
  }
  const keys = [...ports.keys()];
  const kindOf = (key: string) => devices.get(key)?.kind ?? 'external';
  const tiers = tiersOf(kind, keys, segments, kindOf);
  const nodes: WiringNode[] = keys.map((key) => {
    const device = devices.get(key);
    const external = device ? null : key.slice('external:'.length);
    return {
      key,
      deviceId: device?.id ?? null,
      slot: device ? device.slotId : external,
      external,
      name: device?.name ?? external ?? key,
      kind: kindOf(key),
      status: device?.status ?? 'unknown',
      tier: tiers.get(key)!,
      ports: [...ports.get(key)!.values()].sort(comparePorts),
    };
  });
  const tierCount = Math.max(0, ...nodes.map((node) => node.tier + 1));
  // Each column follows the first row it is cabled to on its left (PDU A's outlets top down, then PDU B's),
  // so cables cross little and the order reads like the outlets; an average would interleave dual-fed servers.
  const row = new Map<string, number>();
  const ordered: WiringNode[] = [];
  const byName = (a: WiringNode, b: WiringNode) => a.name.localeCompare(b.name, undefined, { numeric: true });
  for (let tier = 0; tier < tierCount; tier += 1) {
    const column = nodes.filter((node) => node.tier === tier);
    const weight = (node: WiringNode) => {
      const rows = segments.flatMap((segment) => [
        ...(segment.to.node === node.key ? [row.get(portKey(segment.from))] : []),
        ...(segment.from.node === node.key ? [row.get(portKey(segment.to))] : []),
      ]).filter((value): value is number => value !== undefined);
      return rows.length ? Math.min(...rows) : Number.POSITIVE_INFINITY;
    };
    const weights = new Map(column.map((node) => [node.key, weight(node)]));
    column.sort((a, b) => weights.get(a.key)! - weights.get(b.key)! || byName(a, b));
    for (const node of column) {
      for (const port of node.ports) row.set(portKey({ node: node.key, port: port.id }), row.size);
      ordered.push(node);
    }
  }
  return { kind, nodes: ordered, segments, tiers: tierCount };
}

/** Cabled power and network, ready to lay out: nodes by column, their ports, the cables. */
export function wiringSections(cabinet: Cabinet): { power: WiringSection; network: WiringSection } {
  const segments = segmentsOf(cabinet);
  return { power: sectionOf('power', cabinet, segments), network: sectionOf('network', cabinet, segments) };
}

interface Anchor {
  node: string;
  port: string | null;
  /** The drawing the port is cabled in; null when the alarm is about the whole device. */
  section: WireKind | null;
}

/** The port a condition names, in the template's words: "port:3" → port-3, "nic:1" → nic-1, "psu:1U:Bay2" → psu-2, PDU input voltage → in. */
function portHint(condition: string): string | null {
  const direct = /^(port|nic):(\d+)$/.exec(condition);
  if (direct) return `${direct[1]}-${direct[2]}`;
  const psu = /^psu:.*?(\d+)$/.exec(condition);
  if (psu) return `psu-${Number(psu[1])}`;
  return condition === 'input-voltage' ? 'in' : null;
}

/** Where an alarm sits on the wiring: a port when the condition names one that is cabled, else the whole device; the site's link down sits on the WAN. */
function anchorOf(alarm: WiringAlarm, sections: readonly WiringSection[]): Anchor | null {
  if (alarm.deviceId === null) {
    if (alarm.condition !== SITE_LINK_DOWN_CONDITION) return null;
    const wan = sections.flatMap((section) => section.nodes).find((node) => node.external !== null);
    return wan ? { node: wan.key, port: null, section: null } : null;
  }
  const hint = portHint(alarm.condition);
  const cabled = hint === null ? undefined : sections.find((section) => section.nodes.some((node) => node.key === alarm.deviceId && node.ports.some((port) => port.id === hint)));
  return cabled ? { node: alarm.deviceId, port: hint, section: cabled.kind } : { node: alarm.deviceId, port: null, section: null };
}

interface Edge {
  to: string;
  segment: WireSegment | null;
  /** The segment's ends in the direction walked. */
  start: WireEnd | null;
  end: WireEnd | null;
}

const hub = (node: string) => `hub:${node}`;
const portVertex = (node: string, port: string) => `port:${node}/${port}`;
const vertexOf = (anchor: Anchor) => (anchor.port === null ? hub(anchor.node) : portVertex(anchor.node, anchor.port));

/**
 * A graph of ports and devices: a cable joins two ports, a device joins its
 * ports. Power flows one way (a UPS feeds a PDU, never the reverse, and
 * never back up through a server's second supply); network either way.
 */
function graphOf(section: WiringSection): { forward: Map<string, Edge[]>; backward: Map<string, Edge[]> } {
  const forward = new Map<string, Edge[]>();
  const backward = new Map<string, Edge[]>();
  const add = (from: string, edge: Edge) => {
    forward.set(from, [...(forward.get(from) ?? []), edge]);
    backward.set(edge.to, [...(backward.get(edge.to) ?? []), { ...edge, to: from }]);
  };
  const directed = section.kind === 'power';
  const inputs = new Set(section.segments.map((segment) => portKey(segment.to)));
  for (const node of section.nodes) {
    for (const port of node.ports) {
      const vertex = portVertex(node.key, port.id);
      const isInput = inputs.has(portKey({ node: node.key, port: port.id }));
      if (!directed || isInput) add(vertex, { to: hub(node.key), segment: null, start: null, end: null });
      if (!directed || !isInput) add(hub(node.key), { to: vertex, segment: null, start: null, end: null });
    }
  }
  for (const segment of section.segments) {
    add(portVertex(segment.from.node, segment.from.port.id), { to: portVertex(segment.to.node, segment.to.port.id), segment, start: segment.from, end: segment.to });
    if (!directed) add(portVertex(segment.to.node, segment.to.port.id), { to: portVertex(segment.from.node, segment.from.port.id), segment, start: segment.to, end: segment.from });
  }
  return { forward, backward };
}

function distances(start: string, edges: Map<string, Edge[]>): Map<string, number> {
  const distance = new Map([[start, 0]]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const vertex of frontier) {
      for (const edge of edges.get(vertex) ?? []) {
        if (distance.has(edge.to)) continue;
        distance.set(edge.to, distance.get(vertex)! + 1);
        next.push(edge.to);
      }
    }
    frontier = next;
  }
  return distance;
}

interface Route {
  /** Every vertex and segment on some shortest route (equal routes, e.g. two PDUs feeding one server, are all shown). */
  vertices: Set<string>;
  segments: Set<string>;
  /** One of those routes, as the ends walked through. */
  ends: WireEnd[];
}

function route(section: WiringSection, from: Anchor, to: Anchor): Route | null {
  const { forward, backward } = graphOf(section);
  const start = vertexOf(from);
  const target = vertexOf(to);
  const fromStart = distances(start, forward);
  const total = fromStart.get(target);
  if (total === undefined || total === 0) return null;
  const toTarget = distances(target, backward);
  const vertices = new Set<string>();
  const segments = new Set<string>();
  for (const [vertex, edges] of forward) {
    const before = fromStart.get(vertex);
    if (before === undefined) continue;
    for (const edge of edges) {
      if (before + 1 + (toTarget.get(edge.to) ?? Number.POSITIVE_INFINITY) !== total) continue;
      vertices.add(vertex).add(edge.to);
      if (edge.segment) segments.add(edge.segment.id);
    }
  }
  const walked: Edge[] = [];
  for (let vertex = start; vertex !== target; ) {
    const step = forward.get(vertex)!.find((edge) => fromStart.get(vertex)! + 1 + (toTarget.get(edge.to) ?? Number.POSITIVE_INFINITY) === total)!;
    if (step.segment) walked.push(step);
    vertex = step.to;
  }
  const ends = walked.map((edge) => edge.start!);
  if (walked.length > 0) ends.push(walked.at(-1)!.end!);
  return { vertices, segments, ends };
}

const isActive = (alarm: WiringAlarm) => alarm.state === 'active' && !alarm.muted;

function worstFirst(a: WiringAlarm, b: WiringAlarm): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.symptomCount - a.symptomCount || a.firstSeen.localeCompare(b.firstSeen) || a.id - b.id;
}

const ROLE_RANK: Readonly<Record<WiringRole, number>> = { root: 3, symptom: 2, path: 1 };
const stronger = (current: WiringRole | undefined, next: WiringRole): WiringRole => (current && ROLE_RANK[current] >= ROLE_RANK[next] ? current : next);

/**
 * The cabinet's wiring plus, for the chosen alarm (a symptom stands for its
 * root) or else the worst root alarm of the site, which nodes, ports and
 * cables are the cause, which are affected and which lie between them.
 */
export function wiringView<A extends WiringAlarm>(cabinet: Cabinet, alarms: readonly A[], selectedAlarmId: number | null = null): Wiring<A> {
  const { power, network } = wiringSections(cabinet);
  const active = alarms.filter(isActive);
  const byId = new Map(active.map((alarm) => [alarm.id, alarm]));
  const roots = active.filter((alarm) => alarm.rootId === null || !byId.has(alarm.rootId)).sort(worstFirst);
  const selected = selectedAlarmId === null ? undefined : byId.get(selectedAlarmId);
  const root = selected ? (selected.rootId !== null ? byId.get(selected.rootId) ?? selected : selected) : roots[0];
  if (!root) return { power, network, roots, focus: null };

  // Power trouble travels along power cables; everything else (a port, the site's link) along network ones.
  const section = root.category === 'power' ? power : network;
  // Symptoms in the order they are drawn (down the path), so the explanation reads like the picture.
  const drawn = new Map<string, number>();
  for (const node of [...section.nodes, ...(section === power ? network : power).nodes]) if (!drawn.has(node.key)) drawn.set(node.key, drawn.size);
  const place = (alarm: A) => (alarm.deviceId === null ? -1 : drawn.get(alarm.deviceId) ?? Number.MAX_SAFE_INTEGER);
  const symptoms = active.filter((alarm) => alarm.rootId === root.id).sort((a, b) => place(a) - place(b) || worstFirst(a, b));
  const nodes: Record<WireKind, Map<string, WiringRole>> = { power: new Map(), network: new Map() };
  const ports = new Map<string, WiringRole>();
  const segments = new Set<string>();
  const setNode = (kind: WireKind, node: string, role: WiringRole) => nodes[kind].set(node, stronger(nodes[kind].get(node), role));
  const mark = (anchor: Anchor, role: WiringRole) => {
    for (const kind of ['power', 'network'] as const) if (anchor.section === null || anchor.section === kind) setNode(kind, anchor.node, role);
    if (anchor.port !== null) ports.set(`${anchor.node}/${anchor.port}`, stronger(ports.get(`${anchor.node}/${anchor.port}`), role));
  };
  const sections = [power, network];
  const rootAnchor = anchorOf(root, sections);
  const chains: WiringChain<A>[] = [];
  for (const symptom of symptoms) {
    const anchor = anchorOf(symptom, sections);
    const found = rootAnchor && anchor ? route(section, rootAnchor, anchor) : null;
    if (found) {
      for (const vertex of found.vertices) {
        const [type, rest] = [vertex.slice(0, vertex.indexOf(':')), vertex.slice(vertex.indexOf(':') + 1)];
        if (type === 'hub') setNode(section.kind, rest, 'path');
        else ports.set(rest, stronger(ports.get(rest), 'path'));
      }
      for (const id of found.segments) segments.add(id);
    }
    chains.push({ alarm: symptom, ends: found?.ends ?? [] });
  }
  // Cause and effects last, so they outrank the path they lie on.
  for (const symptom of symptoms) {
    const anchor = anchorOf(symptom, sections);
    if (anchor) mark(anchor, 'symptom');
  }
  if (rootAnchor) mark(rootAnchor, 'root');
  return { power, network, roots, focus: { root, symptoms, nodes, ports, segments, chains } };
}

/** The power run that feeds a cable's far end, from its source: for titles like "UPS output 1 → PDU A outlet 3 → Compute 1 PSU 1". */
export function powerRunTo(section: WiringSection, segment: WireSegment): WireEnd[] {
  const feeding = new Map<string, WireSegment>();
  for (const each of section.segments) if (!feeding.has(each.to.node)) feeding.set(each.to.node, each);
  const ends: WireEnd[] = [segment.to, segment.from];
  const seen = new Set([segment.to.node, segment.from.node]);
  // Stops at a loop: a mis-wired model must not hang the page.
  for (let current = feeding.get(segment.from.node); current && !seen.has(current.from.node); current = feeding.get(current.from.node)) {
    seen.add(current.from.node);
    ends.push(current.from);
  }
  return ends.reverse();
}
