import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The campus console, served by the central server at /console/ from out/console (src-server/console).
export default defineConfig({
  root: resolve(__dirname, 'src-console'),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/console'),
    emptyOutDir: true,
  },
});
