import { useEffect, useState } from 'react';
import type { AppRelease, AppSummary, ParameterValue } from '../../../shared/domain/apps.js';
import { useApi } from '../../api/context.js';

/**
 * Picking a release to deploy: the repository's apps, the chosen app's
 * releases, the chosen version (`initial` picks one when the app changes),
 * and its parameters starting from the manifest's defaults.
 */
export function useReleaseChoice(initial: (releases: readonly AppRelease[]) => string) {
  const { client } = useApi();
  const [apps, setApps] = useState<AppSummary[]>([]);
  const [appId, setAppId] = useState('');
  const [releases, setReleases] = useState<AppRelease[]>([]);
  const [version, setVersion] = useState('');
  const [values, setValues] = useState<Record<string, ParameterValue>>({});

  useEffect(() => {
    client.apps.list().then(setApps, () => setApps([]));
  }, [client]);
  useEffect(() => {
    if (!appId) return setReleases([]);
    client.apps.releases({ appId }).then((list) => {
      setReleases(list);
      setVersion(initial(list));
    }, () => setReleases([]));
    // `initial` is a choice rule, not data: a new function each render must not fetch again.
  }, [client, appId]);
  const release = releases.find((each) => each.version === version) ?? null;
  useEffect(() => {
    setValues(Object.fromEntries((release?.manifest.parameters ?? []).map((parameter) => [parameter.key, parameter.default])));
  }, [release]);
  return { apps, appId, setAppId, releases, version, setVersion, release, values, setValues };
}
