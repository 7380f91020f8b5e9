import L from 'leaflet';
import Supercluster from 'supercluster';
import { isProblem, worseState, type MapSite, type SiteState } from '../../../shared/domain/map.js';
import { wgs84ToGcj02 } from '../../../shared/domain/geo.js';
import { prepareOverlay } from './canvas-overlay.js';

export const STATE_COLORS: Record<SiteState, string> = {
  critical: '#e53935',
  unreachable: '#8e24aa',
  warning: '#fb8c00',
  stale: '#8d6e63',
  maintenance: '#1e88e5',
  ok: '#43a047',
  unknown: '#90a4ae',
};
/** Screen pixels between cluster centres; Leaflet's tiles are 256 pixels, not supercluster's default 512. */
const CLUSTER_RADIUS = 48;
const TILE_EXTENT = 256;
/** The largest cluster disc fits within the spacing, so neighbouring counts never hide each other. */
const MAX_CLUSTER_DISC = CLUSTER_RADIUS / 2;
/** Sites closer than a cluster radius still merge up to this zoom; beyond it every site stands alone. */
const MAX_CLUSTER_ZOOM = 15;
/** Below this many sites a full index is quick enough to build at once. */
const PROGRESSIVE_FROM = 20_000;

/** A fill (#rrggbb) light enough that a count on it is written dark, not white. */
function isLight(colour: string): boolean {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!match) return false;
  const [red, green, blue] = [match[1]!, match[2]!, match[3]!].map((part) => parseInt(part, 16) / 255) as [number, number, number];
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.65;
}

const DRAW_ORDER: SiteState[] = ['critical', 'unreachable', 'warning', 'stale', 'maintenance', 'ok', 'unknown'];

interface PointProps {
  index: number;
}

function clusterIndex(features: Supercluster.PointFeature<PointProps>[], maxZoom: number): Supercluster<PointProps> {
  return new Supercluster<PointProps>({ radius: CLUSTER_RADIUS, extent: TILE_EXTENT, maxZoom }).load(features);
}

export type SitesLayerHit = { kind: 'site'; site: MapSite } | { kind: 'cluster'; clusterId: number; latLng: L.LatLng; worst: SiteState; counts: Partial<Record<SiteState, number>> };

interface Drawn {
  x: number;
  y: number;
  r: number;
  hit: SitesLayerHit;
}

/**
 * Every site as a point on one canvas, clustered with supercluster. A cluster
 * is filled with the worst state among its members and ringed with a segment
 * per state, so a down site is never hidden inside a green cluster. Only the
 * visible clusters are drawn, once per view change or batch of updates.
 *
 * The index holds positions only: a state change does not re-index, it
 * re-counts the visible clusters' members (cached per cluster) on the next
 * redraw, so a stream of state changes costs a redraw now and then, not a rebuild.
 */
export class SitesLayer extends L.Layer {
  private canvas: HTMLCanvasElement | null = null;
  private sites: MapSite[] = [];
  private index: Supercluster<PointProps> | null = null;
  private readonly leaves = new Map<number, Int32Array>();
  private redrawTimer: ReturnType<typeof setTimeout> | null = null;
  private drawn: Drawn[] = [];
  private problemsOnly = false;
  private visible: (site: MapSite) => boolean = () => true;
  private datum: 'wgs84' | 'gcj02' = 'wgs84';
  private project: (site: MapSite) => [number, number] = (site) => [site[3], site[4]];
  private rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  /** The colour of each palette slot: the health colours, or another colouring's own (energy). */
  private palette: Record<SiteState, string> = STATE_COLORS;
  private cancelFullIndex: () => void = () => undefined;
  /** Main-thread time spent re-indexing and redrawing, for the map benchmark. */
  busyMs = 0;

  private drag: { site: MapSite; start: L.Point; at: L.LatLng | null } | null = null;

  constructor(
    private readonly onHit: (hit: SitesLayerHit) => void,
    /** A site dragged to a new place; the caller confirms before anything is saved. */
    private readonly onDrop: (site: MapSite, to: L.LatLng) => void = () => undefined,
  ) {
    super();
  }

