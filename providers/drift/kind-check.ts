import type { HookSpec } from "../../contract/hook-spec";
import type { SecretReference } from "../../contract/spec-common";
import type { StateBackendAddress } from "../../contract/state-address";
import type { AppDescription } from "../lifecycle/runtime/errors";
import type { Clock } from "../clock";
import type { StateBackend, StoredDocument } from "../state";
import type { TokenSetStore, VendedAccessToken } from "../tokens/locked-refresh";
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
 * probe): the one token request here is client credentials. Every call goes through the call limiter.
 * (A consented connection's refresh happens only inside {@link DriftCheckContext.vendAccessToken}.)
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

/** The consented app whose token set a drift check asks an access token of. */
export interface DriftVendApp {
  readonly clientId: string;
  /** A Web app's secret, resolved only when a refresh is needed; absent for a PKCE app. */
  readonly clientSecret?: () => Promise<AppSecretResult>;
}

/** Where a consented connection's token set lives, for {@link DriftCheckContext.vendAccessToken}. */
export interface DriftTokenSetLocation {
  readonly backend: StateBackendAddress;
  /**
   * The token vending protocol's store over the opened backend (the connection kind's
   * `documentTokenSetStore`): the context opens the backend for writing, which checks otherwise
   * only read.
   */
  readonly store: (backend: StateBackend) => TokenSetStore;
}

/** What {@link DriftCheckContext.vendAccessToken} answers. */
export type DriftVendAnswer =
  /** An access token from the locked vending path (the cached one, or a refresh made under the document's lock). */
  | { readonly kind: "vended"; readonly token: VendedAccessToken }
  /** `--no-refresh`, and the cached access token is not good: nothing was sent. */
  | { readonly kind: "refresh_not_allowed"; readonly why: string }
  /** A refresh was needed and the Web app's secret cannot be resolved where drift runs: nothing was sent. */
  | { readonly kind: "secret_unavailable"; readonly problem: string; readonly fix: string }
  /** The record holds no usable token set (never consented, or a new consent needed): nothing was sent or written. */
  | { readonly kind: "no_token_set"; readonly why: "not_connected" | "needs_consent"; readonly reason?: string };

export interface DriftCheckContext {
  /** The injected clock's time for this run. */
  readonly now: Date;
  /** The run's clock (`--as-of` included): what the token vending protocol records its times with. */
  readonly clock: Clock;
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
  /**
   * An access token of a consented connection's token set, ONLY through the token vending protocol
   * (providers/tokens/locked-refresh.ts `vendAccessToken`, with the run's limiter and clock): the
   * cached access token while it is good, else one refresh under the document's lock with the
   * write-ahead record and the compare-and-swap write, exactly what any consumer's `token` call does.
   * Never a forced refresh. With `--no-refresh` it sends nothing once the cached token is not good.
   *
   * Why this refresh is allowed when DriftXeroClient has none: a refresh token rotates on use, so a
   * refresh outside the lock and the write-ahead record (a "raw" `XeroClient.refresh`) would leave
   * two holders of one token set and could lose it; through the protocol, drift is one more consumer
   * that the lock serialises, and its new token set is stored the same way a `token` call stores it.
   * The refresh grant itself never reaches a check.
   */
  vendAccessToken(tokenSet: DriftTokenSetLocation, app: DriftVendApp): Promise<DriftVendAnswer>;
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
  /**
   * Whether {@link specFromDocument} needs the backend's other documents for this one. The runner
   * checks the resources that do not while it still reads the backend, and holds back those that do
   * until every document is read; they get `others` empty otherwise.
   */
  specNeedsOtherDocuments(stored: StoredDocument): boolean;
  check(target: DriftTarget<S>, ctx: DriftCheckContext): Promise<KindCheckResult>;
}
