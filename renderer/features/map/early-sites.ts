/*
 * Built on its own (build/scripts/build.mjs) and loaded by index.html as a
 * classic script ahead of the app's bundle: in a browser, the request for
 * every site, the largest answer of the first screen, leaves while the
 * bundle is still loading. The REST route is the documented northbound one;
 * like every answer the UI gets from its own core, it is trusted as typed.
 * On desktop the core is reached through the port instead (see prefetch.ts).
 */
import { opensOnMap } from './opens-on-map.js';

if (window.edgecabDesktop?.host !== 'desktop' && opensOnMap(window.location.hash)) {
  const request = fetch('/api/v1/map/sites').then(async (response) => {
    if (!response.ok) throw new Error(`The map's sites answered HTTP ${response.status}`);
    return (await response.json()) as Awaited<NonNullable<Window['edgecabEarlySites']>>;
  });
  // A failure is asked again through the client when the map takes the answer; meanwhile it must not count as unhandled.
  request.catch(() => undefined);
  window.edgecabEarlySites = request;
}
