/**
 * Gradient clipping: element-wise value clipping and global-norm clipping.
 *
 * @module
 */
import type { ParamSlot } from "../cells/recurrent_cell.ts";

/** Options for {@linkcode clipGradients}. Leave a field out to skip that clip. */
export interface ClipOptions {
  /** Clamp every gradient element to [−value, value] (min-char-rnn clips at 5). */
  value?: number;
  /** Rescale all gradients together so their global L2 norm is at most `norm`. */
  norm?: number;
}

/**
 * The global L2 norm of all gradients: √(Σ g²) over every slot.
 *
 * @param slots Parameter/gradient pairs.
 * @returns The norm (NaN or Infinity when a gradient is not finite).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { globalNorm } from "../../mod.ts";
 * const n = globalNorm([{ name: "w", value: new Float64Array(2), grad: Float64Array.of(3, 4) }]);
 * assert(n === 5);
 * ```
 */
export function globalNorm(slots: readonly ParamSlot[]): number {
  let sum = 0;
  for (const { grad } of slots) for (let k = 0; k < grad.length; k++) sum += grad[k] * grad[k];
  return Math.sqrt(sum);
}

/**
 * Clips gradients in place: first element-wise to ±`value`, then by global norm to `norm`.
 *
 * @param slots Parameter/gradient pairs; gradients are changed in place.
 * @param options The clip thresholds.
 * @returns The global norm before clipping.
 * @throws {RangeError} When a threshold is not a finite number > 0.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { clipGradients } from "../../mod.ts";
 * const grad = Float64Array.of(30, 40);
 * const before = clipGradients([{ name: "w", value: new Float64Array(2), grad }], { norm: 5 });
 * assert(before === 50 && Math.abs(grad[0] - 3) < 1e-12);
 * ```
 */
export function clipGradients(slots: readonly ParamSlot[], options: ClipOptions = {}): number {
  const { value, norm } = checkClip("clipGradients", options);
  const before = globalNorm(slots);
  if (value !== undefined) {
    for (const { grad } of slots) {
      for (let k = 0; k < grad.length; k++) grad[k] = Math.min(value, Math.max(-value, grad[k]));
    }
  }
  if (norm !== undefined) {
    const current = value === undefined ? before : globalNorm(slots);
    if (current > norm) {
      const scale = norm / current;
      for (const { grad } of slots) for (let k = 0; k < grad.length; k++) grad[k] *= scale;
    }
  }
  return before;
}

/** Validates clip options; returns them. */
export function checkClip(fn: string, options: ClipOptions): ClipOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot ${fn} as 'clip' must be an object { value?, norm? }: got ${String(options)}`);
  }
  for (const key of ["value", "norm"] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === "number" && v > 0 && Number.isFinite(v))) {
      throw new RangeError(
        `Cannot ${fn} as 'clip.${key}' must be a finite number > 0: current value is ${v}`,
      );
    }
  }
  return options;
}
