/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The consumer matrix (packs and installs the package) is its own CI step: `npm run test:consumers`.
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/fixtures/', '/__tests__/consumers/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  testTimeout: 30000,
  // Worker pools and child processes must not outlive a test file.
  forceExit: false,
};
