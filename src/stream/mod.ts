/**
 * Stream stages: forward steps → TBPTT windows → updates (train()), sampling, backpressure, and the linked-subscription helper every operator uses.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from } from "rxjs";
 * import { train } from "./mod.ts";
 * const events: number[] = [];
 * from([0, 1, 2, 0, 1, 2].map((t) => ({ x: [t], y: [(t + 1) % 3] })))
 *   .pipe(train({ sizes: { nx: 3, na: 4, ny: 3 }, k1: 3 }))
 *   .subscribe((e) => events.push(e.step));
 * assert(events.length === 2);
 * ```
 *
 * @module
 */
export * from "./operate.ts";
export * from "./forward_steps.ts";
export * from "./tbptt.ts";
export * from "./apply_updates.ts";
export * from "./train.ts";
export * from "./sample_tokens.ts";
export * from "./backpressure.ts";
export * from "./pause_controller.ts";
export * from "./immediate_scheduler.ts";
