import L from 'leaflet';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-50m.json';

/**
 * The basemap that ships with the app: Natural Earth land and country borders
 * (world-atlas), drawn on the map's canvas renderer (preferCanvas). The map is never blank, with no network at all.
 */
export function builtInBasemap(map: L.Map): L.LayerGroup {
  // Its own pane below the tile pane: imported tiles draw over it, and it still fills what they do not cover.
  const pane = map.createPane('edgecab-basemap');
  pane.style.zIndex = '150';
  const topology = countries as unknown as Topology<{ countries: GeometryCollection; land: GeometryCollection }>;
  const land = L.geoJSON(feature(topology, topology.objects.land), {
    pane: 'edgecab-basemap',
    interactive: false,
    style: { color: '#b8c4d0', weight: 0.6, fillColor: '#f3f1e8', fillOpacity: 1 },
  });
  const borders = L.geoJSON(mesh(topology, topology.objects.countries, (a, b) => a !== b), {
    pane: 'edgecab-basemap',
    interactive: false,
    style: { color: '#9aa8b6', weight: 0.7, dashArray: '2 2' },
  });
  return L.layerGroup([land, borders]);
}
