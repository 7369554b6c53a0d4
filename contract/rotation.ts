/**
 * The secret rotation kind (`XeroSecretRotation`, a staged, resumable rotation of one app's client
 * secret; providers/lifecycle has the protocol): its spec, its rules (the one validator the
 * construct runs at synth and the hook at run time), its document outputs and their status
 * defaults, and its policy numbers. Pure data, no I/O.
 */
import { CommonOutputFields, documentCodec, listOutput, textOutput } from "./document-codec";
import {
  APP_KIND_LABEL,
  describeValue,
  sameBackend,
  type HookSpecBase,
  type KindFields,
  type SecretReference,
  type SpecReader,
} from "./spec-common";
import type { StateBackendAddress } from "./state-address";

/** The app kinds that have a client secret to rotate (PKCE apps have none). */
export type RotatedAppKind = "web" | "custom_connection";
export const ROTATED_APP_KINDS: readonly RotatedAppKind[] = ["web", "custom_connection"];

/** What a rotation knows about the app whose client secret it rotates. */
export interface RotatedAppSpec {
  /** The app registration's document; the rotation's own is {@link rotationDocumentFor} of it. */
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly appName: string;
  readonly appKind: RotatedAppKind;
  readonly clientId: string;
  /** The app's declared secret: the first CURRENT when the rotation bootstraps. */
  readonly clientSecret: SecretReference;
  readonly scopes: readonly string[];
}

/** What `hook apply` does when the secret is overdue and nothing is staged. */
export type OverdueAction = "warn" | "fail";
export const OVERDUE_ACTIONS: readonly OverdueAction[] = ["warn", "fail"];

/**
 * `XeroSecretRotation`: a staged, resumable rotation of one app's client secret. The document is
 * always `rotationDocumentFor(app.document)`, in the app's backend; its `secrets` envelope holds
 * `current`, `pending` and `previous`.
 */
export interface SecretRotationSpec extends HookSpecBase {
  readonly kind: "secret_rotation";
  readonly app: RotatedAppSpec;
  /** Policy: a CURRENT older than this is overdue. Whole seconds, at least 1. */
  readonly maxAgeSeconds: number;
  /** How long PREVIOUS stays recorded after a promotion, for consumers still on it. Whole seconds, 0 or more. */
  readonly keepPreviousSeconds: number;
  readonly onOverdue: OverdueAction;
}

const ROTATION_DOCUMENT_SUFFIX = "/rotation";

/** The rotation document of an app: `<app document>/rotation`, in the app's backend. */
export function rotationDocumentFor(appDocument: string): string {
  return `${appDocument}${ROTATION_DOCUMENT_SUFFIX}`;
}

/** The app document a rotation document belongs to, or undefined when `document` is no rotation document. */
export function appDocumentOfRotation(document: string): string | undefined {
  return document.endsWith(ROTATION_DOCUMENT_SUFFIX) ? document.slice(0, -ROTATION_DOCUMENT_SUFFIX.length) : undefined;
}

const SECONDS_PER_DAY = 86_400;

/** The policy numbers of a rotation. */
export const RotationPolicy = {
  /** The longest `maxAgeSeconds` / `keepPreviousSeconds` a rotation accepts: ten years. */
  maxSeconds: 10 * 366 * SECONDS_PER_DAY,
  /** The least each may be: a CURRENT is overdue after at least a second; PREVIOUS may go at once. */
  minMaxAgeSeconds: 1,
  minKeepPreviousSeconds: 0,
  /** The default maxAge: 90 days. */
  defaultMaxAgeSeconds: 90 * SECONDS_PER_DAY,
  /** The default keepPrevious: 7 days (a weekly job or cache still finds the secret it started with). */
  defaultKeepPreviousSeconds: 7 * SECONDS_PER_DAY,
  /** The share of maxAge after which every plan and apply warns. */
  warnFraction: 0.8,
  /** Under this maxAge the construct warns: the secret falls due between most deploys. */
  shortMaxAgeSeconds: SECONDS_PER_DAY,
} as const;

/** Seconds after `rotatedAt` at which a CURRENT reaches the warning point ({@link RotationPolicy.warnFraction} of maxAge). */
export function warnAfterSeconds(maxAgeSeconds: number): number {
  return Math.floor(maxAgeSeconds * RotationPolicy.warnFraction);
}

/** Why `seconds` cannot be a rotation duration of at least `minimum`, or undefined. */
export function rotationSecondsProblem(seconds: number, minimum: number): string | undefined {
  const { maxSeconds } = RotationPolicy;
  return Number.isInteger(seconds) && seconds >= minimum && seconds <= maxSeconds
    ? undefined
    : `must be a whole number of seconds from ${minimum} to ${maxSeconds} (${maxSeconds / SECONDS_PER_DAY} days)`;
}

/** Warnings for policies that are valid but probably not meant (a test's tiny maxAge, a previous outliving its successor). */
export function rotationPolicyWarnings(
  maxAge: { readonly seconds: number; readonly shown: string },
  keepPrevious: { readonly seconds: number; readonly shown: string },
): string[] {
  const warnings: string[] = [];
  if (maxAge.seconds < RotationPolicy.shortMaxAgeSeconds) {
    warnings.push(`maxAge ${maxAge.shown} is shorter than a day: the secret falls due between most deploys; use days for a real policy`);
  }
  if (keepPrevious.seconds > maxAge.seconds) {
    warnings.push(`keepPrevious ${keepPrevious.shown} is longer than maxAge ${maxAge.shown}: a rotation on schedule replaces the previous secret before it expires`);
  }
  return warnings;
}

