import { NEVER_DUE } from "../../../contract/document-codec";
import { ROTATION_STEPS, RotationOutputs, RotationSecretKeys, warnAfterSeconds, type RotationStep } from "../../../contract/rotation";
import type { OutputValue, OutputValues } from "../../state";

/**
 * The rotation document as the protocol sees it, and the pure decisions about it: what to do next,
 * when the next scheduled run is wanted, whether the secret is overdue. No I/O: the protocol
 * (protocol.ts) reads, decides here, acts, and writes.
 */

/** The three secrets of a rotation (AWS's AWSCURRENT / AWSPENDING / AWSPREVIOUS). Values, never logged. */
export interface RotationSecrets {
  readonly current?: string;
  readonly pending?: string;
  readonly previous?: string;
}

/** The plain (non-secret) outputs of a rotation document, validated. "" means none. */
export interface RotationRecord {
  readonly generation: number;
  readonly dueAt: string;
  readonly currentFingerprint: string;
  readonly rotatedAt: string;
  readonly nextDue: string;
  readonly previousExpiresAt: string;
  readonly pendingFingerprint: string;
  readonly rotationId: string;
  readonly step: RotationStep | "";
  /** When `step` was recorded. */
  readonly stepAt: string;
  /** When PENDING was staged. */
  readonly pendingStagedAt: string;
}

/** Lines kept in `rotation_log`. */
export const ROTATION_LOG_LIMIT = 50;

/** `rotation_log` with one more line for `step`. */
export function appendRotationLog(values: OutputValues | undefined, line: { at: string; step: RotationStep; rotationId: string }): string[] {
  const current = values?.[RotationOutputs.names.log];
  const lines = Array.isArray(current) ? current.filter((item): item is string => typeof item === "string") : [];
  return [...lines, `${line.at} ${line.step} ${line.rotationId === "" ? "-" : line.rotationId}`].slice(-ROTATION_LOG_LIMIT);
}

export const EMPTY_ROTATION_RECORD: RotationRecord = {
  generation: 0,
  dueAt: NEVER_DUE,
  currentFingerprint: "",
  rotatedAt: "",
  nextDue: "",
  previousExpiresAt: "",
  pendingFingerprint: "",
  rotationId: "",
  step: "",
  stepAt: "",
  pendingStagedAt: "",
};

/**
 * Reads the plain rotation outputs of a stored document. Outputs of the wrong type count as absent:
 * they are ours, and the protocol rewrites them from the secrets, which are the source of truth.
 */
export function readRotationRecord(values: OutputValues | undefined): RotationRecord {
  const stored: Partial<Record<string, unknown>> = RotationOutputs.decode(values);
  // The record's own fields only: every other output (drift's marks, the bookkeeping) stays the runtime's to write.
  const record = Object.fromEntries(
    Object.entries(EMPTY_ROTATION_RECORD).map(([key, empty]) => [key, stored[key] ?? empty]),
  ) as unknown as RotationRecord;
  return { ...record, step: (ROTATION_STEPS as readonly string[]).includes(String(stored["step"] ?? "")) ? (stored["step"] as RotationStep) : "" };
}

/** The secrets envelope's values as rotation secrets; other keys are ignored (and dropped on the next write). */
export function readRotationSecrets(values: Readonly<Record<string, string>>): RotationSecrets {
  const pick = (key: string): string | undefined => {
    const value = values[key];
    return value === undefined || value === "" ? undefined : value;
  };
  const current = pick(RotationSecretKeys.current);
  const pending = pick(RotationSecretKeys.pending);
  const previous = pick(RotationSecretKeys.previous);
  return {
    ...(current === undefined ? {} : { current }),
    ...(pending === undefined ? {} : { pending }),
    ...(previous === undefined ? {} : { previous }),
  };
}

