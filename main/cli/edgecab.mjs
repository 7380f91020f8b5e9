#!/usr/bin/env node
// The package's bin: runs the bundled CLI that `npm ci` (postinstall) or `npm run build` produced.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../../dist/main/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('edgecab: not built yet. Run `npm ci` (or `npm run build`) in the EdgeCab folder first.');
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
