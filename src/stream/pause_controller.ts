/**
 * A pause switch shared by a pausable source and the consumer that throttles it.
 *
 * @module
 */

/**
 * Lets a consumer ask a source to stop reading (and resume later). Sources that accept
 * a `pause` option ({@linkcode fromFile}, {@linkcode fromStdin}, {@linkcode fromHttpLines},
 * {@linkcode fromSse}, {@linkcode fromIngest}) check it before emitting each line and
 * stop reading their stream while it is paused, so the operating system's buffers (and
 * TCP flow control) hold the backlog instead of memory. {@linkcode backpressure} with
 * the `"pause"` policy drives it.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { PauseController } from "./pause_controller.ts";
 * const pause = new PauseController();
 * pause.pause();
 * const resumed = pause.whenResumed();
 * pause.resume();
 * await resumed;
 * assert(!pause.paused && pause.pauses === 1);
 * ```
 */
export class PauseController {
  #paused = false;
  #waiters: Array<() => void> = [];
  #pauses = 0;

  /** Whether the source should stop reading. */
  get paused(): boolean {
    return this.#paused;
  }

  /** How many times {@linkcode PauseController.pause} switched from running to paused. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Asks the source to stop reading (idempotent). */
  pause(): void {
    if (!this.#paused) this.#pauses++;
    this.#paused = true;
  }

  /** Lets the source read again (idempotent) and wakes every waiter. */
  resume(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * A promise that settles when the controller is not paused (at once if it is not),
   * or when `signal` aborts (so a source torn down while paused does not hang).
   *
   * @param signal Optional abort signal that also settles the promise.
   * @returns A promise that resolves, never rejects.
   */
  whenResumed(signal?: AbortSignal): Promise<void> {
    if (!this.#paused || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