/** Why a PKCE app cannot be rotated, for the construct's `app` and the spec's `app.appKind`. */
export const PKCE_HAS_NO_SECRET = `a ${APP_KIND_LABEL.pkce}, which has no client secret to rotate (Xero issues PKCE apps none)`;

/** Reads a rotation's own fields from a spec and checks them, and the document and backend against the app's. */
export function readRotation(reader: SpecReader, base: HookSpecBase): KindFields<SecretRotationSpec> {
  const appReader = reader.child("app");
  const app: RotatedAppSpec =
    appReader.object === undefined
      ? { document: "", backend: { type: "local", dir: "" }, appName: "", appKind: "web", clientId: "", clientSecret: { source: "env", name: "" }, scopes: [] }
      : appReader.finish({
          document: appReader.document("document"),
          backend: appReader.backend("backend"),
          appName: appReader.text("appName"),
          appKind: appReader.oneOf("appKind", ROTATED_APP_KINDS) ?? "web",
          clientId: appReader.text("clientId"),
          clientSecret: appReader.secret("clientSecret"),
          scopes: appReader.scopes("scopes"),
        });
  const seconds = (key: string, minimum: number): number => {
    const value = reader.get(key);
    const problem = rotationSecondsProblem(typeof value === "number" ? value : Number.NaN, minimum);
    if (problem === undefined) return value as number;
    reader.problems.push(`${reader.path}.${key} ${problem}, got ${describeValue(value)}`);
    return minimum;
  };
  const fields = {
    app,
    maxAgeSeconds: seconds("maxAgeSeconds", RotationPolicy.minMaxAgeSeconds),
    keepPreviousSeconds: seconds("keepPreviousSeconds", RotationPolicy.minKeepPreviousSeconds),
    onOverdue: reader.oneOf("onOverdue", OVERDUE_ACTIONS) ?? "warn",
  };
  if (app.document !== "") {
    const expected = rotationDocumentFor(app.document);
    if (base.document !== "" && base.document !== expected) {
      reader.problems.push(`${reader.path}.document must be ${JSON.stringify(expected)} (the app's document + "/rotation"), got ${JSON.stringify(base.document)}`);
    }
    if (!sameBackend(base.backend, app.backend)) {
      reader.problems.push(`${reader.path}.backend must be the app's backend (${JSON.stringify(app.backend)}), got ${JSON.stringify(base.backend)}`);
    }
  }
  return fields;
}

/**
 * Protocol steps, in the order a rotation passes them. Each is recorded before the action it names:
 * `staged` (PENDING written), `testing` (about to prove PENDING), `test_failed`, `promoted` (one CAS:
 * PENDING → CURRENT → PREVIOUS), `finished` (PREVIOUS dropped), `bootstrapped` (first CURRENT taken
 * from the app's declared secret, once proved), `pending_cleared` (`hook destroy` dropped PENDING, or
 * PENDING equalled CURRENT).
 */
export const ROTATION_STEPS = ["bootstrapped", "staged", "testing", "test_failed", "promoted", "finished", "pending_cleared"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** Keys inside a rotation document's `secrets` envelope. */
export const RotationSecretKeys = { current: "current", pending: "pending", previous: "previous" } as const;

/** The reference to an app's CURRENT secret as its rotation records it (`<app document>/rotation`, key `current`). */
export function rotationCurrentReference(appDocument: string): SecretReference {
  return { source: "state", document: rotationDocumentFor(appDocument), key: RotationSecretKeys.current };
}

/** Whether `reference` is {@link rotationCurrentReference} of `appDocument`: a document that recorded no reference of its own. */
export function isRotationCurrentReference(reference: SecretReference, appDocument: string): boolean {
  return reference.source === "state" && reference.document === rotationDocumentFor(appDocument) && reference.key === RotationSecretKeys.current;
}

/**
 * A rotation document's outputs, written by `hook apply` of a `secret_rotation` spec and by
 * `cdktf-xero secret stage`. Timestamps are RFC 3339 UTC; "" means none. Secret values live only in
 * the `secrets` envelope, under {@link RotationSecretKeys}; the plain outputs carry keyed fingerprints.
 */
export const RotationOutputs = documentCodec({
  ...CommonOutputFields,
  /** Keyed fingerprint of CURRENT (`hmac-sha256:<kid>:<hex>`), "" before the first apply. */
  currentFingerprint: textOutput("current_fingerprint", ""),
  /** When CURRENT became current. */
  rotatedAt: textOutput("rotated_at", ""),
  /** When CURRENT becomes overdue: `rotated_at + maxAge`. */
  nextDue: textOutput("next_due", ""),
  /** When PREVIOUS is dropped; "" when there is no PREVIOUS. */
  previousExpiresAt: textOutput("previous_expires_at", ""),
  /** Keyed fingerprint of PENDING; "" when nothing is staged. */
  pendingFingerprint: textOutput("pending_fingerprint", ""),
  /** The id of the rotation in flight or last promoted; "" before the first stage. */
  rotationId: textOutput("rotation_id", ""),
  /** The last protocol step recorded (see {@link RotationStep}). */
  step: textOutput<RotationStep | "", "step">("step", ""),
  /** When `step` was recorded. */
  stepAt: textOutput("step_at"),
  /** When PENDING was staged. */
  pendingStagedAt: textOutput("pending_staged_at"),
  /** Keyed fingerprint of PREVIOUS; "" when there is none. */
  previousFingerprint: textOutput("previous_fingerprint"),
  /**
   * The rotation's own audit trail, one line per protocol step (`<at> <step> <rotation id>`), written
   * in the same atomic write as the step itself. The backend's history says the same, but a local
   * backend may lose the line of a write cut off between the document and its history file; this log cannot.
   */
  log: listOutput("rotation_log"),
});
