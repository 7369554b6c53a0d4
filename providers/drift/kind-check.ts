import type { HookSpec } from "../../contract/hook-spec";
import type { SecretReference } from "../../contract/spec-common";
import type { StateBackendAddress } from "../../contract/state-address";
import type { AppDescription } from "../lifecycle/runtime/errors";
import type { StoredDocument } from "../state";
import type { XeroClient } from "../xero/client";
import type { DriftFinding } from "./findings";
import type { DriftBackendReader } from "./run-snapshot-reader";

/**
 * The contract between the kind-independent runner (providers/drift) and each kind's drift check
 * (providers/lifecycle/<kind>/drift.ts). A new kind adds its check to the exhaustive record in
 * kind-checks.ts, or the build fails.
 */

/**
 * The Xero calls a drift check may make: nothing that writes or spends. No revocation, no
 * DELETE /connections, no refresh, no authorization-code exchange (not even the hooks' invalid-code
 * probe): the one token request is client credentials. Every call goes through the call limiter.
 */
export type DriftXeroClient = Pick<XeroClient, "clientId" | "clientCredentials" | "probeAuthorize" | "listConnections" | "decodeAccessToken">;

/** One resource to check. */
export interface DriftTarget<S extends HookSpec = HookSpec> {
  /** The declaration: from the synthesized stack (`stack`), or rebuilt from what the document recorded (`document`). */
  readonly spec: S;
  readonly origin: "stack" | "document";
  /** The resource's document as stored (the runner reports a missing or unreadable one itself). */
  readonly stored: StoredDocument;
}

/** A secret as at deploy, or why it cannot be had where drift runs. */
export type AppSecretResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string; readonly fix: string };

export interface DriftCheckContext {
  /** The injected clock's time for this run. */
  readonly now: Date;
  /** A read-only Xero client for one app; every call goes through the run's limiter. */
  xero(credentials: { readonly clientId: string; readonly clientSecret?: string }): DriftXeroClient;
  /** The backend's documents as this run reads them: each read once, nothing written. */
  backend(address: StateBackendAddress): Promise<DriftBackendReader>;
  /**
   * A Custom Connection's client-credentials token and the scopes it grants (its `scope` claim),
   * asked once per client id and secret in a run (an app and its link share it). Xero's errors are
   * thrown typed (`XeroInvalidClientError`, …).
   */
  customConnectionToken(clientId: string, clientSecret: string): Promise<{ readonly accessToken: string; readonly scopes: readonly string[] }>;
  /**
   * The app's client secret as a deploy would use it: the CURRENT of its rotation
   * (`<app document>/rotation`) once recorded for this client id, else the declared reference.
   */
  appSecret(app: AppDescription & { readonly document: string; readonly backend: StateBackendAddress; readonly reference: SecretReference }): Promise<AppSecretResult>;
}

export interface KindCheckResult {
  readonly findings: readonly DriftFinding[];
  /** What was not checked, and why. */
  readonly notes: readonly string[];
}

export interface KindDriftCheck<S extends HookSpec = HookSpec> {
  readonly kind: S["kind"];
  /** Whether a document found by listing a backend is one of this kind's (backend-only mode). */
  recognises(stored: StoredDocument): boolean;
  /**
   * The declaration rebuilt from what the document recorded (backend-only mode: no checkout), or
   * why it cannot be. Secrets are referenced as the rotation's CURRENT: the only reference a
   * document can name.
   */
  specFromDocument(stored: StoredDocument, backend: StateBackendAddress, others: readonly StoredDocument[]): S | { readonly problem: string };
  check(target: DriftTarget<S>, ctx: DriftCheckContext): Promise<KindCheckResult>;
}
