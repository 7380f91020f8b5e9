import { useTranslation } from 'react-i18next';
import { SITE_STATES, type SiteState } from '../../../shared/domain/map.js';
import type { RolloutDetail } from '../../../shared/domain/rollouts.js';
import { axisNumber } from '../energy/energy-format.js';
import { ENERGY_COLOUR_PARAM, ENERGY_PALETTE, ENERGY_SLOTS, stepOfSlot, type EnergyColouring, type EnergySteps } from './energy-colours.js';
import { colourParamOfRollout, FOLLOWED_ROLLOUT_STATES, rolloutIdOfColourParam } from './rollout-colours.js';
import { STATE_COLORS } from './SitesLayer.js';
import type { EnergyMapColouring } from './useEnergyColouring.js';
import { FIRMWARE_COLOUR_PARAM, FIRMWARE_SLOTS } from './firmware-colours.js';
import type { FirmwareMapColouring } from './useFirmwareColouring.js';
import type { RolloutColouring } from './useRolloutColouring.js';

const HEALTH = 'health';

/** What the map is coloured by: health, a rollout, or energy with its steps. */
export type ColourMode = { kind: 'health' } | { kind: 'rollout' } | { kind: 'energy'; steps: EnergySteps } | { kind: 'firmware' };

/** The colour of each palette slot in a mode: energy has its own, health and rollouts share the health palette. */
export function paletteOf(mode: ColourMode): Record<SiteState, string> {
  return mode.kind === 'energy' ? ENERGY_PALETTE : STATE_COLORS;
}

/** "under 10 kWh", "10–20 kWh", "30 kWh or more": the range of one energy step. */
function useEnergyStepLabel(): (step: number, steps: EnergySteps) => string {
  const { t, i18n } = useTranslation();
  return (step, steps) => {
    const kwh = (value: number) => axisNumber(value, i18n.language);
    if (step === 0) return t('energy.map.below', { to: kwh(steps[0] ?? 0) });
    if (step >= steps.length) return t('energy.map.above', { from: kwh(steps[steps.length - 1] ?? 0) });
    return t('energy.map.between', { from: kwh(steps[step - 1]!), to: kwh(steps[step]!) });
  };
}

/** The words for a palette slot: the health state, what it means in the chosen rollout, or the energy step it stands for. */
export function useStateLabel(mode: ColourMode): (state: SiteState) => string {
  const { t } = useTranslation();
  const stepLabel = useEnergyStepLabel();
  return (state) => {
    if (mode.kind === 'rollout') return t(`rollouts.map.legend.${state}`);
    if (mode.kind === 'firmware') return t(`firmwareRepo.map.legend.${state}`);
    if (mode.kind === 'energy') {
      const step = stepOfSlot(state);
      return step === null ? t('energy.map.noData') : stepLabel(step, mode.steps);
    }
    return t(`map.states.${state}`);
  };
}

/** "Colour by": health, energy per day, firmware compliance, or one of the rollouts offered. */
export function ColourBySelect({ colouring, energy, firmware }: { colouring: RolloutColouring; energy: EnergyMapColouring; firmware: FirmwareMapColouring }) {
  const { t } = useTranslation();
  const { offered, rolloutId, choose, refreshOffered } = colouring;
  const known = rolloutId === null || offered.some((rollout) => rollout.id === rolloutId);
  const value = energy.active ? ENERGY_COLOUR_PARAM : firmware.active ? FIRMWARE_COLOUR_PARAM : rolloutId === null ? HEALTH : colourParamOfRollout(rolloutId);
  return (
    <select
      aria-label={t('rollouts.map.colourBy')}
      title={t('rollouts.map.colourBy')}
      value={value}
      // Rollouts started since the page opened show up the next time the list is opened.
      onFocus={refreshOffered}
      onChange={(event) => {
        if (event.target.value === ENERGY_COLOUR_PARAM) energy.select();
        else if (event.target.value === FIRMWARE_COLOUR_PARAM) firmware.select();
        else choose(rolloutIdOfColourParam(event.target.value));
      }}
    >
      <option value={HEALTH}>{t('rollouts.map.health')}</option>
      <option value={ENERGY_COLOUR_PARAM}>{t('energy.map.option')}</option>
      <option value={FIRMWARE_COLOUR_PARAM}>{t('firmwareRepo.map.option')}</option>
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

/** The legend of the energy colouring: yesterday's kWh per step (as many steps as the fleet's figures need), then no data, each with how many sites show it. */
function EnergyLegend({ energy, counts }: { energy: EnergyColouring; counts: Record<SiteState, number> | null }) {
  const { t } = useTranslation();
  const stepLabel = useEnergyStepLabel();
  const slots = energy.steps.length === 0 ? [] : ENERGY_SLOTS.slice(0, energy.steps.length + 1);
  const count = (state: SiteState) =>
    counts ? (
      <>
        {' '}
        <span className="legend-count">{counts[state]}</span>
      </>
    ) : null;
  return (
    // One row under the title: the steps and no data; one line height, so Chinese and Latin labels sit level.
    <ul className="legend legend-energy" aria-label="legend" data-testid="map-legend" style={{ gridTemplateColumns: `repeat(${slots.length + 1}, auto)`, lineHeight: '18px' }}>
      <li className="legend-title" data-testid="legend-energy">
        {t('energy.map.title')}
      </li>
      {slots.map((state, step) => (
        <li key={state} data-testid={`legend-energy-${step + 1}`}>
          <span className="status-dot" style={{ background: ENERGY_PALETTE[state] }} />
          {stepLabel(step, energy.steps)}
          {count(state)}
        </li>
      ))}
      <li data-testid="legend-energy-none">
        <span className="status-dot" style={{ background: ENERGY_PALETTE.unknown }} />
        {t('energy.map.noData')}
        {count('unknown')}
      </li>
    </ul>
  );
}

/** The map's legend: health states, the chosen rollout's meaning of each colour, or energy steps, with how many sites show each. */
export function MapLegend({ rollout, energy, firmware, counts }: { rollout: RolloutDetail | null; energy: EnergyColouring | null; firmware: boolean; counts: Record<SiteState, number> | null }) {
  const { t } = useTranslation();
  const label = useStateLabel(firmware ? { kind: 'firmware' } : rollout !== null ? { kind: 'rollout' } : { kind: 'health' });
  if (energy) return <EnergyLegend energy={energy} counts={counts} />;
  return (
    <ul className="legend" aria-label="legend" data-testid="map-legend">
      {rollout ? (
        <li className="legend-title" data-testid="legend-rollout">
          {t('rollouts.map.rollout', { name: rollout.name })} · {t(`rollouts.states.${rollout.state}`)}
          {FOLLOWED_ROLLOUT_STATES.has(rollout.state) ? null : <span className="muted"> · {t('rollouts.map.ended')}</span>}
        </li>
      ) : null}
      {firmware ? (
        <li className="legend-title" data-testid="legend-firmware">
          {t('firmwareRepo.map.option')}
        </li>
      ) : null}
      {(firmware ? FIRMWARE_SLOTS : SITE_STATES).map((state: SiteState) => (
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
