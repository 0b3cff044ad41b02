/**
 * A bounded queue between a fast feed and a slow consumer, with an explicit overflow policy.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import { immediateScheduler } from "./immediate_scheduler.ts";
import { subscribeLinked } from "./operate.ts";
import type { OperatorFunction, SchedulerLike, Subscription } from "../deps.ts";
import type { PauseController } from "./pause_controller.ts";

/**
 * What {@linkcode backpressure} does with an event that arrives when the queue is full:
 * - `"drop-oldest"`: evict the oldest queued event and queue the new one (fresh data wins);
 * - `"drop-newest"`: drop the arriving event (old data wins);
 * - `"sample"`: keep one arriving event in `sampleEvery` (evicting the oldest), drop the rest;
 * - `"pause"`: pause the source through a {@linkcode PauseController} when the queue is
 *   full and resume it when the queue is down to `resumeAt` — nothing is dropped as long
 *   as the source honours the pause (an event that still arrives while full is dropped).
 */
export type BackpressurePolicy = "drop-oldest" | "drop-newest" | "sample" | "pause";

/** Options for {@linkcode backpressure}. */
export interface BackpressureOptions {
  /** The most events that wait in the queue. @default {1024} */
  capacity?: number;
  /** What to do when an event arrives and the queue is full. @default {"drop-oldest"} */
  policy?: BackpressurePolicy;
  /** With `"sample"`: keep one in this many of the events that arrive while full. @default {10} */
  sampleEvery?: number;
  /** With `"pause"` (required there): the switch shared with the source. @default {undefined} */
  pause?: PauseController;
  /** With `"pause"`: resume the source when the queue is down to this many events. @default {floor(capacity / 2)} */
  resumeAt?: number;
  /**
   * How many events are delivered per scheduled task. Between tasks the event loop
   * runs I/O callbacks, so the source keeps reading while the consumer works. (The
   * default scheduler's setImmediate hop costs microseconds; with a setTimeout scheduler
   * such as asyncScheduler a task costs ~2 ms, so small slices cap throughput: 128 per
   * task allows ~50k events/s.)
   * @default {128}
   */
  sliceSize?: number;
  /**
   * The scheduler of the delivery tasks: a macrotask scheduler, so I/O can interleave.
   * @default {immediateScheduler (setImmediate: a hop costs microseconds, where asyncScheduler's setTimeout costs ~2 ms in Deno)}
   */
  scheduler?: SchedulerLike;
}

/** An event delivered by {@linkcode backpressure}, with the queue's counters at that moment. */
export interface Backpressured<T> {
  /** The event. */
  value: T;
  /** Events received from the source so far. */
  received: number;
  /** Events delivered so far, this one included. */
  delivered: number;
  /** Events dropped so far by the policy. */
  dropped: number;
  /** The lag: events still queued behind this one (`received = delivered + dropped + lag`). */
  lag: number;
  /** The longest the queue has been (never more than `capacity`). */
  peak: number;
}

/**
 * Decouples a fast source from a slow synchronous consumer (a trainer) with a bounded
 * queue. Events are queued as they arrive and delivered in slices of `sliceSize` per
 * scheduled macrotask, so the source's I/O callbacks run between slices and events
 * that arrive faster than they are consumed pile up in the queue — where `policy`
 * bounds them: memory stays bounded by `capacity` whatever the rates. Each event is
 * delivered with the counters `received`, `delivered`, `dropped`, `lag` and `peak`.
 * Completion and errors are delivered after the queued events. State (the queue and
 * counters) is per subscription; unsubscribing clears the queue and lifts the pause.
 * The source is released at once when it errors or completes, and when the downstream
 * unsubscribes or errors; values are passed through untouched. Being an asynchronous
 * boundary, it cannot stop a synchronous source by a downstream `take(n)` (the source
 * runs before the first delivery) unless `scheduler` is synchronous (`queueScheduler`).
 *
 * @typeParam T The event type.
 * @param options Capacity, policy, sampling rate, pause switch, slice size and scheduler.
 * @returns An operator from events to annotated events.
 * @throws {RangeError} When a number is out of range, the policy is unknown, or `"pause"` has no `pause` controller.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { lastValueFrom, range, toArray } from "rxjs";
 * import { backpressure } from "../../mod.ts";
 * // The source emits 100 events at once; the queue holds 10, the newest win.
 * const out = await lastValueFrom(range(0, 100).pipe(backpressure({ capacity: 10 }), toArray()));
 * assert(out.length === 10 && out[0].value === 90 && out[9].dropped === 90);
 * assert(out.every((e) => e.received === e.delivered + e.dropped + e.lag));
 * ```
 */
