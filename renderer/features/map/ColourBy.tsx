import { useTranslation } from 'react-i18next';
import { SITE_STATES, type SiteState } from '../../../shared/domain/map.js';
import type { RolloutDetail } from '../../../shared/domain/rollouts.js';
import { colourParamOfRollout, FOLLOWED_ROLLOUT_STATES, rolloutIdOfColourParam } from './rollout-colours.js';
import { STATE_COLORS } from './SitesLayer.js';
import type { RolloutColouring } from './useRolloutColouring.js';

const HEALTH = 'health';

/** The words for a palette slot: the health state, or what it means in the chosen rollout. */
export function useStateLabel(byRollout: boolean): (state: SiteState) => string {
  const { t } = useTranslation();
  return (state) => (byRollout ? t(`rollouts.map.legend.${state}`) : t(`map.states.${state}`));
}

/** "Colour by": health, or one of the rollouts offered. */
export function ColourBySelect({ colouring }: { colouring: RolloutColouring }) {
  const { t } = useTranslation();
  const { offered, rolloutId, choose, refreshOffered } = colouring;
  const known = rolloutId === null || offered.some((rollout) => rollout.id === rolloutId);
  return (
    <select
      aria-label={t('rollouts.map.colourBy')}
      title={t('rollouts.map.colourBy')}
      value={rolloutId === null ? HEALTH : colourParamOfRollout(rolloutId)}
      // Rollouts started since the page opened show up the next time the list is opened.
      onFocus={refreshOffered}
      onChange={(event) => choose(rolloutIdOfColourParam(event.target.value))}
    >
      <option value={HEALTH}>{t('rollouts.map.health')}</option>
      {offered.map((rollout) => (
        <option key={rollout.id} value={colourParamOfRollout(rollout.id)}>
          {t('rollouts.map.rollout', { name: rollout.name })}
        </option>
      ))}
      {/* Chosen by a link before the list has answered: kept selected rather than falling back to the first option. */}
      {rolloutId !== null && !known ? <option value={colourParamOfRollout(rolloutId)}>{t('rollouts.map.rollout', { name: '…' })}</option> : null}
    </select>
  );
}

/** The map's legend: health states, or the chosen rollout's meaning of each colour with how many sites show it. */
export function MapLegend({ rollout, counts }: { rollout: RolloutDetail | null; counts: Record<SiteState, number> | null }) {
  const { t } = useTranslation();
  const label = useStateLabel(rollout !== null);
  return (
    <ul className="legend" aria-label="legend" data-testid="map-legend">
      {rollout ? (
        <li className="legend-title" data-testid="legend-rollout">
          {t('rollouts.map.rollout', { name: rollout.name })} · {t(`rollouts.states.${rollout.state}`)}
          {FOLLOWED_ROLLOUT_STATES.has(rollout.state) ? null : <span className="muted"> · {t('rollouts.map.ended')}</span>}
        </li>
      ) : null}
      {SITE_STATES.map((state: SiteState) => (
        <li key={state} data-testid={`legend-${state}`}>
          <span className="status-dot" style={{ background: STATE_COLORS[state] }} />
          {label(state)}
          {counts ? (
            <>
              {' '}
              <span className="legend-count">{counts[state]}</span>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
