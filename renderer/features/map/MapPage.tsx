import { LabOffer } from '../lab/LabPage.js';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { SITE_STATES, type MapSite, type OnlineTilesStatus, type SiteState, type TilePackage } from '../../../shared/domain/map.js';
import type { z } from 'zod';
import type { Site } from '../../../shared/domain/site.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ageText, useNow } from '../../components/age.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useRegions } from '../regions/useRegions.js';
import { SiteFormDialog } from '../sites/SiteFormDialog.js';
import { WorldBasemap } from './basemap.js';
import { SitesLayer, type SitesLayerHit } from './SitesLayer.js';
import { loadMapSites } from './prefetch.js';
import { vectorTileLayer } from './vectorLayer.js';
import { RegionOptions } from '../regions/RegionOptions.js';
import { useCan, useCanAt } from '../auth/access.js';
import { ColourBySelect, MapLegend, paletteOf, useStateLabel, type ColourMode } from './ColourBy.js';
import { colourCounts, recoloured, shownState } from './rollout-colours.js';
import { useRolloutColouring } from './useRolloutColouring.js';
import { useEnergyColouring } from './useEnergyColouring.js';
import { useFirmwareColouring } from './useFirmwareColouring.js';
import { kwhNumber } from '../energy/energy-format.js';
import { siteDetailText, siteStateLabel } from '../rollouts/rollout-text.js';

type Mode = { kind: 'browse' } | { kind: 'place' } | { kind: 'move'; site: MapSite };

/** A point on the map as site coordinates: longitude wrapped into −180…180, both to six decimals (about 0.1 m). */
function coordinatesOf(point: L.LatLng): { latitude: number; longitude: number } {
  return { latitude: Math.round(point.lat * 1e6) / 1e6, longitude: Math.round(L.Util.wrapNum(point.lng, [-180, 180], true) * 1e6) / 1e6 };
}

declare global {
  interface Window {
    /** Read-only handle for end-to-end tests and the map benchmark. */
    edgecabMap?: { map: L.Map; layer: SitesLayer };
  }
}

function OnlineTilesDialog({
  current,
  onClose,
  onSaved,
}: {
  current: z.infer<typeof OnlineTilesStatus> | null;
  onClose: () => void;
  onSaved: (status: z.infer<typeof OnlineTilesStatus>) => void;
}) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [url, setUrl] = useState(current?.urlTemplate ?? '');
  const [datum, setDatum] = useState<'wgs84' | 'gcj02'>(current?.datum ?? 'wgs84');
  const [size, setSize] = useState(String(current?.maxCacheMb ?? 512));
  const [error, setError] = useState<string | null>(null);
  const save = (urlTemplate: string | null) => {
    client.tiles.configureOnline({ urlTemplate, datum, maxCacheMb: Number(size) }).then(onSaved, (cause: unknown) => {
      const uiError = toUiError(cause);
      setError(Object.values(uiError.fields)[0]?.message ?? uiError.message);
    });
  };
  return (
    <Dialog title={t('map.onlineTitle')} onClose={onClose}>
      <p className="muted">{t('map.onlineIntro')}</p>
      <div className="form-grid">
        <div className="field span-2">
          <label htmlFor="online-url">{t('map.urlTemplate')}</label>
          <input id="online-url" value={url} onChange={(event) => setUrl(event.target.value)} />
          <div className="field-hint">{t('map.urlHint')}</div>
        </div>
        <div className="field">
          <label htmlFor="online-datum">{t('map.datum')}</label>
          <select id="online-datum" value={datum} onChange={(event) => setDatum(event.target.value as 'wgs84' | 'gcj02')}>
            <option value="wgs84">{t('map.wgs84')}</option>
            <option value="gcj02">{t('map.gcj02')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="online-size">{t('map.cacheSize')}</label>
          <input id="online-size" inputMode="numeric" value={size} onChange={(event) => setSize(event.target.value)} />
        </div>
      </div>
      {current ? <p className="muted small">{t('map.cached', { count: current.cachedTiles, size: (current.cachedBytes / 1024 / 1024).toFixed(1) })}</p> : null}
      <ErrorNotice message={error} />
      <footer className="dialog-actions">
        {current?.urlTemplate ? (
          <button type="button" onClick={() => save(null)}>
            {t('map.removeOnline')}
          </button>
        ) : null}
        <button type="button" className="primary" onClick={() => save(url.trim() || null)}>
          {t('map.saveOnline')}
        </button>
      </footer>
    </Dialog>
  );
}

