import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Baseline, BaselineScope, BaselineTarget, FirmwarePackage } from '../../../shared/domain/firmware-repository.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';

/** What a target can be, by kind: cabinet models, regions, sites (the ones the compliance overview shows). */
export interface TargetChoices {
  template: { id: string; name: string }[];
  region: { id: string; name: string }[];
  site: { id: string; name: string }[];
}

interface Draft {
  id: number | null;
  name: string;
  packageIds: string[];
  targets: (BaselineTarget & { name: string })[];
}

const EMPTY: Draft = { id: null, name: '', packageIds: [], targets: [] };

/** Baselines: each with its packages and targets; one form creates or changes one. */
export function BaselinesPanel({ baselines, packages, choices, canManage, onChanged }: { baselines: Baseline[] | null; packages: FirmwarePackage[]; choices: TargetChoices; canManage: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const remove = (id: number) => {
    setError(null);
    client.firmware.removeBaseline({ id }).then(onChanged, (cause: unknown) => setError(toUiError(cause).message));
  };
  return (
    <div className="firmware-panel" data-testid="firmware-baselines">
      <section className="card scroll-x">
        <div className="firmware-section-head">
          <h2>{t('firmwareRepo.baselines.title')}</h2>
          {canManage && draft === null ? (
            <button type="button" onClick={() => setDraft(EMPTY)}>
              {t('firmwareRepo.baselines.newTitle')}
            </button>
          ) : null}
        </div>
        <p className="muted small">{t('firmwareRepo.baselines.hint')}</p>
        <ErrorNotice message={error} />
        {saved ? (
          <p className="notice" role="status">
            {t('firmwareRepo.baselines.saved', { name: saved })}
          </p>
        ) : null}
        {baselines && baselines.length === 0 ? <p className="empty">{t('firmwareRepo.baselines.empty')}</p> : null}
        {baselines && baselines.length > 0 ? (
          <table className="simple-table" data-testid="firmware-baseline-list">
            <thead>
              <tr>
                <th>{t('firmwareRepo.baselines.name')}</th>
                <th>{t('firmwareRepo.baselines.packages')}</th>
                <th>{t('firmwareRepo.baselines.targets')}</th>
                {canManage ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {baselines.map((baseline) => (
                <tr key={baseline.id} data-testid={`firmware-baseline-${baseline.id}`}>
                  <td>{baseline.name}</td>
                  <td>
                    {baseline.packages.map((item) => (
                      <div key={item.id}>
                        {item.vendor} {item.component} <span className="mono">{item.version}</span> <span className="muted">({item.models.join(', ')})</span>
                      </div>
                    ))}
                  </td>
                  <td>{baseline.targets.length === 0 ? <span className="muted">{t('firmwareRepo.baselines.noTargets')}</span> : baseline.targets.map((target) => `${t(`firmwareRepo.baselines.scopes.${target.scope}`)}: ${target.name}`).join('; ')}</td>
                  {canManage ? (
                    <td className="nowrap">
                      <button type="button" className="secondary" onClick={() => setDraft({ id: baseline.id, name: baseline.name, packageIds: baseline.packages.map((item) => item.id), targets: baseline.targets })}>
                        {t('firmwareRepo.baselines.edit')}
                      </button>{' '}
                      <button type="button" className="secondary" onClick={() => remove(baseline.id)}>
                        {t('firmwareRepo.baselines.remove')}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {draft ? (
        <BaselineForm
          initial={draft}
          packages={packages}
          choices={choices}
          onCancel={() => setDraft(null)}
          onSaved={(baseline) => {
            setDraft(null);
            setSaved(baseline.name);
            onChanged();
          }}
        />
      ) : null}
    </div>
  );
}

function BaselineForm({ initial, packages, choices, onCancel, onSaved }: { initial: Draft; packages: FirmwarePackage[]; choices: TargetChoices; onCancel: () => void; onSaved: (baseline: Baseline) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [draft, setDraft] = useState<Draft>(initial);
  const [scope, setScope] = useState<BaselineScope>('template');
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const options = choices[scope];
  useEffect(() => setTarget(options[0]?.id ?? ''), [scope, options]);

  const toggle = (id: string) => setDraft((current) => ({ ...current, packageIds: current.packageIds.includes(id) ? current.packageIds.filter((item) => item !== id) : [...current.packageIds, id] }));
  const addTarget = () => {
    const chosen = options.find((option) => option.id === target);
    if (!chosen || draft.targets.some((item) => item.scope === scope && item.id === chosen.id)) return;
    setDraft((current) => ({ ...current, targets: [...current.targets, { scope, id: chosen.id, name: chosen.name }] }));
  };
  const save = () => {
    setError(null);
    const input = { name: draft.name, packageIds: draft.packageIds, targets: draft.targets.map(({ scope: kind, id }) => ({ scope: kind, id })) };
    (draft.id === null ? client.firmware.createBaseline(input) : client.firmware.updateBaseline({ id: draft.id, ...input })).then(onSaved, (cause: unknown) => setError(toUiError(cause).message));
  };
  return (
    <section className="card" data-testid="firmware-baseline-form">
      <h2>{draft.id === null ? t('firmwareRepo.baselines.newTitle') : t('firmwareRepo.baselines.editTitle', { name: initial.name })}</h2>
      <div className="firmware-form">
        <label htmlFor="baseline-name">{t('firmwareRepo.baselines.name')}</label>
        <input id="baseline-name" value={draft.name} maxLength={80} onChange={(event) => setDraft({ ...draft, name: event.target.value })} />
      </div>
      <fieldset className="firmware-fieldset">
        <legend>{t('firmwareRepo.baselines.choosePackages')}</legend>
        {packages.map((item) => (
          <label key={item.id} className="checkbox">
            <input type="checkbox" checked={draft.packageIds.includes(item.id)} onChange={() => toggle(item.id)} />
            {item.description.vendor} {item.description.component} <span className="mono">{item.description.version}</span> <span className="muted">({item.description.appliesTo.models.join(', ')})</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="firmware-fieldset">
        <legend>{t('firmwareRepo.baselines.targets')}</legend>
        <ul className="firmware-targets">
          {draft.targets.map((item) => {
            const label = `${t(`firmwareRepo.baselines.scopes.${item.scope}`)}: ${item.name}`;
            return (
              <li key={`${item.scope}:${item.id}`}>
                {label}{' '}
                <button type="button" className="link-button" aria-label={t('firmwareRepo.baselines.removeTarget', { name: label })} onClick={() => setDraft({ ...draft, targets: draft.targets.filter((other) => other !== item) })}>
                  ✕
                </button>
              </li>
            );
          })}
        </ul>
        <div className="firmware-target-row">
          <label>
            {t('firmwareRepo.baselines.scope')}{' '}
            <select value={scope} onChange={(event) => setScope(event.target.value as BaselineScope)}>
              {(['template', 'region', 'site'] as const).map((kind) => (
                <option key={kind} value={kind}>
                  {t(`firmwareRepo.baselines.scopes.${kind}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('firmwareRepo.baselines.target')}{' '}
            <select value={target} onChange={(event) => setTarget(event.target.value)}>
              {options.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="secondary" onClick={addTarget} disabled={!target}>
            {t('firmwareRepo.baselines.addTarget')}
          </button>
        </div>
      </fieldset>
      <ErrorNotice message={error} />
      <div className="firmware-actions">
        <button type="button" onClick={save}>
          {t('firmwareRepo.baselines.save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('firmwareRepo.baselines.cancel')}
        </button>
      </div>
    </section>
  );
}
