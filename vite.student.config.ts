import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The student page, served by the central server at /student/ from out/student (src-server/student-page).
export default defineConfig({
  root: resolve(__dirname, 'src-student'),
  base: '/student/',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/student'),
    emptyOutDir: true,
  },
});
