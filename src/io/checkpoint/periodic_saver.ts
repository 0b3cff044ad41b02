/**
 * Periodic checkpoints that coalesce: at most one save in flight and nothing queued
 * behind it, so memory stays flat and the newest state is what gets saved, whatever the
 * period and however slow the disk.
 *
 * @module
 */

/** Options of {@linkcode PeriodicSaver}. */
export interface PeriodicSaverOptions<T> {
  /** Save when the counter has advanced this much since the last save started; 0 never saves. */
  every: number;
  /** Called after each save that succeeded, with what was saved. @default {nothing} */
  onSaved?: (capture: T) => void;
  /** Called when a save fails (the next one is still attempted). @default {nothing} */
  onError?: (error: unknown, capture: T) => void;
}

/**
 * Runs periodic saves without a queue. {@linkcode PeriodicSaver.tick} is called with a
 * counter (a step, an event count) and a function that captures the state; it captures
 * and starts a save only when one is due and none is in flight. A save that comes due
 * while another is in flight is started at the first tick after that one ends, with
 * the state of that moment. So a kill -9 loses at most the state since the last
 * finished save: one period, or one save's duration when that is longer, plus the
 * save in flight.
 *
 * @typeParam T What one save writes.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PeriodicSaver } from "./periodic_saver.ts";
 * const saved: number[] = [];
 * const saver = new PeriodicSaver<number>(async (step) => { saved.push(step); }, { every: 10 });
 * for (let step = 1; step <= 35; step++) saver.tick(step, () => step); // one save in flight from step 10
 * await saver.idle();
 * assertEquals(saved, [10]);
 * saver.tick(36, () => 36); // due since step 20: saved at once
 * await saver.idle();
 * assertEquals(saved, [10, 36]);
 * ```
 */
export class PeriodicSaver<T> {
  #write: (capture: T) => Promise<unknown>;
  #every: number;
  #onSaved: (capture: T) => void;
  #onError: (error: unknown, capture: T) => void;
  #last = 0;
  #due = false;
  #inFlight: Promise<void> | null = null;

  /**
   * @param write Writes one capture (a checkpoint).
   * @param options The period and the callbacks.
   * @throws {RangeError} When `every` is not an integer >= 0.
   */
  constructor(write: (capture: T) => Promise<unknown>, options: PeriodicSaverOptions<T>) {
    const { every, onSaved = () => {}, onError = () => {} } = options;
    if (!Number.isInteger(every) || every < 0) {
      throw new RangeError(
        `Cannot create PeriodicSaver as 'every' must be an integer >= 0: current value is ${every}`,
      );
    }
    this.#write = write;
    this.#every = every;
    this.#onSaved = onSaved;
    this.#onError = onError;
  }

  /** Whether a save is due but waits for the one in flight. */
  get due(): boolean {
    return this.#due;
  }

  /** Whether a save is in flight. */
  get busy(): boolean {
    return this.#inFlight !== null;
  }

  /**
   * Notes that the counter is at `at`; captures and starts a save when one is due and none is in flight.
   *
   * @param at The counter (steps, events), non-decreasing.
   * @param capture Takes the state to save, at this moment.
   * @returns Whether a save was started.
   */
  tick(at: number, capture: () => T): boolean {
    if (this.#every === 0) return false;
    if (at - this.#last >= this.#every) this.#due = true;
    if (!this.#due || this.#inFlight !== null) return false;
    this.#due = false;
    this.#last = at;
    const value = capture();
    this.#inFlight = this.#write(value).then(
      () => this.#onSaved(value),
      (error) => this.#onError(error, value),
    ).finally(() => {
      this.#inFlight = null;
    });
    return true;
  }

  /** Sets the counter the period counts from (0 unless a resumed run starts later). */
  start(at: number): void {
    this.#last = at;
  }

  /** Resolves when no save is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight !== null) await this.#inFlight;
  }
}