  setSites(sites: MapSite[]): void {
    this.sites = sites;
    this.positionsById = null;
    this.rebuild();
  }

  /** Where each site sits in the list, built on the first update rather than delaying the first picture. */
  private positionsById: Map<string, number> | null = null;

  private positions(): Map<string, number> {
    if (!this.positionsById) {
      this.positionsById = new Map();
      this.sites.forEach((site, index) => this.positionsById!.set(site[0], index));
    }
    return this.positionsById;
  }

  /**
   * Updates one site. A new state only needs the clusters re-counted (one
   * redraw per burst); a new position or a new site needs the index rebuilt.
   */
  updateSite(site: MapSite): void {
    const started = performance.now();
    const position = this.positions().get(site[0]);
    const previous = position === undefined ? undefined : this.sites[position];
    const moved = !previous || previous[3] !== site[3] || previous[4] !== site[4];
    if (position === undefined) {
      this.positions().set(site[0], this.sites.length);
      this.sites.push(site);
    } else this.sites[position] = site;
    const filtered = this.problemsOnly && previous && isProblem(previous[6]) !== isProblem(site[6]);
    this.busyMs += performance.now() - started;
    if (moved || filtered) this.schedule('rebuild');
    else this.schedule('redraw');
  }

  private schedule(kind: 'rebuild' | 'redraw'): void {
    if (kind === 'rebuild' && !this.rebuildTimer) {
      this.rebuildTimer = setTimeout(() => {
        this.rebuildTimer = null;
        this.rebuild();
      }, 250);
    }
    if (kind === 'redraw' && !this.redrawTimer && !this.rebuildTimer) {
      this.redrawTimer = setTimeout(() => {
        this.redrawTimer = null;
        this.redraw();
      }, 250);
    }
  }

  setFilter(problemsOnly: boolean, visible: (site: MapSite) => boolean): void {
    this.problemsOnly = problemsOnly;
    this.visible = visible;
    this.rebuild();
  }

  /** Draws each slot in another colour (the slots, and so the clusters' order, stay); redraws at once when it changes. */
  setPalette(palette: Record<SiteState, string>): void {
    if (palette === this.palette) return;
    this.palette = palette;
    this.redraw();
  }

  /** Re-projects only when the datum changes: a rebuild of 100,000 sites is not free. */
  setDatum(datum: 'wgs84' | 'gcj02'): void {
    if (datum === this.datum) return;
    this.datum = datum;
    this.project = datum === 'gcj02' ? (site) => wgs84ToGcj02(site[3], site[4]) : (site) => [site[3], site[4]];
    this.rebuild();
  }

  /** Where a site is drawn on the current basemap (shifted for a GCJ-02 source), for flying to it. */
  positionOf(site: MapSite): [number, number] {
    return this.project(site);
  }

  siteList(): readonly MapSite[] {
    return this.sites;
  }

  /** The layer's current copy of one site (live updates land here first), or null. */
  site(id: string): MapSite | null {
    const position = this.positions().get(id);
    return position === undefined ? null : this.sites[position]!;
  }

  /**
   * A full index clusters every zoom from 15 down, and the zooms where
   * nothing merges cost a pass over every site each. With many sites the
   * zooms up to the one on screen are indexed first (a fraction of the work)
   * and drawn; the full index follows when the page is idle.
   */
  private rebuild(): void {
    const started = performance.now();
    this.cancelFullIndex();
    const features: Supercluster.PointFeature<PointProps>[] = [];
    this.sites.forEach((site, index) => {
      if (this.problemsOnly && !isProblem(site[6])) return;
      if (!this.visible(site)) return;
      const [latitude, longitude] = this.project(site);
      features.push({ type: 'Feature', properties: { index }, geometry: { type: 'Point', coordinates: [longitude, latitude] } });
    });
    const zoom = this._map ? Math.round(this._map.getZoom()) : MAX_CLUSTER_ZOOM;
    if (features.length >= PROGRESSIVE_FROM && zoom < MAX_CLUSTER_ZOOM - 1) {
      this.useIndex(clusterIndex(features, zoom));
      // When the page is idle, so the first picture and the rest of the screen come before the longer work.
      const idle = requestIdleCallback(
        () => {
          const fullStarted = performance.now();
          this.useIndex(clusterIndex(features, MAX_CLUSTER_ZOOM));
          // Ready before the first live update needs it.
          this.positions();
          this.busyMs += performance.now() - fullStarted;
          this.redraw();
        },
        { timeout: 1_000 },
      );
      this.cancelFullIndex = () => cancelIdleCallback(idle);
    } else {
      this.useIndex(clusterIndex(features, MAX_CLUSTER_ZOOM));
    }
    this.busyMs += performance.now() - started;
    this.redraw();
  }

