/** A bar per day (or a pair of bars, one per series), drawn as inline SVG: enough for a trend, no chart library. */

export interface BarSeries {
  label: string;
  /** CSS class of the series' bars (its colour). */
  className: string;
}

export interface BarGroup {
  key: string;
  /** Under the bar (only some are shown when there are many). */
  axisLabel: string;
  /** The tooltip: what the bar says, in words. */
  title: string;
  /** One value per series; null: not measured that day. */
  values: readonly (number | null)[];
}

const WIDTH = 900;
const LEFT = 52;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 24;

/** A round number at or above `max`, for the top of the scale: 1, 2, 2.5, 5 × 10ⁿ. */
function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export function BarChart({
  groups,
  series,
  label,
  format,
  height = 180,
  testId,
}: {
  groups: readonly BarGroup[];
  series: readonly BarSeries[];
  /** The chart as a sentence, for screen readers. */
  label: string;
  /** A value on the scale, e.g. "120". */
  format: (value: number) => string;
  height?: number;
  testId?: string;
}) {
  const known = groups.flatMap((group) => group.values.filter((value): value is number => value !== null));
  const top = niceCeiling(Math.max(0, ...known));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = height - TOP - BOTTOM;
  const slot = plotWidth / Math.max(groups.length, 1);
  const barWidth = Math.max(1, Math.min(28, (slot * 0.72) / Math.max(series.length, 1)));
  const every = Math.ceil(groups.length / 10);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  return (
    <figure className="energy-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction} className="energy-chart-grid">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(top * fraction)} y2={y(top * fraction)} />
            <text x={LEFT - 6} y={y(top * fraction) + 4} textAnchor="end">
              {format(top * fraction)}
            </text>
          </g>
        ))}
        {groups.map((group, index) => {
          const left = LEFT + index * slot + (slot - barWidth * series.length) / 2;
          return (
            <g key={group.key} className="energy-chart-group" data-day={group.key}>
              <title>{group.title}</title>
              {/* The whole slot answers the pointer, so a short bar's tooltip is easy to reach. */}
              <rect className="energy-chart-hit" x={LEFT + index * slot} y={TOP} width={slot} height={plotHeight} />
              {group.values.map((value, position) =>
                value === null ? (
                  <rect key={position} className="energy-bar-missing" x={left + position * barWidth} y={y(0) - 2} width={Math.max(barWidth - 1, 1)} height={2} />
                ) : (
                  <rect
                    key={position}
                    className={`energy-bar ${series[position]?.className ?? ''}`}
                    x={left + position * barWidth}
                    y={y(value)}
                    width={Math.max(barWidth - 1, 1)}
                    height={Math.max(y(0) - y(value), value > 0 ? 1 : 0)}
                  />
                ),
              )}
              {index % every === 0 ? (
                <text className="energy-chart-axis" x={LEFT + index * slot + slot / 2} y={height - 6} textAnchor="middle">
                  {group.axisLabel}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {series.length > 1 ? (
        <figcaption className="energy-legend">
          {series.map((each) => (
            <span key={each.className}>
              <span className={`energy-swatch ${each.className}`} aria-hidden="true" />
              {each.label}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}
