import { useTranslation } from 'react-i18next';

/** What the lines, outlines and marks in the wiring mean; the same classes as the drawing, so it cannot drift from it. */
export function WiringLegend() {
  const { t } = useTranslation();
  const line = (className: string) => (
    <svg width={34} height={14} aria-hidden="true">
      <g className={className}>
        {className.includes('on-path') ? <path d="M 2 7 L 32 7" className="casing" /> : null}
        <path d="M 2 7 L 32 7" className="line" />
      </g>
    </svg>
  );
  const box = (role: 'root' | 'symptom') => (
    <svg width={34} height={18} aria-hidden="true">
      <g className={`wiring-node role-${role}`}>
        <rect x={2} y={2} width={30} height={14} rx={3} className="body" />
      </g>
      <g className={`wiring-mark ${role}`} transform="translate(17, 9)">
        {role === 'root' ? <circle r={6} /> : <path d="M 0 -6 L 6 5 L -6 5 Z" />}
        <text y={3.5} textAnchor="middle">
          !
        </text>
      </g>
    </svg>
  );
  return (
    <div className="wiring-legend" aria-label={t('wiring.legend.title')} role="group" data-testid="wiring-legend">
      <span>
        {line('wiring-cable power')}
        {t('wiring.legend.power')}
      </span>
      <span>
        {line('wiring-cable network')}
        {t('wiring.legend.network')}
      </span>
      <span>
        {box('root')}
        {t('wiring.legend.root')}
      </span>
      <span>
        {box('symptom')}
        {t('wiring.legend.symptom')}
      </span>
      <span>
        {line('wiring-cable on-path')}
        {t('wiring.legend.path')}
      </span>
    </div>
  );
}
