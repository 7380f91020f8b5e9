import L from 'leaflet';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { prepareOverlay } from './canvas-overlay.js';

type Countries = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;
type Ring = number[][];

interface Shape {
  path: Path2D;
  /** Bounds in world pixels at zoom 0: [minX, minY, maxX, maxY]. */
  box: [number, number, number, number];
}

interface Detail {
  land: Shape[];
  borders: Shape[];
}

/** Web Mercator at zoom 0: the world is 256 × 256 pixels. */
function project([longitude, latitude]: number[]): [number, number] {
  const clamped = Math.max(-85.0511, Math.min(85.0511, latitude!));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return [((longitude! + 180) / 360) * 256, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * 256];
}

function shape(rings: Ring[], close: boolean): Shape {
  const path = new Path2D();
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings) {
    ring.forEach((coordinate, index) => {
      const [x, y] = project(coordinate);
      if (index === 0) path.moveTo(x, y);
      else path.lineTo(x, y);
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    });
    if (close) path.closePath();
  }
  return { path, box };
}

/** Projects the Natural Earth topology once into cached Path2D shapes, one per polygon or border line. */
function prepare(data: unknown): Detail {
  const topology = data as Countries;
  const landCollection = feature(topology, topology.objects.land) as unknown as { features: { geometry: { type: string; coordinates: Ring[] | Ring[][] } }[] };
  const land: Shape[] = [];
  for (const item of landCollection.features) {
    const polygons = item.geometry.type === 'Polygon' ? [item.geometry.coordinates as Ring[]] : (item.geometry.coordinates as Ring[][]);
    for (const polygon of polygons) land.push(shape(polygon, true));
  }
  const borderGeometry = mesh(topology, topology.objects.countries, (a, b) => a !== b) as unknown as { coordinates: Ring[] };
  const borders = borderGeometry.coordinates.map((line) => shape([line], false));
  return { land, borders };
}

/**
 * The basemap that ships with the app: Natural Earth land and country borders
 * (world-atlas), projected once into cached paths and drawn on one canvas in
 * its own pane below any tile layer, so the map is never blank with no
 * network at all. A view change costs one transform and the shapes in view;
 * nothing is re-projected. 1:110m is drawn when zoomed out, 1:50m closer in
 * (loaded on demand, in its own chunk).
 */
export class WorldBasemap extends L.Layer {
  private canvas: HTMLCanvasElement | null = null;
  private coarse: Detail | null = null;
  private detailed: Detail | null = null;
  private loadingDetail = false;

  override onAdd(map: L.Map): this {
    const pane = map.getPane('edgecab-basemap') ?? map.createPane('edgecab-basemap');
    pane.style.zIndex = '150';
    this.canvas = L.DomUtil.create('canvas', 'world-basemap leaflet-zoom-hide', pane) as HTMLCanvasElement;
    map.on('moveend zoomend resize viewreset', this.redraw, this);
    void import('world-atlas/countries-110m.json').then((data) => {
      this.coarse = prepare(data.default);
      this.redraw();
    });
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend zoomend resize viewreset', this.redraw, this);
    this.canvas?.remove();
    this.canvas = null;
    return this;
  }

  private detailFor(zoom: number): Detail | null {
    if (zoom < 5) return this.coarse;
    if (!this.detailed && !this.loadingDetail) {
      this.loadingDetail = true;
      void import('world-atlas/countries-50m.json').then((data) => {
        this.detailed = prepare(data.default);
        this.redraw();
      });
    }
    return this.detailed ?? this.coarse;
  }

  redraw(): void {
    const map = this._map as L.Map | undefined;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const overlay = prepareOverlay(map, canvas);
    const detail = this.detailFor(map.getZoom());
    if (!overlay || !detail) return;
    const { context, size, ratio } = overlay;
    const scale = 2 ** map.getZoom();
    const origin = map.getPixelBounds().min!;
    // World pixels at zoom 0 → screen pixels; wrap the world horizontally as Leaflet does.
    const worldWidth = 256 * scale;
    const copies = [-1, 0, 1].map((copy) => copy * worldWidth).filter((shift) => shift - origin.x < size.x && shift + worldWidth - origin.x > 0);
    const view = (shift: number): [number, number, number, number] => [(origin.x - shift) / scale, origin.y / scale, (origin.x - shift + size.x) / scale, (origin.y + size.y) / scale];
    for (const shift of copies) {
      const [minX, minY, maxX, maxY] = view(shift);
      const visible = (item: Shape) => item.box[2] >= minX && item.box[0] <= maxX && item.box[3] >= minY && item.box[1] <= maxY;
      context.setTransform(ratio * scale, 0, 0, ratio * scale, ratio * (shift - origin.x), ratio * -origin.y);
      context.fillStyle = '#f3f1e8';
      context.strokeStyle = '#b8c4d0';
      context.lineWidth = 0.6 / scale;
      for (const item of detail.land) {
        if (!visible(item)) continue;
        context.fill(item.path);
        context.stroke(item.path);
      }
      context.strokeStyle = '#9aa8b6';
      context.lineWidth = 0.7 / scale;
      context.setLineDash([2 / scale, 2 / scale]);
      for (const item of detail.borders) if (visible(item)) context.stroke(item.path);
      context.setLineDash([]);
    }
  }
}
