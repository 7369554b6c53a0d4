import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../../providers/errors";
import type { Clock } from "../../providers/clock";
import { findProjectRoot } from "../../providers/lifecycle/runtime/context";
import {
  formatAcknowledgements,
  markDrifted,
  parseAcknowledgements,
  renderJson,
  renderJunit,
  renderTable,
  runDrift,
  stderrProgress,
  type Acknowledgement,
  type DriftScope,
  type MarkedResource,
} from "../../providers/drift";
import { DEFAULT_DRIFT_CONCURRENCY } from "../../providers/xero/call-limiter";
import { backendFromFlag } from "../backend-flag";

/**
 * `cdktf-xero drift`: says whether live Xero credentials still match what was declared and recorded
 * (providers/drift). Read only against Xero; `--mark` writes to the state backend alone. The exit
 * code is the report's: 0 in sync, 2 drift, 1 could not check.
 */


export interface DriftCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void; readonly isTTY?: boolean };
  readonly clock: Clock;
  readonly setExitCode: (code: number) => void;
}

const defaultDeps = (): DriftCommandDeps => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  clock: { now: () => new Date() },
  setExitCode: (code) => {
    process.exitCode = code;
  },
});

interface DriftFlags {
  stack: string[];
  backend?: string;
  json: boolean;
  junit?: string;
  mark: boolean;
  ignore?: string;
  writeIgnore?: string;
  concurrency: string;
  asOf?: string;
  refresh: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerDriftCommand(program: Command, overrides: Partial<DriftCommandDeps> = {}): void {
  const deps: DriftCommandDeps = { ...defaultDeps(), ...overrides };
  program
    .command("drift")
    .description("check live Xero credentials against what was declared and recorded (read only); exit 0 in sync, 2 drift, 1 could not check")
    .option("--stack <name>", "check this synthesized stack (repeatable); default: every stack in cdktf.out", collect, [])
    .option("--backend <address>", "local:<dir> or pg:<schema>: alone, check every document in it from what they recorded (no checkout needed); with --stack, only the stacks' resources in it")
    .option("--json", "print the report as JSON (schemaVersion, one object per resource, summary)", false)
    .option("--junit <file>", "also write a JUnit XML report: one test case per resource, drift as failure")
    .option("--mark", "record each finding in its document and bump its generation, so `cdktf diff` replaces exactly those hooks", false)
    .option("--ignore <file>", "acknowledged findings: listed as acknowledged, not counted until their expiry")
    .option("--write-ignore <file>", "write today's findings into an acknowledgement file (expiring in 30 days) to start from a clean baseline")
    .option("--concurrency <n>", "Xero calls in flight at once (resources are read and prepared ahead of them); Xero's rate limits are respected whatever this says", String(DEFAULT_DRIFT_CONCURRENCY))
    .option("--as-of <time>", "check as of this RFC 3339 time instead of now (rotation ages, acknowledgement expiry)")
    .option("--no-refresh", "never refresh a consented connection's token set: when its cached access token is not good, report its live checks as not checked")
    .addHelpText(
      "after",
      `
Default concurrency: ${DEFAULT_DRIFT_CONCURRENCY} calls at once: what one app can keep in flight within Xero's 10,000 calls a minute
per app (at a 100 ms round trip). Whatever --concurrency says, each organisation gets at most 5 calls at once and 60 a minute,
each app 10,000 a minute, and a 429's Retry-After is waited out (and counted in the summary).
Endpoints: XERO_LOGIN_URL, XERO_IDENTITY_URL, XERO_API_URL (default: Xero). State keys and PG_CONN_STR as for deploy.
Xero sees only reads: a client-credentials token request, GET /connections and authorize requests nobody signs in to;
and for a consented connection whose cached access token has expired, one refresh through the token vending protocol
(under the document's lock, as \`cdktf-xero token\` would make it), unless --no-refresh.

Examples:
  $ npx cdktf synth && cdktf-xero drift --junit drift-junit.xml
  $ cdktf-xero drift --backend pg:cdktf_xero --json
  $ cdktf-xero drift --write-ignore .cdktf-xero/drift-ignore && cdktf-xero drift --ignore .cdktf-xero/drift-ignore
  $ cdktf-xero drift --stack billing --mark && npx cdktf diff billing

Exit codes: 0 nothing drifted (acknowledged findings included), 2 drift found, 1 could not check (errors listed), 64 bad flags or acknowledgement file.`,
    )
    .action(async (flags: DriftFlags) => {
      const projectRoot = findProjectRoot(deps.cwd);
      const concurrency = Number(flags.concurrency);
      if (!/^\d+$/.test(flags.concurrency) || concurrency < 1 || concurrency > 1000) {
        throw new ConfigError(`--concurrency must be a whole number from 1 to 1000, got ${flags.concurrency}`);
      }
      const clock = clockFor(flags.asOf, deps.clock);
      const backend = flags.backend === undefined ? undefined : backendFromFlag(flags.backend, { showValue: true });
      const scope: DriftScope = flags.stack.length === 0 && backend !== undefined
        ? { from: "backend", backend }
        : { from: "stacks", stacks: flags.stack, ...(backend === undefined ? {} : { backend }) };
      const acknowledgements = flags.ignore === undefined ? [] : await readAcknowledgements(path.resolve(deps.cwd, flags.ignore), flags.ignore);
      const report = await runDrift(
        { scope, concurrency, acknowledgements, noRefresh: !flags.refresh },
        { env: deps.env, cwd: projectRoot, clock, warn: (line) => deps.stderr.write(`${line}\n`), progress: stderrProgress(deps.stderr, clock) },
      );
      let marked: MarkedResource[] | undefined;
      if (flags.mark) marked = await markDrifted(report.resources, { env: deps.env, cwd: projectRoot, clock });
      if (flags.junit !== undefined) await fs.writeFile(path.resolve(deps.cwd, flags.junit), renderJunit(report));
      if (flags.writeIgnore !== undefined) {
        const findings = report.resources.flatMap((resource) => resource.findings.map((finding) => ({ resource: resource.resource, code: finding.code })));
        await fs.writeFile(path.resolve(deps.cwd, flags.writeIgnore), formatAcknowledgements(findings, clock.now()));
        deps.stderr.write(`cdktf-xero drift: wrote ${findings.length} acknowledgement${findings.length === 1 ? "" : "s"} to ${flags.writeIgnore}\n`);
      }
      deps.stdout.write(flags.json ? renderJson(report, marked) : renderTable(report, marked));
      deps.setExitCode(report.summary.exitCode);
    });
}

function clockFor(asOf: string | undefined, clock: Clock): Clock {
  if (asOf === undefined) return clock;
  const at = Date.parse(asOf);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(asOf) || Number.isNaN(at)) {
    throw new ConfigError(`--as-of must be an RFC 3339 time such as 2027-01-31T00:00:00Z, got ${asOf}`);
  }
  // Time still passes during the run (for the progress ETA), from the given instant.
  const offset = at - clock.now().getTime();
  return { now: () => new Date(clock.now().getTime() + offset) };
}

async function readAcknowledgements(file: string, shown: string): Promise<Acknowledgement[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`--ignore ${shown}: cannot read ${file} (${code}); write one with --write-ignore ${shown}, or fix the path`, { cause: error });
  }
  return parseAcknowledgements(text, shown);
}
