import { useTranslation } from 'react-i18next';
import type { CabinetDevice } from '../../../shared/domain/cabinet.js';
import { portKey, powerRunTo, type WireSegment, type WiringFocus, type WiringNode, type WiringRole, type WiringSection as Section } from '../../../shared/domain/wiring.js';
import { STATUS_COLORS } from '../../components/RackElevation.js';
import { chainText, endText, fitText, portRowText, slotOf, type NodeNames } from './WiringText.js';

// Geometry, in SVG units; the drawing scales to the card's width.
const PAD_X = 10;
const PAD_Y = 6;
const COLUMN = 168;
const GAP = 84;
const HEADER = 26;
const ROW = 21;
const NODE_GAP = 12;
const TAG = 56;
const NAME_FONT = 12.5;
const MIN_SCALE = 0.85;

interface Box {
  node: WiringNode;
  x: number;
  y: number;
  height: number;
}

function layout(section: Section): { boxes: Map<string, Box>; width: number; height: number } {
  const heights = (nodes: WiringNode[]) => nodes.reduce((sum, node) => sum + HEADER + node.ports.length * ROW, 0) + Math.max(0, nodes.length - 1) * NODE_GAP;
  const columns = Array.from({ length: section.tiers }, (_, tier) => section.nodes.filter((node) => node.tier === tier));
  const tallest = Math.max(0, ...columns.map(heights));
  const boxes = new Map<string, Box>();
  columns.forEach((column, tier) => {
    // Shorter columns sit in the middle, so a lone UPS faces the PDUs it feeds.
    let y = PAD_Y + (tallest - heights(column)) / 2;
    for (const node of column) {
      const height = HEADER + node.ports.length * ROW;
      boxes.set(node.key, { node, x: PAD_X + tier * (COLUMN + GAP), y, height });
      y += height + NODE_GAP;
    }
  });
  return { boxes, width: PAD_X * 2 + section.tiers * COLUMN + Math.max(0, section.tiers - 1) * GAP, height: tallest + PAD_Y * 2 };
}

const portY = (box: Box, portId: string) => box.y + HEADER + box.node.ports.findIndex((port) => port.id === portId) * ROW + ROW / 2;

interface Cable {
  d: string;
  ends: [number, number][];
}

/** A cable as a curve between port rows: across columns side to side, within a column as a loop on its left. */
function cablePath(from: Box, fromPort: string, to: Box, toPort: string): Cable {
  const y1 = portY(from, fromPort);
  const y2 = portY(to, toPort);
  if (from.node.tier === to.node.tier) {
    const bulge = Math.min(GAP - 12, 24 + Math.abs(y2 - y1) / 6);
    return { d: `M ${from.x} ${y1} C ${from.x - bulge} ${y1}, ${to.x - bulge} ${y2}, ${to.x} ${y2}`, ends: [[from.x, y1], [to.x, y2]] };
  }
  const [left, leftY, right, rightY] = from.node.tier < to.node.tier ? [from, y1, to, y2] : [to, y2, from, y1];
  const x1 = left.x + COLUMN;
  const x2 = right.x;
  const bend = (x2 - x1) / 2;
  return { d: `M ${x1} ${leftY} C ${x1 + bend} ${leftY}, ${x2 - bend} ${rightY}, ${x2} ${rightY}`, ends: [[x1, leftY], [x2, rightY]] };
}

function RoleMark({ role, x, y }: { role: WiringRole; x: number; y: number }) {
  // A shape per role as well as a colour: a circle for the cause, a triangle for what it affects.
  if (role === 'root') {
    return (
      <g className="wiring-mark root" transform={`translate(${x}, ${y})`} aria-hidden="true">
        <circle r={7} />
        <text y={4} textAnchor="middle">
          !
        </text>
      </g>
    );
  }
  if (role === 'symptom') {
    return (
      <g className="wiring-mark symptom" transform={`translate(${x}, ${y})`} aria-hidden="true">
        <path d="M 0 -7 L 7 6 L -7 6 Z" />
        <text y={4.5} textAnchor="middle">
          !
        </text>
      </g>
    );
  }
  return null;
}

interface Props {
  section: Section;
  title: string;
  hint: string;
  names: NodeNames;
  focus: WiringFocus<unknown> | null;
  devices: readonly CabinetDevice[];
  onOpen: (device: CabinetDevice) => void;
}

