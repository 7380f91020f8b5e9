import { useTranslation } from 'react-i18next';
import type { CabinetDevice, Face } from '../../shared/domain/cabinet.js';
import { ageText, useNow } from './age.js';

export const STATUS_COLORS: Record<CabinetDevice['status'], string> = {
  ok: '#43a047',
  warning: '#fb8c00',
  critical: '#e53935',
  unreachable: '#8e24aa',
  unknown: '#90a4ae',
};

interface RackFaceProps {
  heightU: number;
  devices: readonly CabinetDevice[];
  face: Face;
  compact: boolean;
  title: string;
  onOpen?: ((device: CabinetDevice) => void) | undefined;
}

const RAIL = 28;

/** One face of the cabinet: U numbers, free U, and each device on this face (full-depth ones show on both). */
function RackFace({ heightU, devices, face, compact, title, onOpen }: RackFaceProps) {
  const { t } = useTranslation();
  const now = useNow();
  const unit = compact ? 5 : 22;
  const width = compact ? 60 : 300;
  const rail = compact ? 4 : RAIL;
  const height = heightU * unit;
  const shown = devices.filter((device) => device.face === face || device.depth === 'full');
  // A workload engine runs on its server: drawn as a tag on the server, not as rack units of its own.
  const visible = shown.filter((device) => device.kind !== 'engine');
  const engines = shown.filter((device) => device.kind === 'engine');
  const occupied = new Set<number>();
  for (const device of visible) for (let u = device.u; u < device.u + device.heightU; u += 1) occupied.add(u);
  const y = (u: number) => (heightU - u) * unit;
  return (
    <figure className="rack-face">
      {compact ? null : <figcaption>{title}</figcaption>}
      <svg
        width={width + rail * 2}
        height={height + 8}
        viewBox={`0 -4 ${width + rail * 2} ${height + 8}`}
        role="group"
        aria-label={title}
        data-testid={`rack-${face}`}
      >
        <rect x={0} y={0} width={width + rail * 2} height={height} rx={compact ? 1 : 4} className="rack-frame" />
        {Array.from({ length: heightU }, (_, index) => {
          const u = index + 1;
          return (
            <g key={u}>
              {!occupied.has(u) ? <rect x={rail + 1} y={y(u) + 1} width={width - 2} height={unit - 2} className="rack-free" /> : null}
              {compact ? null : (
                <>
                  <text x={rail - 6} y={y(u) + unit / 2 + 4} className="rack-u" textAnchor="end">
                    {u}
                  </text>
                  <text x={width + rail + 6} y={y(u) + unit / 2 + 4} className="rack-u">
                    {u}
                  </text>
                </>
              )}
            </g>
          );
        })}
        {visible.map((device) => {
          const top = y(device.u + device.heightU - 1);
          const boxHeight = device.heightU * unit;
          const behind = device.face !== face;
          const alarm = device.status === 'warning' || device.status === 'critical' || device.status === 'unreachable';
          const label = `${device.name} — ${t(`site.kinds.${device.kind}`)}, U${device.u}${device.heightU > 1 ? `–U${device.u + device.heightU - 1}` : ''}, ${t(`site.status.${device.status}`)}, ${t('site.lastRead')}: ${ageText(t, device.observedAt, now)}`;
          const open = () => onOpen?.(device);
          return (
            <g
              key={device.id}
              className={`rack-device kind-${device.kind}${behind ? ' behind' : ''}`}
              role={onOpen ? 'button' : undefined}
              tabIndex={onOpen && !compact ? 0 : undefined}
              aria-label={label}
              data-testid={`rack-device-${device.slotId ?? device.id}`}
              data-status={device.status}
              onClick={open}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  open();
                }
              }}
            >
              <title>{label}</title>
              <rect x={rail + 1} y={top + 1} width={width - 2} height={boxHeight - 2} rx={compact ? 0 : 3} className="rack-device-body" />
              <rect x={rail + 1} y={top + 1} width={compact ? 4 : 8} height={boxHeight - 2} fill={STATUS_COLORS[device.status]} />
              {compact ? null : (
                <>
                  <text x={rail + 16} y={top + boxHeight / 2 + 5} className="rack-device-label">
                    {device.name}
                    {device.depth === 'half' ? ' ½' : ''}
                  </text>
                  {alarm ? (
                    <g transform={`translate(${rail + width - 16}, ${top + boxHeight / 2})`} className="rack-alarm" data-testid="rack-alarm">
                      <circle r={8} fill={STATUS_COLORS[device.status]} />
                      <text y={4} textAnchor="middle">
                        !
                      </text>
                    </g>
                  ) : null}
                </>
              )}
            </g>
          );
        })}
        {compact
          ? null
          : engines.map((engine) => {
              const top = y(engine.u + engine.heightU - 1);
              const label = `${engine.name} — ${t('site.kinds.engine')}, ${t(`site.status.${engine.status}`)}`;
              const open = () => onOpen?.(engine);
              return (
                <g
                  key={engine.id}
                  className="rack-engine"
                  role={onOpen ? 'button' : undefined}
                  tabIndex={onOpen ? 0 : undefined}
                  aria-label={label}
                  data-testid={`rack-engine-${engine.id}`}
                  onClick={(event) => {
                    event.stopPropagation();
                    open();
                  }}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      open();
                    }
                  }}
                >
                  <title>{label}</title>
                  <rect x={rail + width - 122} y={top + 3} width={96} height={Math.min(unit - 6, 16)} rx={8} fill="#e3f2fd" stroke={STATUS_COLORS[engine.status]} />
                  <text x={rail + width - 74} y={top + 3 + Math.min(unit - 6, 16) / 2 + 4} textAnchor="middle" className="rack-engine-label">
                    {t('site.kinds.engine')}
                  </text>
                </g>
              );
            })}
      </svg>
    </figure>
  );
}

/**
 * The cabinet as it stands: front, rear, or both side by side. Each device sits
 * at its U with its state colour and an alarm badge; free U are visible; a click
 * or Enter opens the device. `compact` draws a thumbnail for showing many cabinets.
 */
export function RackElevation({
  heightU,
  devices,
  view,
  compact = false,
  onOpen,
}: {
  heightU: number;
  devices: readonly CabinetDevice[];
  view: Face | 'both';
  compact?: boolean;
  onOpen?: (device: CabinetDevice) => void;
}) {
  const { t } = useTranslation();
  const faces: Face[] = view === 'both' ? ['front', 'rear'] : [view];
  return (
    <div className={compact ? 'rack compact' : 'rack'}>
      {faces.map((face) => (
        <RackFace key={face} heightU={heightU} devices={devices} face={face} compact={compact} title={t(`site.${face}`)} onOpen={onOpen} />
      ))}
    </div>
  );
}
