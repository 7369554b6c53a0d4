import { pollLock, type LockAttempt, type LockPollTiming } from "../../providers/state/poll-lock";

/** A clock that moves only when the loop sleeps: no test here waits for real time. */
function fakeTiming(random = (): number => 0.5): LockPollTiming & { readonly sleeps: number[]; now: number } {
  const timing = {
    now: 0,
    sleeps: [] as number[],
    monotonicNow: () => timing.now,
    sleep: async (ms: number) => {
      timing.sleeps.push(ms);
      timing.now += ms;
    },
    random,
  };
  return timing;
}

/** An attempt function that answers from a script, then stays busy. */
function scripted<T>(answers: LockAttempt<T, string>[]): { attempt: () => Promise<LockAttempt<T, string>>; calls: () => number } {
  let calls = 0;
  return {
    attempt: async () => {
      calls += 1;
      return answers.shift() ?? { busy: "the last holder" };
    },
    calls: () => calls,
  };
}

describe("pollLock", () => {
  it("returns what the first successful try acquired, without pausing", async () => {
    const timing = fakeTiming();
    const script = scripted<string>([{ acquired: "the lock" }]);
    await expect(
      pollLock({ timeoutMs: 1000, minPollMs: 10, maxPollMs: 100, attempt: script.attempt, timedOut: () => new Error("no"), timing }),
    ).resolves.toBe("the lock");
    expect(timing.sleeps).toEqual([]);
  });

  it("pauses 1.5 times longer after each busy try, up to maxPollMs, scaled by the injected jitter", async () => {
    const timing = fakeTiming(() => 0.5);
    const script = scripted<string>([{ busy: "a" }, { busy: "a" }, { busy: "a" }, { busy: "a" }, { busy: "a" }, { acquired: "the lock" }]);
    await pollLock({ timeoutMs: 10_000, minPollMs: 40, maxPollMs: 100, attempt: script.attempt, timedOut: () => new Error("no"), timing });
    expect(timing.sleeps).toEqual([40, 60, 90, 100, 100]);
  });

  it("spreads pauses over half to one and a half times the step with the jitter source", async () => {
    const low = fakeTiming(() => 0);
    const high = fakeTiming(() => 0.75);
    for (const timing of [low, high]) {
      const script = scripted<string>([{ busy: "a" }, { acquired: "the lock" }]);
      await pollLock({ timeoutMs: 1000, minPollMs: 40, maxPollMs: 100, attempt: script.attempt, timedOut: () => new Error("no"), timing });
    }
    expect([low.sleeps, high.sleeps]).toEqual([[20], [50]]);
  });

  it("tries again at once after a retry, without a pause", async () => {
    const timing = fakeTiming();
    const script = scripted<string>(["retry", "retry", { acquired: "the lock" }]);
    await pollLock({ timeoutMs: 0, minPollMs: 10, maxPollMs: 100, attempt: script.attempt, timedOut: () => new Error("no"), timing });
    expect([script.calls(), timing.sleeps]).toEqual([3, []]);
  });

  it("throws the timedOut error for the last holder seen once a busy try finds the deadline passed", async () => {
    const timing = fakeTiming();
    const script = scripted<string>([{ busy: "first" }, { busy: "second" }]);
    const attempt = pollLock({
      timeoutMs: 20,
      minPollMs: 20,
      maxPollMs: 100,
      attempt: script.attempt,
      timedOut: (holder) => new Error(`held by ${holder}`),
      timing,
    });
    await expect(attempt).rejects.toThrow("held by second");
    expect(timing.sleeps).toEqual([20]);
  });

  it("tries once with a zero timeout before giving up", async () => {
    const timing = fakeTiming();
    const script = scripted<string>([]);
    await expect(
      pollLock({ timeoutMs: 0, minPollMs: 10, maxPollMs: 100, attempt: script.attempt, timedOut: async (h) => new Error(h), timing }),
    ).rejects.toThrow("the last holder");
    expect(script.calls()).toBe(1);
  });
});
