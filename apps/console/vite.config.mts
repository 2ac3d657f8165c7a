import * as path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is a static single-page app under /console/ on the gateway's origin: every asset
// is bundled (no CDN), so it works without internet. `npm run build` writes it to dist/ here;
// the gateway serves that folder.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ? path.resolve(process.env.CONSOLE_OUT_DIR) : path.join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    // One small app: a single chunk keeps the first load to two requests.
    chunkSizeWarningLimit: 1024,
  },
  logLevel: 'warn',
});
