import { defineConfig } from 'vite';

// The renderer is plain ESM + React with the automatic JSX runtime (from tsconfig);
// relative base so the same build loads from app:// (desktop) and http:// (server mode).
export default defineConfig({
  root: 'renderer',
  base: './',
  build: { outDir: '../dist/renderer', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  esbuild: { jsx: 'automatic' },
});
