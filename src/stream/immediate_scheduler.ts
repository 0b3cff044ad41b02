/**
 * An rxjs scheduler that runs work in the next turn of the event loop with
 * `setImmediate` — a macrotask, so I/O callbacks interleave, but without the ~2 ms that
 * a `setTimeout(0)` hop (rxjs's `asyncScheduler`) costs in Deno.
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";
import { Subscription } from "../deps.ts";
import type { SchedulerAction, SchedulerLike } from "../deps.ts";

class ImmediateAction<T> extends Subscription implements SchedulerAction<T> {
  #work: (this: SchedulerAction<T>, state?: T) => void;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.#work = work;
    this.add(() => this.#cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.#cancel();
    const run = () => {
      this.#immediate = this.#timer = undefined;
      if (!this.closed) this.#work.call(this, state);
    };
    if (delay > 0) this.#timer = setTimeout(run, delay);
    else this.#immediate = setImmediate(run);
    return this;
  }

  #cancel(): void {
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#immediate = this.#timer = undefined;
  }
}

/**
 * Runs scheduled work with `setImmediate` (or `setTimeout` when a delay is given).
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { immediateScheduler } from "../../mod.ts";
 * const order: string[] = [];
 * await new Promise<void>((done) => {
 *   immediateScheduler.schedule(() => {
 *     order.push("work");
 *     done();
 *   });
 *   order.push("sync");
 * });
 * assertEquals(order, ["sync", "work"]);
 * ```
 */
export const immediateScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ImmediateAction<T>(work).schedule(state, delay);
  },
};
