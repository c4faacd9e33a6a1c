// electron-vite build of the three bundles: main (Node, ESM), preload (one CommonJS file, so it
// can run with sandbox: true) and the renderer (Svelte 5). Browser mode serves out/renderer as is.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload may only require('electron'): bundle everything else, emit CommonJS.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    // Relative asset URLs so the same build loads from file:// (Electron) and http:// (browser mode).
    base: './',
    build: {
      emptyOutDir: true,
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [svelte()],
  },
});
