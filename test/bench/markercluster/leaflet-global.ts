// Leaflet.markercluster is a UMD script that extends the global `L` when it runs:
// this module runs first (imports evaluate in order) and makes sure that global is the bundled Leaflet.
import L from 'leaflet';

(globalThis as { L?: typeof L }).L = L;
