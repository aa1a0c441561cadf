import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      // The shell, and the core's worker thread it starts (electron/core/thread).
      rollupOptions: { input: { index: resolve('electron/main/index.ts'), 'core-worker': resolve('electron/core/thread/worker.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be one CommonJS file that requires nothing but 'electron'.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [react()],
    build: {
      target: 'chrome130',
      minify: true,
      sourcemap: false,
      // No inline scripts or data: fonts: the CSP allows only files from the app itself.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
