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
  /** The baselines scored beside the model: the online AR order (null for the softmax head, which has none), or null when off. */
  baselines: { ar: number | null } | null;
}

/** Options of the baselines that {@linkcode prequential} scores beside the model. */
export interface PrequentialBaselineOptions {
  /** The order of the online AR baseline on each target series (linear head only). @default {3} */
  ar?: number;
}

/** The options that make a {@linkcode PrequentialConfig}. */
export interface PrequentialConfigOptions
  extends Partial<Omit<PrequentialConfig, "optimizer" | "baselines">> {
  /** The optimizer. */
  optimizer?: OptimizerOptions;
  /** The baselines: on (`true`, or their options), or off. */
  baselines?: boolean | PrequentialBaselineOptions;
  /** A snapshot's config: it wins over the options. */
  resume?: { config: PrequentialConfig };
}

/** Resolves and checks the settings; a snapshot's config wins (and is checked the same way). */
export function resolvePrequentialConfig(options: PrequentialConfigOptions): PrequentialConfig {
  const given: Omit<PrequentialConfigOptions, "baselines"> = options.resume !== undefined
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
  const baselines = options.resume !== undefined
    ? snapshotBaselines(options.resume.config.baselines, head)
    : resolveBaselines(options.baselines, head);
  return { k1, k2, labelDelay, head, reduction, optimizer, clip, window, pending, baselines };
}

/** The largest AR order accepted (its RLS state is order² numbers per target series). */
const MAX_AR_ORDER = 64;

function resolveBaselines(value: unknown, head: Head): PrequentialConfig["baselines"] {
  if (value === false) return null;
  if (value === undefined || value === true) return { ar: head === "linear" ? 3 : null };
  const shown = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot create prequential() as 'baselines' must be true, false or { ar }: current value is ${
        shown(value)
      }`,
    );
  }
  const extra = Object.keys(value).filter((k) => k !== "ar");
  if (extra.length > 0) {
    throw new TypeError(
      `Cannot create prequential() as 'baselines' must have no key but 'ar': current value is ${
        shown(value)
      }`,
    );
  }
  const { ar } = value as PrequentialBaselineOptions;
  if (head === "softmax") {
    if (ar !== undefined) {
      throw new RangeError(
        `Cannot create prequential() as 'baselines.ar' must be absent with the softmax head (its baseline is the previous class): current value is ${ar}`,
      );
    }
    return { ar: null };
  }
  if (ar === undefined) return { ar: 3 };
  if (!Number.isSafeInteger(ar) || ar < 1 || ar > MAX_AR_ORDER) {
    throw new RangeError(
      `Cannot create prequential() as 'baselines.ar' must be an integer in [1, ${MAX_AR_ORDER}]: current value is ${ar}`,
    );
  }
  return { ar };
}

/** A snapshot's baselines: absent in snapshots made before there were baselines (then they stay off). */
function snapshotBaselines(value: unknown, head: Head): PrequentialConfig["baselines"] {
  if (value === undefined || value === null) return null;
  const ar = typeof value === "object" ? (value as { ar?: unknown }).ar : undefined;
  if (head === "softmax" && ar === null) return { ar: null };
  if (head === "linear" && ar === undefined) {
    throw new RangeError(
      `Cannot create prequential() as 'baselines.ar' must be an integer in [1, ${MAX_AR_ORDER}]: current value is undefined`,
    );
  }
  return resolveBaselines(value, head);
}
