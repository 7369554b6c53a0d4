import type { Clock } from "../clock";
import type { DriftProgress } from "./runner";

/**
 * Progress on stderr while drift runs: on a terminal one line rewritten in place with the count and
 * an ETA (from the rate so far, on the injected clock); otherwise one plain line per resource, for
 * CI logs. The plain lines are written together at most every {@link PLAIN_LINES_EVERY_MS} (and
 * with the last one): stderr on a pipe is written synchronously, and a write per resource cost a
 * large run more than its own checking.
 */
export const PLAIN_LINES_EVERY_MS = 200;

export function stderrProgress(stream: { write(text: string): void; readonly isTTY?: boolean }, clock: Clock): DriftProgress {
  let startedAt = 0;
  let pending = "";
  let flushedAt = 0;
  return {
    started(total) {
      startedAt = clock.now().getTime();
      flushedAt = startedAt;
      if (stream.isTTY === true) stream.write(`cdktf-xero drift: checking ${total} resource${total === 1 ? "" : "s"}…`);
      else stream.write(`cdktf-xero drift: checking ${total} resource${total === 1 ? "" : "s"}\n`);
    },
    checked(resource, done, total) {
      if (stream.isTTY !== true) {
        pending += `cdktf-xero drift: checked ${resource} (${done}/${total})\n`;
        const now = clock.now().getTime();
        if (done === total || now - flushedAt >= PLAIN_LINES_EVERY_MS) {
          stream.write(pending);
          pending = "";
          flushedAt = now;
        }
        return;
      }
      const elapsed = clock.now().getTime() - startedAt;
      const remaining = done === 0 ? 0 : Math.round(((elapsed / done) * (total - done)) / 1000);
      stream.write(`\r\u001b[Kcdktf-xero drift: ${done}/${total} checked, about ${remaining} s left`);
      if (done === total) stream.write("\n");
    },
  };
}
