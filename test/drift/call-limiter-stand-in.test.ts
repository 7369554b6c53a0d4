import { createXeroCallLimiter } from "../../providers/drift";

describe("the stand-in call limiter", () => {
  it("never runs more calls at once than its concurrency, and runs them all", async () => {
    const limiter = createXeroCallLimiter({ concurrency: 3 });
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const calls = Array.from({ length: 10 }, (_, index) =>
      limiter.run({ clientId: "C" }, async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((release) => releases.push(release));
        running -= 1;
        return index;
      }),
    );
    while (releases.length > 0 || running > 0) {
      await new Promise((next) => setImmediate(next));
      releases.splice(0).forEach((release) => release());
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it("refuses a concurrency below 1", () => {
    expect(() => createXeroCallLimiter({ concurrency: 0 })).toThrow("concurrency must be a whole number of at least 1, got 0");
  });
});
