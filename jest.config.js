/** One suite, run once per Node environment (a jest project each). */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {'^.+\\.ts$': ['@swc/jest']},
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {...common, displayName: 'cpu', setupFiles: ['<rootDir>/test/setup/jest_cpu.ts']},
  ],
};