/** The envelope content for `secrets`: only the keys that hold a secret. */
export function rotationEnvelopeValues(secrets: RotationSecrets): Record<string, string> {
  const values: Record<string, string> = {};
  if (secrets.current !== undefined) values[RotationSecretKeys.current] = secrets.current;
  if (secrets.pending !== undefined) values[RotationSecretKeys.pending] = secrets.pending;
  if (secrets.previous !== undefined) values[RotationSecretKeys.previous] = secrets.previous;
  return values;
}

/** The plain outputs for a record (the `secrets` envelope is added by the writer). */
export function rotationRecordOutputs(record: Partial<RotationRecord>, previousFingerprint: string): Record<string, OutputValue> {
  return RotationOutputs.encode({ ...record, previousFingerprint });
}

/** What the protocol does next, given the secrets and the time. One action per pass; the protocol loops until `done`. */
export type RotationAction =
  /** No CURRENT and nothing staged: take the app's declared secret as CURRENT (after proving it). */
  | { readonly kind: "bootstrap" }
  /** PENDING equals CURRENT (only possible by hand): drop PENDING, nothing to rotate. */
  | { readonly kind: "discard_pending" }
  /** PENDING present: test it, then promote it in one compare-and-swap. */
  | { readonly kind: "test_and_promote" }
  /** PREVIOUS has outlived keepPrevious: drop it. */
  | { readonly kind: "finish" }
  | { readonly kind: "done" };

export function nextRotationAction(secrets: RotationSecrets, record: RotationRecord, now: Date): RotationAction {
  if (secrets.pending !== undefined) {
    return secrets.pending === secrets.current ? { kind: "discard_pending" } : { kind: "test_and_promote" };
  }
  if (secrets.current === undefined) return { kind: "bootstrap" };
  if (secrets.previous !== undefined && isPast(record.previousExpiresAt, now)) return { kind: "finish" };
  return { kind: "done" };
}

/** Whether an RFC 3339 time has come; "" (none) never has, an unreadable one has (so it gets rewritten). */
function isPast(at: string, now: Date): boolean {
  if (at === "") return false;
  const time = Date.parse(at);
  return Number.isNaN(time) || time <= now.getTime();
}

const DAY_MS = 86_400_000;

/** Where a CURRENT stands against the maxAge policy. */
export interface RotationSchedule {
  /** `rotatedAt + maxAge`. */
  readonly nextDue: Date;
  /** `rotatedAt + 80% of maxAge`. */
  readonly warnAt: Date;
  readonly overdue: boolean;
  /** From 80% of maxAge until overdue. */
  readonly warning: boolean;
  /** Whole days since `rotatedAt` (for messages). */
  readonly ageDays: number;
  /**
   * When the next scheduled run is wanted: the earliest of the 80% mark, the maxAge deadline and
   * PREVIOUS's expiry that is still ahead, or tomorrow once overdue (a daily reminder). Always after
   * `now`, so the plan after an apply is clean.
   */
  readonly dueAt: Date;
}

export function rotationSchedule(input: {
  readonly rotatedAt: Date;
  readonly maxAgeSeconds: number;
  readonly previousExpiresAt: Date | undefined;
  readonly now: Date;
}): RotationSchedule {
  const { rotatedAt, maxAgeSeconds, previousExpiresAt, now } = input;
  const nextDue = new Date(rotatedAt.getTime() + maxAgeSeconds * 1000);
  const warnAt = new Date(rotatedAt.getTime() + warnAfterSeconds(maxAgeSeconds) * 1000);
  const overdue = now.getTime() >= nextDue.getTime();
  const warning = !overdue && now.getTime() >= warnAt.getTime();
  const ahead = [warnAt, nextDue, ...(previousExpiresAt === undefined ? [] : [previousExpiresAt])].filter((at) => at.getTime() > now.getTime());
  if (overdue) ahead.push(new Date(now.getTime() + DAY_MS));
  const earliest = Math.min(...ahead.map((at) => at.getTime()));
  return {
    nextDue,
    warnAt,
    overdue,
    warning,
    ageDays: Math.floor((now.getTime() - rotatedAt.getTime()) / DAY_MS),
    dueAt: new Date(earliest),
  };
}
