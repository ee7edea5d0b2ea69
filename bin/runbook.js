#!/usr/bin/env node
// The installed binary: the bundle in dist/ (built by `npm install` through `prepare`).
import('../dist/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('runbook: the program is not built yet; run `npm run build` (or `npm install`) first.\n');
    process.exit(2);
  }
  throw error;
});
