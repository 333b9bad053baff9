/**
 * `npm run test:faults`: tests that run the demo as child processes (several at once, killed with
 * SIGKILL, their PostgreSQL restarted). Slower and heavier than `npm test`, so kept apart; CI runs
 * both (.ci/run).
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/processes/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
};
