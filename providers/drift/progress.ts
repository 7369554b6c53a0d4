import type { Clock } from "../clock";
import type { DriftProgress } from "./runner";

/**
 * Progress on stderr while drift runs: on a terminal one line rewritten in place with the count and
 * an ETA (from the rate so far, on the injected clock); otherwise one plain line per resource, for
 * CI logs.
 */
export function stderrProgress(stream: { write(text: string): void; readonly isTTY?: boolean }, clock: Clock): DriftProgress {
  let startedAt = 0;
  return {
    started(total) {
      startedAt = clock.now().getTime();
      if (stream.isTTY === true) stream.write(`cdktf-xero drift: checking ${total} resource${total === 1 ? "" : "s"}…`);
      else stream.write(`cdktf-xero drift: checking ${total} resource${total === 1 ? "" : "s"}\n`);
    },
    checked(resource, done, total) {
      if (stream.isTTY !== true) {
        stream.write(`cdktf-xero drift: checked ${resource} (${done}/${total})\n`);
        return;
      }
      const elapsed = clock.now().getTime() - startedAt;
      const remaining = done === 0 ? 0 : Math.round(((elapsed / done) * (total - done)) / 1000);
      stream.write(`\r\u001b[Kcdktf-xero drift: ${done}/${total} checked, about ${remaining} s left`);
      if (done === total) stream.write("\n");
    },
  };
}
