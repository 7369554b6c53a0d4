import { ManualClock } from "../../providers/clock";
import { stderrProgress } from "../../providers/drift";

function stream(isTTY: boolean): { text: string; isTTY: boolean; write(chunk: string): void } {
  return { text: "", isTTY, write(chunk) { this.text += chunk; } };
}

describe("drift's progress on stderr", () => {
  it("writes one plain line per resource when stderr is no terminal", () => {
    const out = stream(false);
    const progress = stderrProgress(out, new ManualClock());
    progress.started(2);
    progress.checked("billing/Sync", 1, 2);
    progress.checked("billing/SyncLink", 2, 2);
    expect(out.text).toBe("cdktf-xero drift: checking 2 resources\ncdktf-xero drift: checked billing/Sync (1/2)\ncdktf-xero drift: checked billing/SyncLink (2/2)\n");
  });

  it("writes the plain lines of a fast run together, at most every 200 ms and with the last one", () => {
    const out = stream(false);
    const clock = new ManualClock();
    const progress = stderrProgress(out, clock);
    progress.started(3);
    progress.checked("a/B", 1, 3);
    const afterFirst = out.text;
    clock.advance(200);
    progress.checked("a/C", 2, 3);
    const afterSecond = out.text;
    progress.checked("a/D", 3, 3);
    expect([afterFirst, afterSecond, out.text]).toEqual([
      "cdktf-xero drift: checking 3 resources\n",
      "cdktf-xero drift: checking 3 resources\ncdktf-xero drift: checked a/B (1/3)\ncdktf-xero drift: checked a/C (2/3)\n",
      "cdktf-xero drift: checking 3 resources\ncdktf-xero drift: checked a/B (1/3)\ncdktf-xero drift: checked a/C (2/3)\ncdktf-xero drift: checked a/D (3/3)\n",
    ]);
  });

  it("rewrites one line with the count and an ETA from the rate so far on a terminal", () => {
    const out = stream(true);
    const clock = new ManualClock();
    const progress = stderrProgress(out, clock);
    progress.started(4);
    clock.advance(2_000);
    progress.checked("a/B", 1, 4);
    clock.advance(2_000);
    progress.checked("a/C", 2, 4);
    expect(out.text).toBe(
      "cdktf-xero drift: checking 4 resources…" +
        "\r\u001b[Kcdktf-xero drift: 1/4 checked, about 6 s left" +
        "\r\u001b[Kcdktf-xero drift: 2/4 checked, about 4 s left",
    );
  });
});
