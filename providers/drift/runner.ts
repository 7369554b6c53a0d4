import * as path from "node:path";
import { CommonOutputs } from "../../contract/document-codec";
import { hashHookSpec, type HookSpec } from "../../contract/hook-spec";
import { HOOK_SPEC_VERSION } from "../../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { systemClock, type Clock } from "../clock";
import { CdktfXeroError } from "../errors";
import { openStateBackend, StateBackendNotFoundError, StateCorruptError, type StoredDocument } from "../state";
import { XeroClient } from "../xero/client";
import { readFileHead } from "../lifecycle/runtime/context";
import { findInitResource } from "../lifecycle/runtime/recovery";
import { acknowledge, type Acknowledgement } from "./acknowledgements";
import { createXeroCallLimiter, type XeroCallLimiter } from "../xero/call-limiter";
import { DriftBackends, DriftRunContext, type DriftBackendOpener, type DriftWorld, type DriftXeroClientFactory } from "./check-context";
import type { DriftFinding, ResourceReport } from "./findings";
import { driftCheckFor, KIND_DRIFT_CHECKS } from "./kind-checks";
import type { KindCheckResult } from "./kind-check";
import { summarize, type DriftReport } from "./report";
import { readSynthesizedSpecs } from "./synthesized-specs";

/**
 * `cdktf-xero drift`: what is declared (the synthesized stacks) or recorded (the documents of a
 * backend) against the documents and live Xero, read only. Checks run side by side, every Xero call
 * through one limiter; a resource that cannot be checked is reported with its error, the others
 * still are.
 */

/** What to check. */
export type DriftScope =
  /** The synthesized stacks under the project root (all, or the named ones), optionally only their resources in one backend. */
  | { readonly from: "stacks"; readonly stacks: readonly string[]; readonly backend?: StateBackendAddress }
  /** Every document in one backend, from what the documents recorded (no checkout needed). */
  | { readonly from: "backend"; readonly backend: StateBackendAddress };

export interface DriftOptions {
  readonly scope: DriftScope;
  /** How many resources are checked at once (Xero's limits are the limiter's job). */
  readonly concurrency: number;
  readonly acknowledgements?: readonly Acknowledgement[];
  /** `--no-refresh`: never refresh a connection's token set; report its live checks as not checked instead. @default false */
  readonly noRefresh?: boolean;
}

/** Progress, as the run goes: the renderer decides how to show it. */
export interface DriftProgress {
  started(total: number): void;
  checked(resource: string, done: number, total: number): void;
}

export interface DriftDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project root (where cdktf.json is); `local:` backends named on the command line resolve against it. */
  readonly cwd: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default Xero's limits (providers/xero/call-limiter.ts), at most `concurrency` calls in flight */
  readonly limiter?: XeroCallLimiter;
  /** @default new XeroClient(options) */
  readonly createXeroClient?: DriftXeroClientFactory;
  /** @default openStateBackend */
  readonly openBackend?: DriftBackendOpener;
  /** @default reads the file's first 4097 bytes */
  readonly readFile?: (absolutePath: string) => Promise<string>;
  readonly warn?: (line: string) => void;
  readonly progress?: DriftProgress;
}

interface Target {
  readonly spec: HookSpec;
  readonly origin: "stack" | "document";
  /** Where the hooks of this resource run (stack mode), else the project root. */
  readonly cwd: string;
  /** Already read (backend-only mode). */
  readonly stored?: StoredDocument;
  /** Set when the document could not be understood as any kind's (backend-only mode). */
  readonly problem?: string;
}

/**
 * Resources checked at once per call allowed in flight. A check spends part of its time off Xero
 * (reading documents, opening envelopes, parsing answers): with only as many checks as call slots,
 * a slot stays idle while its check does that. More checks than slots keep calls queued in the
 * limiter, which alone decides how many reach Xero at once.
 */
const CHECKS_PER_CALL_SLOT = 4;
/** Documents read at once while listing a backend (a pg pool or the local file system serves them). */
const DOCUMENT_READS_AT_ONCE = 16;

const UNREADABLE_CODES = new Set(["STATE_CORRUPT", "STATE_UNSUPPORTED_VERSION", "STATE_KEY_MISSING", "STATE_KEY_INVALID", "STATE_UNKNOWN_KID", "STATE_KEY_MISMATCH"]);

