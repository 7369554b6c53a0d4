/**
 * A length of time, so props say what they mean (`Duration.minutes(5)`) instead of a bare number.
 * Validation of the amount happens where the duration is used, so messages can name the prop.
 */
export class Duration {
  /** @param amount whole seconds */
  static seconds(amount: number): Duration {
    return new Duration(amount, "seconds", 1);
  }

  static minutes(amount: number): Duration {
    return new Duration(amount, "minutes", 60);
  }

  static hours(amount: number): Duration {
    return new Duration(amount, "hours", 3600);
  }

  static days(amount: number): Duration {
    return new Duration(amount, "days", 86_400);
  }

  private constructor(
    private readonly amount: number,
    private readonly unit: "seconds" | "minutes" | "hours" | "days",
    private readonly secondsPerUnit: number,
  ) {}

  /** The duration in seconds (may be fractional or negative if it was built so; users validate). */
  toSeconds(): number {
    return this.amount * this.secondsPerUnit;
  }

  /** For messages: `Duration.minutes(5)`. */
  toString(): string {
    return `Duration.${this.unit}(${this.amount})`;
  }
}
