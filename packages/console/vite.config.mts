import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the service at /console/ (packages/service/src/console), from dist/web.
export default defineConfig({
  base: '/console/',
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    // The typed client from its TypeScript sources (ES modules), not its CommonJS build.
    alias: {
      '@support-sla/client': fileURLToPath(new URL('../client/src/index.ts', import.meta.url)),
      // The agreement's request types, from the domain's one list (a module without imports).
      '@support-sla/domain/categories': fileURLToPath(new URL('../domain/src/shared/categories.ts', import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    // No inline scripts or styles: the service's CSP allows only files from its own origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  logLevel: 'warn',
});
