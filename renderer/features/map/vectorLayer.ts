import type L from 'leaflet';
import { leafletLayer, LineSymbolizer, PolygonSymbolizer, type PaintRule } from 'protomaps-leaflet';

/**
 * Paint rules for vector tiles of the common schemas (Protomaps basemaps and
 * OpenMapTiles): land, water, green, roads, borders. No labels, so nothing
 * is fetched (fonts, sprites) and it draws with no network.
 */
const RULES: PaintRule[] = [
  ...['earth', 'landcover', 'landuse', 'park'].map((dataLayer) => ({ dataLayer, symbolizer: new PolygonSymbolizer({ fill: dataLayer === 'earth' ? '#f3f1e8' : '#dcebd2' }) })),
  ...['water', 'ocean'].map((dataLayer) => ({ dataLayer, symbolizer: new PolygonSymbolizer({ fill: '#bcd3e6' }) })),
  ...['roads', 'transportation'].map((dataLayer) => ({ dataLayer, symbolizer: new LineSymbolizer({ color: '#c8b89b', width: 1 }) })),
  ...['boundaries', 'boundary'].map((dataLayer) => ({ dataLayer, symbolizer: new LineSymbolizer({ color: '#8c96a0', width: 1, dash: [3, 2] }) })),
];

/** A vector tile package (served as MVT by the app) drawn in the browser with protomaps-leaflet. */
export function vectorTileLayer(id: string, maxZoom: number, attribution: string | null): L.Layer {
  // The package's own attribution, not the library's default one.
  return leafletLayer({ url: `/tiles/${id}/{z}/{x}/{y}.mvt`, maxDataZoom: maxZoom, paintRules: RULES, labelRules: [], pane: 'tilePane', attribution: attribution ?? '' }) as unknown as L.Layer;
}
