import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../report.js';

/** Where the page is served, on EdgeCab's own origin so it reads /api/v1/map/sites as EdgeCab's page does. */
export const PAGE_PATH = '/bench/markercluster/';

// A first classic script asks for every site before the bundle loads, as EdgeCab's index.html does with early-sites.js.
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Leaflet.markercluster, 100,000 sites</title>
    <link rel="icon" href="data:," />
    <script>
      window.benchSites = fetch('/api/v1/map/sites').then((response) => {
        if (!response.ok) throw new Error('sites answered HTTP ' + response.status);
        return response.json();
      });
      window.benchSites.catch(() => undefined);
    </script>
    <link rel="stylesheet" href="./page.css" />
    <!-- The sea as EdgeCab's .map draws it (renderer/app/styles.css). -->
    <style>html, body { margin: 0; } #map { background: #bcd3e6; }</style>
  </head>
  <body>
    <div id="map"></div>
    <script type="module" src="./page.js"></script>
  </body>
</html>
`;

/**
 * Bundles test/bench/markercluster/page.ts with esbuild (minified, the
 * basemap's Natural Earth data in chunks of their own as in EdgeCab's build)
 * into .cache/bench/markercluster/, with Leaflet's marker images.
 */
export async function buildMarkerclusterPage(): Promise<string> {
  const outdir = join(repoRoot, '.cache/bench/markercluster');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { page: 'test/bench/markercluster/page.ts' },
    outdir,
    bundle: true,
    format: 'esm',
    splitting: true,
    target: 'es2022',
    minify: true,
    // Leaflet finds its default icon by the file name its CSS points at, so the names stay as they are.
    loader: { '.png': 'file' },
    assetNames: '[name]',
    logLevel: 'warning',
  });
  cpSync(join(repoRoot, 'node_modules/leaflet/dist/images'), outdir, { recursive: true });
  writeFileSync(join(outdir, 'index.html'), INDEX_HTML);
  return outdir;
}

/** Serves the built page to `page` under PAGE_PATH of `origin`; anything else goes on to EdgeCab's server. */
export async function servePage(page: Page, origin: string, dir: string): Promise<void> {
  const files = new Set(readdirSync(dir));
  await page.route(`${origin}${PAGE_PATH}**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice(PAGE_PATH.length) || 'index.html';
    if (!files.has(name)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ path: join(dir, name) });
  });
}
