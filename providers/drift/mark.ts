import { CommonOutputs } from "../../contract/document-codec";
import type { StateBackendAddress } from "../../contract/state-address";
import type { Clock } from "../clock";
import { openStateBackend, type OpenStateBackendOptions, type StateBackend } from "../state";
import { counts, type ResourceReport } from "./findings";
import { parseBackendAddress } from "../../contract/state-address";

/**
 * `drift --mark`: records each drifted resource's findings in its document and bumps its
 * `generation`, the out-of-band trigger (design.md), so the next `cdktf diff` replaces exactly those
 * resources' hooks and `cdktf deploy` re-proves them (failing with the hook's own fix while a person
 * must still act in Xero). The hook's next apply keeps the higher generation and clears the marks.
 * The only write drift makes, and only to the state backend.
 */

export interface MarkedResource {
  readonly resource: string;
  readonly generation: number;
  readonly findings: readonly string[];
}

/** Findings that a replacement cannot answer: there is no document to bump. */
const UNMARKABLE = new Set(["document.missing", "document.unreadable"]);

export async function markDrifted(
  resources: readonly ResourceReport[],
  deps: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string; readonly clock: Clock; readonly openBackend?: (address: StateBackendAddress, options: OpenStateBackendOptions) => Promise<StateBackend> },
): Promise<MarkedResource[]> {
  const marked: MarkedResource[] = [];
  const open = deps.openBackend ?? openStateBackend;
  const backends = new Map<string, StateBackend>();
  try {
    for (const resource of resources) {
      const codes = [...new Set(resource.findings.filter(counts).map((finding) => finding.code))].filter((code) => !UNMARKABLE.has(code)).sort();
      if (codes.length === 0 || resource.error !== undefined) continue;
      let backend = backends.get(resource.backend);
      if (backend === undefined) {
        const address = parseBackendAddress(resource.backend);
        if (address === undefined) continue;
        backend = await open(address, { env: deps.env, clock: deps.clock, cwd: deps.cwd, projectRoot: deps.cwd, createIfMissing: false, createDefaultKey: false });
        backends.set(resource.backend, backend);
      }
      let generation = 0;
      const stored = await backend.update(resource.resource, (current) => {
        if (current === undefined) return undefined;
        const recorded = current.values[CommonOutputs.names.generation];
        generation = (typeof recorded === "number" ? recorded : 0) + 1;
        return { ...current.values, [CommonOutputs.names.generation]: generation, [CommonOutputs.names.driftFindings]: codes, [CommonOutputs.names.driftMarkedAt]: deps.clock.now().toISOString() };
      }, { action: "drift:marked" });
      if (stored !== undefined) marked.push({ resource: resource.resource, generation, findings: codes });
    }
  } finally {
    await Promise.all([...backends.values()].map((backend) => backend.close()));
  }
  return marked;
}
