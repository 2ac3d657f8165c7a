import * as path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API explorer (GraphiQL from npm) served by the gateway at /explorer/ outside production:
// every asset bundled, nothing from a CDN, so it works offline. Built with the console
// (tools/build.ts, buildConsole) into dist-explorer/ here.
export default defineConfig({
  root: import.meta.dirname,
  base: '/explorer/',
  plugins: [react()],
  build: {
    outDir: process.env.EXPLORER_OUT_DIR ? path.resolve(process.env.EXPLORER_OUT_DIR) : path.join(import.meta.dirname, 'dist-explorer'),
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: { input: path.join(import.meta.dirname, 'explorer.html') },
    chunkSizeWarningLimit: 4096,
  },
  logLevel: 'warn',
});
