import * as path from "node:path";
import { CommonOutputs } from "../../contract/document-codec";
import { hashHookSpec, type HookSpec } from "../../contract/hook-spec";
import { HOOK_SPEC_VERSION } from "../../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { systemClock, type Clock } from "../clock";
import { CdktfXeroError } from "../errors";
import { openStateBackend, StateBackendNotFoundError, StateCorruptError, type StoredDocument } from "../state";
import { XeroClient } from "../xero/client";
import { transportForEnvironment } from "../xero/node-http-transport";
import { readFileHead } from "../lifecycle/runtime/context";
import { findInitResource } from "../lifecycle/runtime/recovery";
import { acknowledge, type Acknowledgement } from "./acknowledgements";
import { createXeroCallLimiter, type XeroCallLimiter } from "../xero/call-limiter";
import { DriftBackends, DriftRunContext, type DriftBackendOpener, type DriftWorld, type DriftXeroClientFactory } from "./check-context";
import type { DriftFinding, ResourceReport } from "./findings";
import { driftCheckFor, KIND_DRIFT_CHECKS } from "./kind-checks";
import type { KindCheckResult } from "./kind-check";
import { summarize, type DriftReport } from "./report";
import { checkAsPlanned, inOrderAtMost, TargetPlan, type PlannedEntry } from "./target-plan";
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
  /** @default new XeroClient(options) over one Node http transport for the run (axios behind a proxy) */
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
/**
 * Documents read at once while listing a backend: pg's reads are asynchronous, 16 of them queued on
 * its pool (which runs as many as it has connections) so that one is always ready to run. The local
 * backend reads a file synchronously, so "at once" only means how many reads one turn of the event
 * loop makes before the answers already back from Xero are looked at. Four: 16 to a turn kept a
 * connection's first answer waiting 25 ms; one to a turn cost a run over 750 documents about 30 ms
 * more CPU than four (medians of 12 alternating runs, 940 vs 910 ms; the walls within the noise).
 */
const DOCUMENT_READS_AT_ONCE: Readonly<Record<StateBackendAddress["type"], number>> = { local: 4, pg: 16 };

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
    createXeroClient: deps.createXeroClient ?? defaultXeroClientFactory(deps.env),
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
  let planned: TargetPlan<Target> | undefined;
  try {
    planned = await planTargets(options.scope, deps.cwd, backends);
    const progress = deps.progress === undefined ? undefined : heldProgress(deps.progress, planned);
    const reports = (
      await checkAsPlanned(planned, options.concurrency * CHECKS_PER_CALL_SLOT, async (target) => {
        const report = await checkTarget(target, contextFor(target.cwd), options.acknowledgements ?? [], now, deps.cwd);
        progress?.checked(report.resource);
        return report;
      })
    ).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    return { checkedAt: now.toISOString(), resources: reports, summary: summarize(reports, limiter.rateLimitedResponses) };
  } finally {
    planned?.stop();
    await backends.close();
  }
}

/**
 * The resources to check, each ready once its documents are read, in the order they are found: in
 * backend-only mode the first checks (and their calls) start while later documents are still being
 * listed and read. A failed read, or a failed listing, settles its entry with the error, which ends
 * the run once the checks under way have finished.
 */
type PlannedTarget = PlannedEntry<Target>;

/**
 * Progress for a run whose count is known only once every document is listed and read: `started`
 * comes when it is, and the resources checked before that are reported right after it, numbered in
 * the order they finished, so the lines read as they would had the count been known from the start.
 */
function heldProgress(progress: DriftProgress, plan: TargetPlan<Target>): { checked(resource: string): void } {
  let total: number | undefined;
  const held: string[] = [];
  let done = 0;
  void plan
    .all()
    .then((planned) => Promise.all(planned))
    .then((entries) => {
      if (entries.some((entry) => "error" in entry)) return;
      total = entries.filter((entry) => "target" in entry && entry.target !== undefined).length;
      progress.started(total);
      for (const resource of held.splice(0)) progress.checked(resource, ++done, total);
    });
  return {
    checked(resource) {
      if (total === undefined) held.push(resource);
      else progress.checked(resource, ++done, total);
    },
  };
}

