/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: [
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/test/**/*.spec.ts',
  ],
  // Child-process tests (several demos, kill -9, PostgreSQL restarts): `npm run test:faults`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/processes/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^tiktok-channel$': '<rootDir>/libs/tiktok-channel/src',
    '^tiktok-channel/(.*)$': '<rootDir>/libs/tiktok-channel/src/$1',
    '^tiktok-sandbox$': '<rootDir>/apps/tiktok-sandbox/src',
    '^tiktok-sandbox/(.*)$': '<rootDir>/apps/tiktok-sandbox/src/$1',
  },
  // One embedded PostgreSQL for the whole run; each suite gets its own database in it.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/no-internet.ts'],
  testTimeout: 60000,
};
