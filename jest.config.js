/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  // jest's node environment; its workers end through process.exit once idle (see the file for why).
  testEnvironment: "<rootDir>/test/quick-exit-node-environment.js",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // A net for a hung test, not a speed check: suites that start Terraform, PostgreSQL and dozens of
  // processes must pass on a 2-core machine whose cores are busy with something else (npm run test:stress).
  testTimeout: 600_000,
  // End-to-end suites start Terraform and PostgreSQL processes; two workers fit the 2-core machines.
  maxWorkers: 2,
  // The longest suites first, so both workers finish together (the run has a time budget, issue 8).
  testSequencer: "<rootDir>/test/longest-first-sequencer.js",
  // One throwaway PostgreSQL for the whole run (unless PG_CONN_STR is set), and a check that no test
  // wrote into the checkout.
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  // The README's examples import the package by its name, as a user's project does.
  moduleNameMapper: { "^cdktf-xero$": "<rootDir>/index.ts" },
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
};
