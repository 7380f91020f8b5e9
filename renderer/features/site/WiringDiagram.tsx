import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetDevice, CabinetView } from '../../../shared/domain/cabinet.js';
import type { Alarm } from '../../../shared/domain/monitoring.js';
import { wiringView } from '../../../shared/domain/wiring.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { WiringAlarmList, WiringWhy } from './WiringAlarmList.js';
import { WiringLegend } from './WiringLegend.js';
import { WiringSection } from './WiringSection.js';
import { nodeNames } from './WiringText.js';
import './WiringDiagram.css';

/** Every alarm of the site, symptoms included: the path is drawn from the root to each of them. */
function useSiteAlarms(siteId: string) {
  const { client } = useApi();
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    client.alarms
      .list({ siteId, rootsOnly: false, limit: 1000 })
      .then((page) => {
        setAlarms(page.alarms);
        setError(null);
      })
      .catch((cause: unknown) => setError(toUiError(cause).message));
  }, [client, siteId]);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if ((event.type === 'alarm.changed' && (event.siteId === siteId || event.siteId === null)) || event.type === 'connection.restored') load();
  });
  return { alarms, error };
}

/**
 * The cabinet's power chain and network links beside its rack, with the
 * chosen (else the worst) alarm's cause, the alarms it explains and the
 * cables between them marked, so four alarms read as one problem.
 */
export function WiringDiagram({ cabinet, onOpen }: { cabinet: CabinetView; onOpen: (device: CabinetDevice) => void }) {
  const { t } = useTranslation();
  const { alarms, error } = useSiteAlarms(cabinet.cabinet.siteId);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const view = useMemo(() => wiringView(cabinet, alarms, selectedId), [cabinet, alarms, selectedId]);
  const names = useMemo(() => nodeNames(t, [...view.power.nodes, ...view.network.nodes]), [t, view]);
  const focusedId = view.focus?.root.id ?? null;
  return (
    <section className="card wiring" aria-labelledby="wiring-title" data-testid="wiring">
      <h2 id="wiring-title">{t('wiring.title')}</h2>
      <p className="muted small">{t('wiring.intro')}</p>
      <ErrorNotice message={error} />
      <div className="wiring-top">
        <WiringAlarmList roots={view.roots} selectedId={focusedId} onSelect={setSelectedId} />
        {view.focus ? <WiringWhy focus={view.focus} names={names} /> : null}
      </div>
      <WiringLegend />
      <WiringSection section={view.power} title={t('wiring.power')} hint={t('wiring.powerHint')} names={names} focus={view.focus} devices={cabinet.devices} onOpen={onOpen} />
      <WiringSection section={view.network} title={t('wiring.network')} hint={t('wiring.networkHint')} names={names} focus={view.focus} devices={cabinet.devices} onOpen={onOpen} />
    </section>
  );
}
