// Prints the slowest suites, then the plain closing line CI readers look for:
// "tests: N passed, N failed, N skipped".
const path = require("node:path");

const SLOWEST = 10;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const timed = results.testResults
      .map((suite) => ({ file: path.relative(this.rootDir, suite.testFilePath), seconds: (suite.perfStats.end - suite.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, SLOWEST);
    if (timed.length > 0) {
      process.stdout.write(`\nslowest ${timed.length} suites:\n`);
      for (const { file, seconds } of timed) process.stdout.write(`  ${seconds.toFixed(1).padStart(6)} s  ${file}\n`);
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
