/**
 * The fixed settings of a prequential run, resolved from options or a snapshot.
 *
 * @module
 */
import type { ClipOptions } from "../optim/clip.ts";
import { checkClip } from "../optim/clip.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { OptimizerOptions } from "../optim/optimizers.ts";
import type { Head } from "../cells/types.ts";

/** The fixed settings of a prequential run, kept in its snapshots. */
export interface PrequentialConfig {
  /** Window period. */
  k1: number;
  /** Backprop depth. */
  k2: number;
  /** How late a label may be and still be learned from. */
  labelDelay: number;
  /** Output head. */
  head: Head;
  /** Loss reduction. */
  reduction: "sum" | "mean";
  /** Optimizer with every default filled in. */
  optimizer: Required<OptimizerOptions>;
  /** Gradient clipping. */
  clip: ClipOptions;
  /** Rolling metrics window. */
  window: number;
  /** The most predictions waiting for a label. */
  pending: number;
}

/** The options that make a {@linkcode PrequentialConfig}. */
export interface PrequentialConfigOptions extends Partial<Omit<PrequentialConfig, "optimizer">> {
  /** The optimizer. */
  optimizer?: OptimizerOptions;
  /** A snapshot's config: it wins over the options. */
  resume?: { config: PrequentialConfig };
}

/** Resolves and checks the settings; a snapshot's config wins (and is checked the same way). */
export function resolvePrequentialConfig(options: PrequentialConfigOptions): PrequentialConfig {
  const given: PrequentialConfigOptions = options.resume !== undefined
    ? structuredClone(options.resume.config)
    : options;
  const {
    k1 = 1,
    k2 = k1,
    labelDelay = 0,
    head = "softmax",
    reduction = "mean",
    clip = { norm: 5 },
    window = 1000,
    pending = 1024,
  } = given;
  const int = (name: string, v: number, min: number, what = `an integer >= ${min}`) => {
    if (!Number.isSafeInteger(v) || v < min) {
      throw new RangeError(`Cannot create prequential() as '${name}' must be ${what}: current value is ${v}`);
    }
  };
  int("k1", k1, 1);
  int("k2", k2, k1, "an integer >= k1");
  int("labelDelay", labelDelay, 0);
  int("window", window, 1);
  int("pending", pending, 1);
  if (head !== "softmax" && head !== "linear") {
    throw new RangeError(
      `Cannot create prequential() as 'head' must be "softmax" or "linear": current value is ${head}`,
    );
  }
  if (reduction !== "sum" && reduction !== "mean") {
    throw new RangeError(
      `Cannot create prequential() as 'reduction' must be "sum" or "mean": current value is ${reduction}`,
    );
  }
  checkClip("prequential()", clip);
  const optimizer = createOptimizer(given.optimizer ?? { type: "adam" }).options;
  return { k1, k2, labelDelay, head, reduction, optimizer, clip, window, pending };
}
