/**
 * The emulator's time: it starts at `startTime`, runs with real time, and jumps forward when an
 * admin moves it (so 30-minute and 60-day rules are tested without waiting).
 */
export class EmulatorClock {
  private offsetMs = 0;
  private readonly realStartMs: number;
  private readonly startMs: number;

  constructor(start: Date | undefined, private readonly realNowMs: () => number = Date.now) {
    this.realStartMs = realNowMs();
    this.startMs = (start ?? new Date(this.realStartMs)).getTime();
  }

  now(): Date {
    return new Date(this.startMs + (this.realNowMs() - this.realStartMs) + this.offsetMs);
  }

  advance(seconds: number): Date {
    this.offsetMs += seconds * 1000;
    return this.now();
  }
}
