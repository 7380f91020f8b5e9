// Builds everything that runs: the CLI/server bundle, the Electron host
// bundles and the renderer. `npm ci` runs it (postinstall) so the bin works
// right after install.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const only = process.argv[2];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Native or sloppy-mode CommonJS (net-snmp relies on non-strict Proxy sets) stays in node_modules,
  // and so does pdfkit, which reads its font metrics from files next to it.
  external: ['better-sqlite3', 'electron', 'net-snmp', 'pdfkit'],
};

async function buildMain() {
  await esbuild({
    ...common,
    entryPoints: { cli: 'main/cli/main.ts' },
    outdir: 'dist/main',
    format: 'esm',
    // Modules imported on demand (the X.509 library) become chunks of their own, parsed only when used.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // CommonJS dependencies bundled into ESM still call require().
    banner: { js: "import { createRequire as __edgecabCreateRequire } from 'node:module'; const require = __edgecabCreateRequire(import.meta.url);" },
  });
  await esbuild({
    ...common,
    entryPoints: {
      main: 'main/electron/main.ts',
      preload: 'main/electron/preload.ts',
      'core-process': 'main/electron/core-process.ts',
    },
    outdir: 'dist/electron',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // Core code that needs a module path checks for CommonJS's own require first (wizard/report.ts); import.meta is only its fallback.
    logOverride: { 'empty-import-meta': 'silent' },
  });
}

async function buildRenderer() {
  await viteBuild({ configFile: `${root}/vite.config.ts`, logLevel: 'error' });
  // A classic script index.html loads ahead of the bundle; Vite leaves such tags alone.
  await esbuild({
    absWorkingDir: root,
    entryPoints: ['renderer/features/map/early-sites.ts'],
    outfile: 'dist/renderer/early-sites.js',
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
}

const started = Date.now();
if (!only || only === 'main') await buildMain();
if (!only || only === 'renderer') await buildRenderer();
console.log(`edgecab: built ${only ?? 'main and renderer'} in ${Date.now() - started} ms`);
