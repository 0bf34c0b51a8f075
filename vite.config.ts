import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// base './' keeps every asset URL relative, so the built site works from a GitHub Pages sub-path.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  worker: { format: 'es' },
  // manifest: scripts/size-report.ts reads it to report what the first screen loads.
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 8000, manifest: true },
  server: { port: 5173 },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