/** Runs the checks and returns the report; it writes nothing anywhere (see mark.ts for `--mark`). */
export async function runDrift(options: DriftOptions, deps: DriftDeps): Promise<DriftReport> {
  const clock = deps.clock ?? systemClock;
  const now = clock.now();
  const limiter = deps.limiter ?? createXeroCallLimiter({ concurrency: options.concurrency, clock });
  const world: DriftWorld = {
    env: deps.env,
    projectRoot: deps.cwd,
    clock,
    limiter,
    createXeroClient: deps.createXeroClient ?? ((clientOptions) => new XeroClient(clientOptions)),
    openBackend: deps.openBackend ?? openStateBackend,
    readFile: deps.readFile ?? readFileHead,
    warn: deps.warn ?? (() => undefined),
    noRefresh: options.noRefresh ?? false,
  };
  const backends = new DriftBackends(world);
  const tokens = new Map<string, Promise<{ accessToken: string; scopes: readonly string[] }>>();
  const contexts = new Map<string, DriftRunContext>();
  const contextFor = (cwd: string): DriftRunContext => {
    let context = contexts.get(cwd);
    if (context === undefined) {
      context = new DriftRunContext(world, backends, tokens, cwd, now);
      contexts.set(cwd, context);
    }
    return context;
  };
  try {
    const targets = await findTargets(options.scope, deps.cwd, backends);
    deps.progress?.started(targets.length);
    let done = 0;
    const reports = await mapWithConcurrency(targets, options.concurrency * CHECKS_PER_CALL_SLOT, async (target) => {
      const report = await checkTarget(target, contextFor(target.cwd), options.acknowledgements ?? [], now, deps.cwd);
      done += 1;
      deps.progress?.checked(report.resource, done, targets.length);
      return report;
    });
    return { checkedAt: now.toISOString(), resources: reports, summary: summarize(reports, limiter.rateLimitedResponses) };
  } finally {
    await backends.close();
  }
}

async function findTargets(scope: DriftScope, projectRoot: string, backends: DriftBackends): Promise<Target[]> {
  if (scope.from === "stacks") {
    const specs = await readSynthesizedSpecs(projectRoot, scope.stacks);
    const wanted = scope.backend === undefined ? undefined : formatBackendAddress(scope.backend);
    return specs
      .filter((found) => wanted === undefined || formatBackendAddress(found.spec.backend) === wanted)
      .map((found) => ({ spec: found.spec, origin: "stack" as const, cwd: found.stackDirectory }));
  }
  const backend = await backends.open(scope.backend, projectRoot);
  const names = await backend.list();
  const stored: StoredDocument[] = [];
  const targets: Target[] = [];
  const documents = await mapWithConcurrency(names, DOCUMENT_READS_AT_ONCE, (name) =>
    backend.read(name).catch((error: unknown) => {
      if (error instanceof StateCorruptError) return error;
      throw error;
    }),
  );
  for (const [index, name] of names.entries()) {
    const document = documents[index];
    if (document instanceof StateCorruptError) {
      targets.push({ spec: placeholderSpec(name, scope.backend), origin: "document", cwd: projectRoot, problem: `unreadable (${document.code}): ${document.message}` });
    } else if (document !== undefined && document.values[CommonOutputs.names.retired] !== true) {
      stored.push(document);
    }
  }
  for (const document of stored) {
    const check = Object.values(KIND_DRIFT_CHECKS).find((candidate) => candidate.recognises(document));
    if (check === undefined) continue; // init only (never applied), or not a cdktf-xero document: nothing recorded to compare
    const spec = check.specFromDocument(document, scope.backend, stored);
    if ("problem" in spec) continue;
    targets.push({ spec: spec as HookSpec, origin: "document", cwd: projectRoot, stored: document });
  }
  return targets.sort((a, b) => (a.spec.document < b.spec.document ? -1 : a.spec.document > b.spec.document ? 1 : 0));
}

/** Stands for a document no kind can read, so it is reported as unreadable under its name. */
function placeholderSpec(document: string, backend: StateBackendAddress): HookSpec {
  return {
    version: HOOK_SPEC_VERSION,
    kind: "app_registration",
    document,
    backend,
    appKind: "pkce",
    appName: document,
    clientId: "unknown",
    redirectUris: [],
    scopes: ["openid"],
    createdAfterGranularScopes: true,
  };
}