export function MapPage() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const navigate = useNavigate();
  const now = useNow();
  const { regions } = useRegions();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const layerRef = useRef<SitesLayer | null>(null);
  const tileLayerRef = useRef<L.Layer | null>(null);
  const modeRef = useRef<Mode>({ kind: 'browse' });
  const [mode, setModeState] = useState<Mode>({ kind: 'browse' });
  const [selected, setSelected] = useState<SitesLayerHit | null>(null);
  const [sites, setSites] = useState<readonly MapSite[]>([]);
  const [sitesLoaded, setSitesLoaded] = useState(false);
  const [search, setSearch] = useState('');
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [regionId, setRegionId] = useState<number | null>(null);
  const [packages, setPackages] = useState<TilePackage[]>([]);
  const [basemap, setBasemap] = useState<string>('builtin');
  const [datum, setDatum] = useState<'wgs84' | 'gcj02'>('wgs84');
  const [online, setOnline] = useState<z.infer<typeof OnlineTilesStatus> | null>(null);
  const [editingOnline, setEditingOnline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [placing, setPlacing] = useState<{ latitude: number; longitude: number } | null>(null);
  const [moving, setMoving] = useState<{ site: MapSite; latitude: number; longitude: number } | null>(null);
  const colouring = useRolloutColouring();
  const energy = useEnergyColouring();
  const firmware = useFirmwareColouring();
  // Energy per day, firmware compliance or a rollout (never two: one address parameter chooses), else health.
  const colours = energy.colouring?.colours ?? firmware.colouring?.colours ?? colouring.colours;
  const colourMode: ColourMode = energy.colouring ? { kind: 'energy', steps: energy.colouring.steps } : firmware.colouring ? { kind: 'firmware' } : colours !== null ? { kind: 'rollout' } : { kind: 'health' };
  const palette = paletteOf(colourMode);
  /**
   * Every site's health as last read, kept apart from what the layer draws:
   * coloured by a rollout, the layer holds recoloured copies, and going back
   * to health must find the live health updates that arrived meanwhile.
   */
  const healthRef = useRef<Map<string, MapSite>>(new Map());
  /** The colours the layer was last given, for the live callbacks (which outlive a render). */
  const coloursRef = useRef<ReadonlyMap<string, SiteState> | null>(null);
  const stateLabel = useStateLabel(colourMode);
  // Placing a site creates one (administrator somewhere); basemap sources are global settings; moving needs administrator on the site's region.
  const canPlace = useCan('administrator', 'anywhere');
  const canConfigure = useCan('administrator', 'everywhere');
  const canAt = useCanAt();
  const setMode = (next: Mode) => {
    modeRef.current = next;
    setModeState(next);
  };

  useEffect(() => {
    if (!container.current) return;
    const map = L.map(container.current, { preferCanvas: true, worldCopyJump: true, minZoom: 2, maxZoom: 18 }).setView([33, 108], 4);
    new WorldBasemap().addTo(map);
    const layer = new SitesLayer((hit) => {
      if (modeRef.current.kind !== 'browse') return;
      if (hit.kind === 'cluster') map.flyTo(hit.latLng, Math.min(layer.expansionZoom(hit.clusterId), 16), { duration: 0.4 });
      setSelected(hit);
    }, (site, to) => setMoving({ site, ...coordinatesOf(to) })).addTo(map);
    map.on('click', (event: L.LeafletMouseEvent) => {
      const current = modeRef.current;
      if (current.kind === 'place') setPlacing(coordinatesOf(event.latlng));
      if (current.kind === 'move') setMoving({ site: current.site, ...coordinatesOf(event.latlng) });
    });
    mapRef.current = map;
    layerRef.current = layer;
    window.edgecabMap = { map, layer };
    return () => {
      map.remove();
      mapRef.current = null;
      layerRef.current = null;
      delete window.edgecabMap;
    };
  }, []);

  const loadSites = () => {
    loadMapSites(client).then(
      (result) => {
        healthRef.current = new Map(result.sites.map((site) => [site[0], site]));
        layerRef.current?.setSites(result.sites.map((site) => recoloured(site, coloursRef.current)));
        setSites(result.sites);
        setSitesLoaded(true);
      },
      (cause: unknown) => setError(toUiError(cause).message),
    );
  };
  useEffect(loadSites, [client]);
  useEffect(() => {
    client.tiles.list().then(setPackages, (cause: unknown) => setError(toUiError(cause).message));
    client.tiles.online().then(setOnline, () => undefined);
  }, [client]);

  // Live: only the changed site is fetched and updated; the layer batches redraws.
  useLiveEvents((event) => {
    if (event.type === 'site.changed' && event.siteId && event.change !== 'deleted') {
      client.map.site({ id: event.siteId }).then(
        (site) => {
          healthRef.current.set(site[0], site);
          layerRef.current?.updateSite(recoloured(site, coloursRef.current));
          // A new site changes the count and the search list: give React the health list anew (rare, so the copy is fine).
          if (event.change === 'created') setSites([...healthRef.current.values()]);
          // An open card shows the site as it is now.
          setSelected((current) => (current?.kind === 'site' && current.site[0] === site[0] ? { kind: 'site', site } : current));
        },
        () => undefined,
      );
    } else if (event.type === 'site.changed' || event.type === 'connection.restored') loadSites();
  });

  // The energy colouring draws its slots in its own colours; set before the sites are recoloured, so one redraw shows both.
  useEffect(() => {
    layerRef.current?.setPalette(palette);
  }, [palette]);
  // Colour by health, by the chosen rollout or by energy. Switching redraws every site at once; a rollout read again touches only the sites whose colour moved.
  useEffect(() => {
    const previous = coloursRef.current;
    coloursRef.current = colours;
    const layer = layerRef.current;
    if (!layer || previous === colours) return;
    const health = healthRef.current.values();
    if (previous === null || colours === null) {
      layer.setSites(Array.from(health, (site) => recoloured(site, colours)));
      return;
    }
    for (const site of health) {
      if (shownState(site, previous) !== shownState(site, colours)) layer.updateSite(recoloured(site, colours));
    }
  }, [colours]);
  const legendCounts = useMemo(() => (colours === null ? null : colourCounts(healthRef.current.values(), colours)), [colours, sites]);

  const subtree = useMemo(() => {
    if (regionId === null) return null;
    const ids = new Set<number>([regionId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const region of regions) {
        if (region.parentId !== null && ids.has(region.parentId) && !ids.has(region.id)) {
          ids.add(region.id);
          grew = true;
        }
      }
    }
    return ids;
  }, [regionId, regions]);
  useEffect(() => {
    layerRef.current?.setFilter(problemsOnly, (site) => subtree === null || (site[5] !== null && subtree.has(site[5])));
  }, [problemsOnly, subtree]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    tileLayerRef.current?.remove();
    tileLayerRef.current = null;
    const chosen = packages.find((each) => each.id === basemap);
    if (basemap === 'online' && online?.urlTemplate) {
      tileLayerRef.current = L.tileLayer('/tiles/online/{z}/{x}/{y}', { maxZoom: 18, zIndex: 1 }).addTo(map);
    }
    if (chosen?.format === 'mvt') {
      tileLayerRef.current = vectorTileLayer(chosen.id, chosen.maxZoom, chosen.attribution).addTo(map);
    } else if (chosen) {
      tileLayerRef.current = L.tileLayer(`/tiles/${chosen.id}/{z}/{x}/{y}.${chosen.format}`, {
        minZoom: 0,
        maxNativeZoom: chosen.maxZoom,
        attribution: chosen.attribution ?? undefined,
        zIndex: 1,
        ...(chosen.bounds ? { bounds: L.latLngBounds([chosen.bounds[1], chosen.bounds[0]], [chosen.bounds[3], chosen.bounds[2]]) } : {}),
      }).addTo(map);
    }
    const gcj02 = basemap === 'online' ? online?.datum === 'gcj02' : chosen?.datum === 'gcj02';
    layerRef.current?.setDatum(gcj02 ? 'gcj02' : 'wgs84');
  }, [basemap, packages, online]);

  const matches = useMemo(() => {
    const query = search.trim().toLowerCase();
    if (query.length < 2) return [];
    return sites.filter((site) => site[1].toLowerCase().includes(query) || site[2].toLowerCase().includes(query)).slice(0, 8);
  }, [search, sites]);
  const flyTo = (site: MapSite) => {
    // The marker sits where the basemap's datum puts it: fly there, not to the stored WGS-84 point.
    mapRef.current?.flyTo(layerRef.current?.positionOf(site) ?? [site[3], site[4]], 14, { duration: 0.6 });
    setSelected({ kind: 'site', site });
    setSearch('');
  };

  const importTiles = async (file: File) => {
    setNotice(t('map.importing'));
    try {
      const imported = await client.tiles.import({ file, name: '', datum });
      setPackages((current) => [...current, imported]);
      setBasemap(imported.id);
      setNotice(t('map.imported', { name: imported.name, count: imported.tileCount }));
      if (imported.bounds) mapRef.current?.fitBounds([[imported.bounds[1], imported.bounds[0]], [imported.bounds[3], imported.bounds[2]]]);
    } catch (cause) {
      setNotice(null);
      setError(toUiError(cause).message);
    }
  };

  // The card shows the site as it is now (live updates land in the health list first), coloured from this render's colours:
  // the layer takes new colours only after the render, in an effect.
  const selectedHealth = selected?.kind === 'site' ? (healthRef.current.get(selected.site[0]) ?? selected.site) : null;
  const selectedSite = selectedHealth ? recoloured(selectedHealth, colours) : null;
  const selectedRolloutSite = selectedSite && colours !== null && !energy.colouring && !firmware.colouring ? (colouring.detail?.sites.find((site) => site.siteId === selectedSite[0]) ?? null) : null;
  // Coloured by energy: the site's own kWh of yesterday, not only the step it falls in.
  const selectedKwh = selectedSite && energy.colouring ? energy.colouring.kwh.get(selectedSite[0]) : undefined;
  const selectedEnergyText = selectedSite && energy.colouring ? (selectedKwh === undefined ? t('energy.map.cardNoData') : t('energy.map.cardKwh', { value: kwhNumber(selectedKwh, i18n.language) })) : null;
  const selectedCompliance = selectedSite && firmware.colouring ? firmware.colouring.counts.get(selectedSite[0]) : undefined;
  const selectedFirmwareText = selectedCompliance ? t('firmwareRepo.map.card', selectedCompliance) : null;
  return (
    <section className="page map-page" aria-labelledby="map-title">
      <header className="page-header">
        <div>
          <h1 id="map-title">{t('map.title')}</h1>
          <p className="muted" data-testid="map-count">
            {t('map.siteCount', { count: sites.length })}
          </p>
        </div>
        <div className="page-actions">
          {mode.kind === 'browse' ? (
            canPlace ? (
              <button type="button" onClick={() => setMode({ kind: 'place' })}>
                {t('map.placeSite')}
              </button>
            ) : null
          ) : (
            <button type="button" onClick={() => setMode({ kind: 'browse' })}>
              {t('map.cancel')}
            </button>
          )}
        </div>
      </header>
      {sitesLoaded && sites.length === 0 ? <LabOffer /> : null}
      <div className="toolbar map-toolbar">
        <div className="search-box">
          <input type="search" className="search" aria-label={t('map.search')} placeholder={t('map.search')} value={search} onChange={(event) => setSearch(event.target.value)} />
          {matches.length > 0 ? (
            <ul className="suggestions" role="listbox" aria-label={t('map.search')}>
              {matches.map((site) => (
                <li key={site[0]}>
                  <button type="button" role="option" aria-selected={false} onClick={() => flyTo(site)}>
                    <span className="status-dot" style={{ background: palette[shownState(site, colours)] }} />
                    {site[2]} <span className="muted">{site[1]}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <select aria-label={t('sites.regionFilter')} value={regionId ?? ''} onChange={(event) => setRegionId(event.target.value ? Number(event.target.value) : null)}>
          <option value="">{t('map.allRegions')}</option>
          <RegionOptions regions={regions} />
        </select>
        <ColourBySelect colouring={colouring} energy={energy} firmware={firmware} />
        <label className="checkbox">
          <input type="checkbox" checked={problemsOnly} onChange={(event) => setProblemsOnly(event.target.checked)} />
          {t('map.problemsOnly')}
        </label>
        <select aria-label={t('map.basemap')} value={basemap} onChange={(event) => setBasemap(event.target.value)}>
          <option value="builtin">{t('map.builtIn')}</option>
          {online?.urlTemplate ? <option value="online">{t('map.online')}</option> : null}
          {packages.map((each) => (
            <option key={each.id} value={each.id}>
              {each.name}
              {each.datum === 'gcj02' ? ' (GCJ-02)' : ''}
            </option>
          ))}
        </select>
        <select aria-label={t('map.datum')} value={datum} onChange={(event) => setDatum(event.target.value as 'wgs84' | 'gcj02')}>
          <option value="wgs84">{t('map.wgs84')}</option>
          <option value="gcj02">{t('map.gcj02')}</option>
        </select>
        {canConfigure ? (
          <button type="button" onClick={() => setEditingOnline(true)}>
            {t('map.onlineSettings')}
          </button>
        ) : null}
        {canConfigure ? (
          <label className="button">
            {t('map.importTiles')}
            <input
              type="file"
              accept=".mbtiles,.pmtiles"
              className="visually-hidden"
              data-testid="tiles-file"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void importTiles(file);
                event.target.value = '';
              }}
            />
          </label>
        ) : null}
      </div>
      <ErrorNotice message={error} />
      <ErrorNotice message={colouring.error} />
      <ErrorNotice message={energy.error} />
      <ErrorNotice message={firmware.error} />
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      {mode.kind !== 'browse' ? (
        <div className="notice notice-warn" role="status">
          {mode.kind === 'place' ? t('map.placeHint') : t('map.moveHint', { name: mode.site[2] })}
        </div>
      ) : null}
      <div className="map-wrap">
        <div ref={container} className={`map${mode.kind !== 'browse' ? ' map-picking' : ''}`} data-testid="map" />
        <MapLegend rollout={colours === null || energy.colouring || firmware.colouring ? null : colouring.detail} energy={energy.colouring} firmware={firmware.colouring !== null} counts={legendCounts} />
        {selected ? (
          <aside className="card site-card" data-testid="site-card" aria-label={selectedSite ? selectedSite[2] : t('map.cluster', { count: 0 })}>
            <button type="button" className="icon-button close" aria-label={t('common.close')} onClick={() => setSelected(null)}>
              ×
            </button>
            {selectedSite ? (
              <>
                <h2>{selectedSite[2]}</h2>
                <p className="muted">{selectedSite[1]}</p>
                <p>
                  <span className="status-dot" style={{ background: palette[selectedSite[6]] }} />
                  <strong data-testid="site-card-state">{selectedRolloutSite ? siteStateLabel(t, selectedRolloutSite) : (selectedEnergyText ?? selectedFirmwareText ?? stateLabel(selectedSite[6]))}</strong>
                </p>
                {selectedRolloutSite?.detail ? (
                  <p className="muted small" data-testid="site-card-rollout-detail">
                    {siteDetailText(t, i18n.language, selectedRolloutSite)}
                  </p>
                ) : null}
                <dl className="facts">
                  {colours !== null && selectedHealth ? (
                    <div>
                      <dt>{t('rollouts.map.health')}</dt>
                      <dd data-testid="site-card-health">{t(`map.states.${selectedHealth[6]}`)}</dd>
                    </div>
                  ) : null}
                  <div>
                    <dt>{t('map.lastSeen')}</dt>
                    <dd>{ageText(t, selectedSite[7], now)}</dd>
                  </div>
                  <div>
                    <dt>{t('map.openAlarms')}</dt>
                    <dd className="muted small">{t('map.noAlarmData')}</dd>
                  </div>
                </dl>
                <div className="page-actions">
                  <button type="button" className="primary" onClick={() => void navigate(`/sites/${selectedSite[0]}`)}>
                    {t('map.openCabinet')}
                  </button>
                  {canAt('administrator', selectedSite[5]) ? (
                    <button type="button" onClick={() => setMode({ kind: 'move', site: selectedSite })}>
                      {t('map.moveOnMap')}
                    </button>
                  ) : null}
                </div>
              </>
            ) : selected.kind === 'cluster' ? (
              <>
                <h2>{t('map.cluster', { count: Object.values(selected.counts).reduce((sum, count) => sum + (count ?? 0), 0) })}</h2>
                <ul className="cluster-counts" data-testid="cluster-counts">
                  {SITE_STATES.filter((state) => selected.counts[state]).map((state) => (
                    <li key={state}>
                      <span className="status-dot" style={{ background: palette[state] }} />
                      {stateLabel(state)}: {selected.counts[state]}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </aside>
        ) : null}
      </div>
      {placing ? (
        <SiteFormDialog
          site={null}
          initial={placing}
          regions={regions}
          onClose={() => {
            setPlacing(null);
            setMode({ kind: 'browse' });
          }}
          onSaved={(site: Site) => {
            setPlacing(null);
            setMode({ kind: 'browse' });
            setNotice(t('sites.created', { code: site.code }));
          }}
        />
      ) : null}
      {editingOnline ? (
        <OnlineTilesDialog
          current={online}
          onClose={() => setEditingOnline(false)}
          onSaved={(status) => {
            setOnline(status);
            setEditingOnline(false);
            setBasemap(status.urlTemplate ? 'online' : 'builtin');
          }}
        />
      ) : null}
      {moving ? (
        <Dialog title={t('map.moveOnMap')} onClose={() => setMoving(null)}>
          <p>{t('map.moveConfirm', { name: moving.site[2], latitude: moving.latitude, longitude: moving.longitude })}</p>
          <footer className="dialog-actions">
            <button type="button" onClick={() => setMoving(null)}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                const target = moving;
                setMoving(null);
                setMode({ kind: 'browse' });
                client.sites.update({ id: target.site[0], latitude: target.latitude, longitude: target.longitude }).then(
                  () => setNotice(t('map.moved', { name: target.site[2] })),
                  (cause: unknown) => setError(toUiError(cause).message),
                );
              }}
            >
              {t('common.confirm')}
            </button>
          </footer>
        </Dialog>
      ) : null}
    </section>
  );
}
