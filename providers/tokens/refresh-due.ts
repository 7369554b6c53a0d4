import { ConnectionOutputs } from "../../contract/connection";
import { CommonOutputs } from "../../contract/document-codec";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { parseRfc3339, systemClock, type Clock } from "../clock";
import { CdktfXeroError } from "../errors";
import { findProjectRoot } from "../lifecycle/runtime/find-project-root";
import type { OutputValues } from "../state";
import { openStateBackend } from "../state/open";
import { ConnectionNotConsentedError, ConsentRequiredError } from "./errors";
import { getAccessToken } from "./get-access-token";

/**
 * `cdktf-xero refresh --due`, for a daily pipeline job: every consented connection whose refresh
 * token is older than its keepAlive is refreshed (through the vending protocol, under the
 * document's lock), so no refresh token reaches Xero's 60-day expiry unused.
 */

/** What became of one connection document. */
export type RefreshDueResult =
  | { readonly document: string; readonly outcome: "refreshed"; readonly nextDueAt: string }
  | { readonly document: string; readonly outcome: "not_due"; readonly dueAt: string }
  | { readonly document: string; readonly outcome: "needs_consent"; readonly reason: string; readonly command: string }
  | { readonly document: string; readonly outcome: "failed"; readonly code: string; readonly message: string };

/** Whether a connection document is due, from its outputs alone. Pure. */
export type RefreshDueDecision =
  | { readonly kind: "skip" }
  | { readonly kind: "due" }
  | { readonly kind: "not-due"; readonly dueAt: string }
  | { readonly kind: "needs-consent"; readonly reason: string };

export function decideRefreshDue(values: OutputValues, now: Date): RefreshDueDecision {
  const outputs = ConnectionOutputs.decode(values);
  const isConnection = values[ConnectionOutputs.names.status] !== undefined || values[ConnectionOutputs.names.declaration] !== undefined;
  if (!isConnection || CommonOutputs.decode(values).retired === true) return { kind: "skip" };
  if (outputs.status === "needs_consent") return { kind: "needs-consent", reason: outputs.needsConsentReason || "the connection needs a new consent" };
  if (outputs.status !== "connected") return { kind: "needs-consent", reason: "nobody has consented to this connection yet" };
  const dueAt = parseRfc3339(outputs.refreshDueAt ?? "");
  if (dueAt !== undefined && now.getTime() < dueAt.getTime()) return { kind: "not-due", dueAt: outputs.refreshDueAt ?? "" };
  return { kind: "due" };
}

export interface RefreshDueDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly projectRoot?: string;
  readonly clock?: Clock;
  readonly stderr: { write(text: string): void };
  /** How messages name the backend. @default `--backend <address>` */
  readonly backendFlag?: string;
}

export async function refreshDueConnections(address: StateBackendAddress, deps: RefreshDueDeps): Promise<RefreshDueResult[]> {
  const clock = deps.clock ?? systemClock;
  const projectRoot = deps.projectRoot ?? findProjectRoot(deps.cwd);
  const backendFlag = deps.backendFlag ?? `--backend ${formatBackendAddress(address)}`;
  const backend = await openStateBackend(address, {
    env: deps.env,
    cwd: deps.cwd,
    projectRoot,
    clock,
    createIfMissing: false,
    logger: { warn: (message) => deps.stderr.write(`cdktf-xero: warning: ${message}\n`) },
  });
  try {
    const results: RefreshDueResult[] = [];
    for (const document of await backend.list()) {
      const stored = await backend.read(document);
      if (stored === undefined) continue;
      const decision = decideRefreshDue(stored.values, clock.now());
      const command = `cdktf-xero connect ${document} ${backendFlag}`;
      switch (decision.kind) {
        case "skip":
          continue;
        case "not-due":
          results.push({ document, outcome: "not_due", dueAt: decision.dueAt });
          continue;
        case "needs-consent":
          results.push({ document, outcome: "needs_consent", reason: decision.reason, command });
          continue;
        case "due":
          results.push(await refreshOne(document, command));
      }
    }
    return results;

    async function refreshOne(document: string, command: string): Promise<RefreshDueResult> {
      try {
        await getAccessToken({ backend, document, forceRefresh: true, env: deps.env, cwd: deps.cwd, projectRoot, clock, stderr: deps.stderr, backendFlag });
        const after = await backend.read(document);
        return { document, outcome: "refreshed", nextDueAt: ConnectionOutputs.decode(after?.values).refreshDueAt ?? "" };
      } catch (error) {
        if (error instanceof ConsentRequiredError) return { document, outcome: "needs_consent", reason: error.reason, command };
        if (error instanceof ConnectionNotConsentedError) return { document, outcome: "needs_consent", reason: "nobody has consented to this connection yet", command };
        if (error instanceof CdktfXeroError) return { document, outcome: "failed", code: error.code, message: error.message };
        throw error;
      }
    }
  } finally {
    await backend.close();
  }
}
