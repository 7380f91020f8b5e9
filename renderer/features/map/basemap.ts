import L from 'leaflet';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries50m from 'world-atlas/countries-50m.json';
import countries110m from 'world-atlas/countries-110m.json';

type Countries = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

function layersOf(data: unknown, renderer: L.Renderer): L.LayerGroup {
  const topology = data as Countries;
  // Fewer vertices per screen pixel; the canvas renderer is shared and padded so pans redraw less often.
  const shared = { pane: 'edgecab-basemap', renderer, smoothFactor: 2, interactive: false } as L.GeoJSONOptions & L.PolylineOptions;
  const land = L.geoJSON(feature(topology, topology.objects.land), { ...shared, style: { color: '#b8c4d0', weight: 0.6, fillColor: '#f3f1e8', fillOpacity: 1 } });
  const borders = L.geoJSON(mesh(topology, topology.objects.countries, (a, b) => a !== b), { ...shared, style: { color: '#9aa8b6', weight: 0.7, dashArray: '2 2' } });
  return L.layerGroup([land, borders]);
}

/**
 * The basemap that ships with the app: Natural Earth land and country borders
 * (world-atlas) on a canvas in its own pane below any tile layer, so the map
 * is never blank, with no network at all. The coarse 1:110m data is drawn when
 * zoomed out (where the detail would not show and would cost frames), 1:50m closer in.
 */
export function builtInBasemap(map: L.Map): L.LayerGroup {
  const pane = map.createPane('edgecab-basemap');
  pane.style.zIndex = '150';
  const renderer = L.canvas({ padding: 0.5, pane: 'edgecab-basemap' });
  const coarse = layersOf(countries110m, renderer);
  const detailed = layersOf(countries50m, renderer);
  const group = L.layerGroup();
  const choose = () => {
    const wanted = map.getZoom() < 5 ? coarse : detailed;
    const other = wanted === coarse ? detailed : coarse;
    if (group.hasLayer(other)) group.removeLayer(other);
    if (!group.hasLayer(wanted)) group.addLayer(wanted);
  };
  map.on('zoomend', choose);
  choose();
  return group;
}