export function backpressure<T>(options: BackpressureOptions = {}): OperatorFunction<T, Backpressured<T>> {
  const {
    capacity = 1024,
    policy = "drop-oldest",
    sampleEvery = 10,
    pause,
    resumeAt = Math.floor(capacity / 2),
    sliceSize = 128,
    scheduler = immediateScheduler,
  } = options;
  checkInt("capacity", capacity, 1);
  checkInt("sampleEvery", sampleEvery, 1);
  checkInt("sliceSize", sliceSize, 1);
  if (!["drop-oldest", "drop-newest", "sample", "pause"].includes(policy)) {
    throw new RangeError(
      `Cannot create backpressure() as 'policy' must be "drop-oldest", "drop-newest", "sample" or "pause": current value is ${policy}`,
    );
  }
  if (policy === "pause") {
    if (pause === undefined) {
      throw new RangeError(
        `Cannot create backpressure() as the "pause" policy needs a 'pause' controller: current value is undefined`,
      );
    }
    if (!Number.isInteger(resumeAt) || resumeAt < 0 || resumeAt >= capacity) {
      throw new RangeError(
        `Cannot create backpressure() as 'resumeAt' must be an integer in [0, capacity): current value is ${resumeAt}`,
      );
    }
  }
  return (source) =>
    new Observable<Backpressured<T>>((subscriber) => {
      const queue = new Ring<T>(capacity);
      let received = 0, delivered = 0, dropped = 0, peak = 0, overflow = 0;
      let ended: { error: unknown } | "complete" | null = null;
      let task: Subscription | null = null;
      // a drain is scheduled or running: set before scheduling, so a scheduler that runs the
      // drain synchronously (queueScheduler) cannot leave a stale task behind
      let scheduled = false, wakes = 0;
      let paused = false;

      const drain = () => {
        // `scheduled` stays set while delivering, so an event the consumer makes the source emit
        // meanwhile does not schedule a second drain next to the one scheduled below
        for (let k = 0; k < sliceSize && queue.length > 0 && !subscriber.closed; k++) {
          const value = queue.shift();
          delivered++;
          if (paused && queue.length <= resumeAt) {
            paused = false;
            pause!.resume();
          }
          subscriber.next({ value, received, delivered, dropped, lag: queue.length, peak });
        }
        scheduled = false;
        task = null;
        if (subscriber.closed) return;
        if (queue.length > 0) wake();
        else if (ended === "complete") subscriber.complete();
        else if (ended) subscriber.error(ended.error);
      };
      const wake = () => {
        if (scheduled) return;
        scheduled = true;
        const wakeNo = ++wakes;
        const action = scheduler.schedule(drain);
        // unless the drain already ran synchronously (and maybe scheduled another one)
        if (scheduled && wakes === wakeNo) task = action;
      };

      subscribeLinked(source, subscriber, {
        next(value) {
          received++;
          if (queue.length >= capacity) {
            if (policy === "drop-newest" || policy === "pause") {
              dropped++;
              return;
            }
            if (policy === "sample" && ++overflow % sampleEvery !== 0) {
              dropped++;
              return;
            }
            queue.shift();
            dropped++;
          }
          queue.push(value);
          if (queue.length > peak) peak = queue.length;
          if (policy === "pause" && queue.length >= capacity && !paused) {
            paused = true;
            pause!.pause();
          }
          wake();
        },
        // the source is released at once; its error (or completion) is delivered after the queue
        error(error) {
          ended = { error };
          wake();
        },
        complete() {
          ended = "complete";
          wake();
        },
      });
      return () => {
        task?.unsubscribe();
        queue.clear();
        if (paused) pause!.resume();
      };
    });
}

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot create backpressure() as '${name}' must be an integer >= ${min}: current value is ${value}`,
    );
  }
}

/** A fixed-capacity FIFO over a circular array (O(1) push and shift). */
class Ring<T> {
  #items: (T | undefined)[];
  #head = 0;
  length = 0;

  constructor(capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  push(value: T): void {
    this.#items[(this.#head + this.length) % this.#items.length] = value;
    this.length++;
  }

  shift(): T {
    const value = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined; // release the reference
    this.#head = (this.#head + 1) % this.#items.length;
    this.length--;
    return value;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.length = 0;
  }
}