  private useIndex(index: Supercluster<PointProps>): void {
    this.index = index;
    this.leaves.clear();
  }

  override onAdd(map: L.Map): this {
    this.canvas = L.DomUtil.create('canvas', 'sites-layer leaflet-zoom-hide') as HTMLCanvasElement;
    this.canvas.dataset.testid = 'sites-canvas';
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on('moveend zoomend resize', this.redraw, this);
    map.on('click', this.click, this);
    map.on('mousedown', this.dragStart, this);
    map.on('mousemove', this.dragMove, this);
    map.on('mouseup', this.dragEnd, this);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend zoomend resize', this.redraw, this);
    map.off('click', this.click, this);
    map.off('mousedown', this.dragStart, this);
    map.off('mousemove', this.dragMove, this);
    map.off('mouseup', this.dragEnd, this);
    this.canvas?.remove();
    this.canvas = null;
    return this;
  }

  /** Where each cluster and site was drawn, for tests and hit-testing. */
  drawnItems(): readonly Drawn[] {
    return this.drawn;
  }

  redraw = (): void => {
    const map = this._map as L.Map | undefined;
    const canvas = this.canvas;
    if (!map || !canvas || !this.index) return;
    const started = performance.now();
    const overlay = prepareOverlay(map, canvas);
    if (!overlay) return;
    const { context } = overlay;
    const bounds = map.getBounds();
    const west = Math.max(-180, bounds.getWest());
    const east = Math.min(180, bounds.getEast());
    const clusters = this.index.getClusters([west, Math.max(-85, bounds.getSouth()), east, Math.min(85, bounds.getNorth())], Math.round(map.getZoom()));
    const drawn: Drawn[] = [];
    const items = clusters.map((feature) => {
      const props = feature.properties as Partial<Supercluster.ClusterProperties> & Partial<PointProps>;
      if (props.cluster) {
        const { worst, counts } = this.tally(props.cluster_id!);
        return { feature, worst, counts, total: props.point_count! };
      }
      return { feature, worst: this.sites[props.index!]![6], counts: null, total: 1 };
    });
    // Draw problems last so they are on top.
    items.sort((a, b) => DRAW_ORDER.indexOf(b.worst) - DRAW_ORDER.indexOf(a.worst));
    for (const item of items) {
      const [longitude, latitude] = item.feature.geometry.coordinates as [number, number];
      const point = map.latLngToContainerPoint([latitude, longitude]);
      const props = item.feature.properties as Partial<Supercluster.ClusterProperties> & Partial<PointProps>;
      if (item.counts) {
        const r = Math.min(MAX_CLUSTER_DISC, 11 + Math.log2(item.total) * 1.3);
        this.drawCluster(context, point.x, point.y, r, item.worst, item.counts, item.total);
        drawn.push({ x: point.x, y: point.y, r, hit: { kind: 'cluster', clusterId: props.cluster_id!, latLng: L.latLng(latitude, longitude), worst: item.worst, counts: item.counts } });
      } else {
        const site = this.sites[props.index!]!;
        context.beginPath();
        context.arc(point.x, point.y, 7, 0, Math.PI * 2);
        context.fillStyle = this.palette[site[6]];
        context.fill();
        context.lineWidth = 2;
        context.strokeStyle = '#ffffff';
        context.stroke();
        drawn.push({ x: point.x, y: point.y, r: 9, hit: { kind: 'site', site } });
      }
    }
    if (this.drag?.at) {
      // The site being dragged, drawn where the pointer is, ringed to show it is not placed yet.
      const point = map.latLngToContainerPoint(this.drag.at);
      context.beginPath();
      context.arc(point.x, point.y, 9, 0, Math.PI * 2);
      context.fillStyle = this.palette[this.drag.site[6]];
      context.fill();
      context.setLineDash([3, 2]);
      context.lineWidth = 2;
      context.strokeStyle = '#1c2430';
      context.stroke();
      context.setLineDash([]);
    }
    this.drawn = drawn;
    canvas.dataset.drawn = String(drawn.length);
    this.busyMs += performance.now() - started;
  };

