import { formatSummary, mean, median, percentile, summarize } from "../../bench/stats";

describe("bench stats", () => {
  it("takes the middle value of an odd sample as its median", () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it("averages the two middle values of an even sample", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("interpolates percentiles between closest ranks", () => {
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40, 50], 100)).toBe(50);
  });

  it("refuses an empty sample", () => {
    expect(() => median([])).toThrow("percentile of an empty sample");
    expect(() => mean([])).toThrow("mean of an empty sample");
  });

  it("refuses a percentile outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow("percentile must be within 0..100, got 101");
  });

  it("summarizes and formats a sample", () => {
    const summary = summarize([1, 2, 3, 4]);
    expect(summary).toEqual({ n: 4, min: 1, p10: 1.3, median: 2.5, p90: 3.7, max: 4, mean: 2.5 });
    expect(formatSummary("x", summary)).toBe("x                            median     2.5 ms  (p10 1.3, p90 3.7, min 1.0, n 4)");
  });
});