/**
 * The run's clients share one transport: Node's own http (the run is bound by the CPU spent per
 * request, and axios spends the most of it), or axios when a proxy is configured (node-http-transport.ts).
 */
function defaultXeroClientFactory(env: Readonly<Record<string, string | undefined>>): DriftXeroClientFactory {
  const http = transportForEnvironment(env);
  return (clientOptions) => new XeroClient({ http, ...clientOptions });
}

async function planTargets(scope: DriftScope, projectRoot: string, backends: DriftBackends): Promise<TargetPlan<Target>> {
  if (scope.from === "stacks") {
    const specs = await readSynthesizedSpecs(projectRoot, scope.stacks);
    const wanted = scope.backend === undefined ? undefined : formatBackendAddress(scope.backend);
    return TargetPlan.of(
      specs
        .filter((found) => wanted === undefined || formatBackendAddress(found.spec.backend) === wanted)
        .map((found) => ({ spec: found.spec, origin: "stack" as const, cwd: found.stackDirectory }))
        .sort((a, b) => byDocument(a.spec.document, b.spec.document))
        .map((target) => Promise.resolve({ target })),
    );
  }
  const address = scope.backend;
  const backend = await backends.open(address, projectRoot);
  const plan = new TargetPlan<Target>();
  const startRead = inOrderAtMost(DOCUMENT_READS_AT_ONCE[address.type]);
  const documents: Array<Promise<StoredDocument | StateCorruptError | undefined>> = [];
  // Every readable, live document: what a kind may need besides its own (a link names its app by client id only).
  const everyStored = plan
    .all()
    .then(() => Promise.all(documents))
    .then((all) => all.filter((document): document is StoredDocument => document !== undefined && !(document instanceof StateCorruptError) && document.values[CommonOutputs.names.retired] !== true));
  everyStored.catch(() => undefined);
  const targetOf = async (name: string, read: Promise<StoredDocument | StateCorruptError | undefined>): PlannedTarget => {
    try {
      const document = await read;
      if (document instanceof StateCorruptError) {
        return { target: { spec: placeholderSpec(name, address), origin: "document", cwd: projectRoot, problem: `unreadable (${document.code}): ${document.message}` } };
      }
      if (document === undefined || document.values[CommonOutputs.names.retired] === true) return { target: undefined };
      const check = Object.values(KIND_DRIFT_CHECKS).find((candidate) => candidate.recognises(document));
      if (check === undefined) return { target: undefined }; // init only (never applied), or not a cdktf-xero document: nothing recorded to compare
      const spec = check.specFromDocument(document, address, check.specNeedsOtherDocuments(document) ? await everyStored : []);
      if ("problem" in spec) return { target: undefined };
      return { target: { spec: spec as HookSpec, origin: "document", cwd: projectRoot, stored: document } };
    } catch (error) {
      return { error };
    }
  };
  const readDocument = async (name: string): Promise<StoredDocument | StateCorruptError | undefined> => {
    // The local backend reads a file synchronously: without a turn of the event loop between reads,
    // every document would be read before the first check's call left the process.
    await nextTurnOfEventLoop();
    if (plan.isStopped) return undefined;
    return backend.read(name).catch((error: unknown) => {
      if (error instanceof StateCorruptError) return error;
      throw error;
    });
  };
  void (async () => {
    try {
      // A large backend takes a while to list (250 directories: ~10 ms); its first documents are read
      // and checked meanwhile, a batch (a directory of the local backend) at a time, with a turn of
      // the event loop between batches so that Xero's answers are not kept waiting by the listing.
      for await (const batch of backend.listInBatches()) {
        if (plan.isStopped) break;
        for (const name of [...batch].sort(byDocument)) {
          const read = startRead(() => readDocument(name));
          documents.push(read);
          plan.add(targetOf(name, read));
        }
        await nextTurnOfEventLoop();
      }
    } catch (error) {
      plan.add(Promise.resolve({ error }));
    } finally {
      plan.finish();
    }
  })();
  return plan;
}

function nextTurnOfEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function byDocument(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