  /** Worst state and count per state of a cluster's members, from their current states. */
  private tally(clusterId: number): { worst: SiteState; counts: Partial<Record<SiteState, number>> } {
    let members = this.leaves.get(clusterId);
    if (!members) {
      members = Int32Array.from(this.index!.getLeaves(clusterId, Number.POSITIVE_INFINITY).map((leaf) => leaf.properties.index));
      this.leaves.set(clusterId, members);
    }
    const counts: Partial<Record<SiteState, number>> = {};
    let worst: SiteState = 'unknown';
    for (const member of members) {
      const state = this.sites[member]![6];
      counts[state] = (counts[state] ?? 0) + 1;
      worst = worseState(worst, state);
    }
    return { worst, counts };
  }

  private drawCluster(context: CanvasRenderingContext2D, x: number, y: number, r: number, worst: SiteState, counts: Partial<Record<SiteState, number>>, total: number): void {
    let angle = -Math.PI / 2;
    for (const state of DRAW_ORDER) {
      const count = counts[state] ?? 0;
      if (count === 0) continue;
      const sweep = (count / total) * Math.PI * 2;
      context.beginPath();
      context.arc(x, y, r, angle, angle + sweep);
      context.arc(x, y, r - 4, angle + sweep, angle, true);
      context.closePath();
      context.fillStyle = this.palette[state];
      context.fill();
      angle += sweep;
    }
    context.beginPath();
    context.arc(x, y, r - 5, 0, Math.PI * 2);
    context.fillStyle = this.palette[worst];
    context.fill();
    context.fillStyle = isLight(this.palette[worst]) ? '#1c2430' : '#ffffff';
    context.font = '600 12px system-ui, sans-serif';
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(total >= 1000 ? `${Math.round(total / 100) / 10}k` : String(total), x, y);
  }

  /** The topmost item drawn under a point (problems are drawn last, so they win). */
  private hitAt(point: L.Point, only?: SitesLayerHit['kind']): SitesLayerHit | null {
    for (let index = this.drawn.length - 1; index >= 0; index -= 1) {
      const item = this.drawn[index]!;
      if ((!only || item.hit.kind === only) && (item.x - point.x) ** 2 + (item.y - point.y) ** 2 <= item.r ** 2) return item.hit;
    }
    return null;
  }

  private dragStart(event: L.LeafletMouseEvent): void {
    const hit = this.hitAt(event.containerPoint, 'site');
    if (hit?.kind !== 'site') return;
    this.drag = { site: hit.site, start: event.containerPoint, at: null };
    this._map?.dragging.disable();
  }

  private dragMove(event: L.LeafletMouseEvent): void {
    if (!this.drag) return;
    if (!this.drag.at && event.containerPoint.distanceTo(this.drag.start) < 5) return;
    this.drag.at = event.latlng;
    this.redraw();
  }

  private dragEnd(): void {
    const drag = this.drag;
    this.drag = null;
    this._map?.dragging.enable();
    if (!drag?.at) return;
    this.suppressClick = true;
    this.redraw();
    this.onDrop(drag.site, drag.at);
  }

  private suppressClick = false;

  private click(event: L.LeafletMouseEvent): void {
    if (this.suppressClick) {
      this.suppressClick = false;
      return;
    }
    const hit = this.hitAt(event.containerPoint);
    if (hit) this.onHit(hit);
  }

  expansionZoom(clusterId: number): number {
    return this.index?.getClusterExpansionZoom(clusterId) ?? 10;
  }
}