/**
 * Only a construct's Init hook creates its document, and Terraform runs it only when it creates the
 * Init resource: a deleted document of a deployed resource needs that resource replaced, named
 * exactly when the synthesized stacks are at hand.
 */
async function missingDocumentFix(document: string, projectRoot: string): Promise<string> {
  const never = "If the resource was never deployed, deploy it (cdktf deploy)";
  const init = await findInitResource(document, projectRoot);
  if (init === undefined) {
    return `${never}; if its document was deleted, run its construct's Init hook again: \`terraform apply -replace=<its Init resource>\` in the stack's directory`;
  }
  return (
    `${never}; if its document was deleted, run its construct's Init hook again: \`terraform apply -replace=${init.address}\` in ` +
    `${init.stackDirectory}, or \`TF_CLI_ARGS_apply=-replace=${init.address} npx cdktf deploy ${init.stack}\``
  );
}

async function checkTarget(target: Target, ctx: DriftRunContext, acknowledgements: readonly Acknowledgement[], now: Date, projectRoot: string): Promise<ResourceReport> {
  const { spec } = target;
  const base = { resource: spec.document, kind: spec.kind, backend: formatBackendAddress(resolvedAddress(spec.backend, target.cwd)) };
  const finish = (result: KindCheckResult, extra: Partial<ResourceReport> = {}): ResourceReport => ({
    ...base,
    findings: result.findings.map((finding) => acknowledge(spec.document, finding, acknowledgements, now)),
    notes: result.notes,
    ...extra,
  });
  const only = (finding: DriftFinding): ResourceReport => finish({ findings: [finding], notes: [] });
  if (target.problem !== undefined) {
    return only({ code: "document.unreadable", expected: "a credential document cdktf-xero can read", live: target.problem, fix: "Restore the document from the backend's history or a backup, or recreate it by replacing its construct's Init resource (terraform apply -replace=<Init address>)" });
  }
  let stored = target.stored;
  try {
    if (stored === undefined) {
      const backend = await ctx.backend(spec.backend);
      stored = await backend.read(spec.document);
      if (stored === undefined || stored.values[CommonOutputs.names.retired] === true) {
        return only({
          code: "document.missing",
          expected: `document "${spec.document}" in ${backend.label}`,
          live: stored === undefined ? "no such document" : "the document is retired (its resource was destroyed)",
          fix: await missingDocumentFix(spec.document, projectRoot),
        });
      }
    }
    const recordedSpecSha256 = CommonOutputs.decode(stored.values).specSha256;
    const declaredSpecSha256 = target.origin === "stack" ? hashHookSpec(spec) : undefined;
    const undeployed =
      declaredSpecSha256 !== undefined && recordedSpecSha256 !== declaredSpecSha256
        ? { undeployedChange: { recordedSpecSha256: recordedSpecSha256 ?? "", declaredSpecSha256 } }
        : {};
    const result = await driftCheckFor(spec.kind).check({ spec, origin: target.origin, stored }, ctx);
    return finish(result, undeployed);
  } catch (error) {
    if (error instanceof StateBackendNotFoundError) {
      return only({ code: "document.missing", expected: `the state backend ${formatBackendAddress(spec.backend)}`, live: `the backend does not exist (${error.message})`, fix: "Deploy (cdktf deploy), or point drift at the backend the deploy uses" });
    }
    if (error instanceof CdktfXeroError && UNREADABLE_CODES.has(error.code)) {
      return only({ code: "document.unreadable", expected: `document "${spec.document}" readable with the configured state keys`, live: `${error.code}: ${error.message}`, fix: "Give drift the deploy's state keys (CDKTF_XERO_STATE_KEY or CDKTF_XERO_STATE_KEY_FILE), or restore the document" });
    }
    const code = error instanceof CdktfXeroError ? error.code : "UNEXPECTED_ERROR";
    return { ...base, findings: [], notes: [], error: { code, message: error instanceof Error ? error.message : String(error) } };
  }
}

/** A `local:` address resolved against the directory the hooks run in, as the hooks resolve it. */
function resolvedAddress(address: StateBackendAddress, cwd: string): StateBackendAddress {
  return address.type === "local" ? { type: "local", dir: path.resolve(cwd, address.dir) } : address;
}

/** Runs `work` over `items`, at most `concurrency` at a time, keeping the items' order in the result. */
export async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
