/*
 * Bench-only page: the same 100,000 sites as EdgeCab's map, drawn by
 * Leaflet.markercluster, on the same map setup as MapPage (Leaflet options,
 * initial view, the bundled Natural Earth basemap, the container size the
 * driver measured on EdgeCab's page). `document.body.dataset.drawn` is set
 * once every site is in the cluster group and its clusters are on the map,
 * which is what the driver waits for, as it waits for EdgeCab's canvas.
 */
import './leaflet-global.js';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import type { z } from 'zod';
import type { MapSites } from '../../../shared/domain/map.js';
import { WorldBasemap } from '../../../renderer/features/map/basemap.js';

declare global {
  interface Window {
    /** Requested by the page's first script, before this bundle loaded, as EdgeCab's early-sites.js does. */
    benchSites: Promise<z.infer<typeof MapSites>>;
  }
}

const query = new URLSearchParams(window.location.search);
const container = document.getElementById('map')!;
container.style.width = `${Number(query.get('width') ?? 1000)}px`;
container.style.height = `${Number(query.get('height') ?? 700)}px`;

// As MapPage creates its map.
const map = L.map(container, { preferCanvas: true, worldCopyJump: true, minZoom: 2, maxZoom: 18 }).setView([33, 108], 4);
new WorldBasemap().addTo(map);
const clusters = L.markerClusterGroup();
map.addLayer(clusters);

window.benchSites.then(
  ({ sites }) => {
    const markers = sites.map((site) => L.marker([site[3], site[4]], { title: site[2] }));
    // One call for all: markercluster's fastest way to a complete picture (chunkedLoading spreads it out for responsiveness, and takes longer).
    clusters.addLayers(markers);
    document.body.dataset.drawn = String(markers.length);
  },
  (error: unknown) => {
    document.body.dataset.error = String(error);
    throw error;
  },
);
