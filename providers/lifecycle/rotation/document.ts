import { RotationOutputs, type RotationStep } from "../../../contract/rotation";
import { SECRETS_OUTPUT, type OutputValue, type OutputValues, type StateBackend, type StoredDocument } from "../../state";
import type { HookContext } from "../runtime/context";
import {
  appendRotationLog,
  EMPTY_ROTATION_RECORD,
  readRotationRecord,
  readRotationSecrets,
  rotationEnvelopeValues,
  rotationRecordOutputs,
  type RotationRecord,
  type RotationSecrets,
} from "./decisions";

/** One read of a rotation document: the stored document (for its serial), its record and its secrets. */
export interface RotationSnapshot {
  readonly stored: StoredDocument | undefined;
  readonly record: RotationRecord;
  readonly secrets: RotationSecrets;
}

/** The history action of a rotation step (`state history` shows it). */
export function rotationAction(step: RotationStep): string {
  return `rotation:${step}`;
}

/**
 * Reads and writes one rotation document. Every write is a strict compare-and-swap on the serial
 * of the snapshot it starts from (StateConflictError otherwise, nothing written): the protocol holds
 * the document's lock, so a conflict means a writer that skipped it, and the protocol re-reads.
 */
export class RotationDocument {
  constructor(
    private readonly backend: StateBackend,
    readonly name: string,
    private readonly ctx: HookContext,
  ) {}

  async load(): Promise<RotationSnapshot> {
    const stored = await this.backend.read(this.name);
    if (stored === undefined) return { stored, record: EMPTY_ROTATION_RECORD, secrets: {} };
    const secrets = readRotationSecrets(await this.backend.openSecrets(stored));
    for (const value of Object.values(secrets)) if (value !== undefined) this.ctx.registerSecret(value);
    return { stored, record: readRotationRecord(stored.values), secrets };
  }

  /**
   * Writes `secrets` and the record with `changes`, recomputing the fingerprints from the secrets
   * (so an output never disagrees with the envelope). Other outputs are kept as they are.
   */
  async write(
    from: RotationSnapshot,
    secrets: RotationSecrets,
    changes: Partial<RotationRecord> & { readonly step: RotationStep },
    extra: Readonly<Record<string, OutputValue>> = {},
  ): Promise<RotationSnapshot> {
    // Sealed first: with no key configured, sealing creates the embedded default key, and the
    // fingerprints below are keyed with it (computed before, they would be "").
    const envelope = rotationEnvelopeValues(secrets);
    const sealed = Object.keys(envelope).length === 0 ? undefined : await this.backend.sealSecrets(this.name, envelope);
    const record: RotationRecord = {
      ...from.record,
      ...changes,
      currentFingerprint: await this.fingerprint(secrets.current),
      pendingFingerprint: await this.fingerprint(secrets.pending),
    };
    const values: Record<string, OutputValue> = { ...(from.stored?.values ?? {}) };
    delete values[SECRETS_OUTPUT];
    Object.assign(values, rotationRecordOutputs(record, await this.fingerprint(secrets.previous)), extra);
    values[RotationOutputs.names.log] = appendRotationLog(from.stored?.values, { at: record.stepAt, step: changes.step, rotationId: record.rotationId });
    const next: OutputValues = sealed === undefined ? values : { ...values, [SECRETS_OUTPUT]: sealed };
    const stored = await this.backend.write(this.name, from.stored?.serial, next, { action: rotationAction(changes.step) });
    return { stored, record, secrets };
  }

  /** Keyed fingerprint of a secret (`hmac-sha256:<kid>:<hex>`), "" for none. */
  async fingerprint(secret: string | undefined): Promise<string> {
    return secret === undefined ? "" : ((await this.backend.fingerprintSecret(secret)) ?? "");
  }
}