/** One kind of cabling (power or network) as columns of devices with their ports, and the cables between them. */
export function WiringSection({ section, title, hint, names, focus, devices, onOpen }: Props) {
  const { t } = useTranslation();
  const { boxes, width, height } = layout(section);
  const onPath = (segment: WireSegment) => focus?.segments.has(segment.id) ?? false;
  // Other cables fade only where a path is drawn; a drawing the alarm does not touch stays as it is.
  const tracing = section.segments.some(onPath);
  const cableTitle = (segment: WireSegment) =>
    section.kind === 'power' ? chainText(t, powerRunTo(section, segment), names) : t('wiring.cable', { from: endText(t, segment.from, names), to: endText(t, segment.to, names) });
  // Cables on the path are drawn last, over the others.
  const cables = [...section.segments].sort((a, b) => Number(onPath(a)) - Number(onPath(b)));
  const testId = (segment: WireSegment) =>
    `wire-${slotOf(segment.from.node, section.nodes)}-${segment.from.port.id}-${slotOf(segment.to.node, section.nodes)}-${segment.to.port.id}`;
  return (
    <figure className={`wiring-section ${section.kind}${tracing ? ' tracing' : ''}`} data-testid={`wiring-${section.kind}`}>
      <figcaption>
        <strong>{title}</strong> <span className="muted small">{hint}</span>
      </figcaption>
      {section.segments.length === 0 ? (
        <p className="muted small">{t('wiring.noCables')}</p>
      ) : (
        // Scales with the card, but never below what keeps its labels legible: a narrow card (front and rear racks side by side) scrolls instead.
        <div className="wiring-scroll">
          <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width, minWidth: Math.round(width * MIN_SCALE) }} role="group" aria-label={title}>
            {cables.map((segment) => {
              const from = boxes.get(segment.from.node)!;
              const to = boxes.get(segment.to.node)!;
              const cable = cablePath(from, segment.from.port.id, to, segment.to.port.id);
              const highlighted = onPath(segment);
              return (
                <g key={segment.id} className={`wiring-cable ${segment.kind}${highlighted ? ' on-path' : ''}`} data-testid={testId(segment)} data-role={highlighted ? 'path' : 'none'}>
                  <title>{cableTitle(segment)}</title>
                  {highlighted ? <path d={cable.d} className="casing" /> : null}
                  <path d={cable.d} className="line" />
                  {cable.ends.map(([x, y]) => (
                    <circle key={`${x},${y}`} cx={x} cy={y} r={highlighted ? 3.5 : 2.5} className="plug" />
                  ))}
                </g>
              );
            })}
            {[...boxes.values()].map((box) => {
              const device = box.node.deviceId ? devices.find((each) => each.id === box.node.deviceId) : undefined;
              const role = focus?.nodes[section.kind].get(box.node.key);
              const tagged = role === 'root' || role === 'symptom';
              const name = names.get(box.node.key) ?? box.node.name;
              const status = t(`site.status.${box.node.status}`);
              const label = role ? t('wiring.nodeRole', { name, status, role: t(`wiring.role.${role}`) }) : box.node.external ? name : t('wiring.nodeLabel', { name, status });
              const open = () => {
                if (device) onOpen(device);
              };
              return (
                <g
                  key={box.node.key}
                  className={`wiring-node kind-${box.node.kind}${role ? ` role-${role}` : ''}${device ? ' openable' : ''}`}
                  data-testid={`wiring-node-${box.node.slot ?? box.node.key}`}
                  data-role={role ?? 'none'}
                  role={device ? 'button' : 'img'}
                  tabIndex={device ? 0 : undefined}
                  aria-label={label}
                  onClick={open}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      open();
                    }
                  }}
                >
                  <title>{label}</title>
                  <rect x={box.x} y={box.y} width={COLUMN} height={box.height} rx={5} className="body" />
                  {/* The device's own colour strip, as in the rack: its state, whatever the alarm traced. */}
                  {device ? <rect x={box.x + 1} y={box.y + 1} width={6} height={box.height - 2} rx={2} fill={STATUS_COLORS[box.node.status]} /> : null}
                  <text x={box.x + 14} y={box.y + 17} className="name">
                    {fitText(name, COLUMN - 20 - (tagged ? TAG + 4 : 0), NAME_FONT)}
                  </text>
                  {tagged ? (
                    <g className={`wiring-tag ${role}`}>
                      <rect x={box.x + COLUMN - TAG - 6} y={box.y + 5} width={TAG} height={16} rx={8} />
                      <text x={box.x + COLUMN - TAG / 2 - 6} y={box.y + 17} textAnchor="middle">
                        {t(`wiring.role.${role}`)}
                      </text>
                    </g>
                  ) : null}
                  {box.node.ports.map((port, index) => {
                    const portRole = focus?.ports.get(portKey({ node: box.node.key, port: port.id }));
                    const y = box.y + HEADER + index * ROW;
                    return (
                      <g key={port.id} className={`wiring-port${portRole ? ` role-${portRole}` : ''}`} data-testid={`wiring-port-${box.node.slot ?? box.node.key}-${port.id}`} data-role={portRole ?? 'none'}>
                        <rect x={box.x + 8} y={y + 1} width={COLUMN - 16} height={ROW - 2} rx={3} className="row" />
                        <text x={box.x + 14} y={y + 15} className="port">
                          {portRowText(t, port)}
                        </text>
                        {portRole === 'root' || portRole === 'symptom' ? <RoleMark role={portRole} x={box.x + COLUMN - 20} y={y + ROW / 2} /> : null}
                      </g>
                    );
                  })}
                </g>
              );
            })}
          </svg>
        </div>
      )}
    </figure>
  );
}
