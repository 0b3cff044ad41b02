/**
 * The settings of a `train` run: from the flags with defaults, or from a checkpoint
 * being resumed (then a flag that differs is a usage error).
 *
 * @module
 */
import type { LoadedCheckpoint } from "../io/checkpoint/checkpoint.ts";
import type { ClipOptions } from "../optim/clip.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { OptimizerOptions } from "../optim/optimizers.ts";
import { choiceOption, numberOption, stringOption, UsageError } from "./_args.ts";
import type { OptionValues } from "./_args.ts";
import { cellFlags, describeCell, freshCellConfig, savedCellConfig } from "./_cell_config.ts";
import type { CellConfig } from "./_cell_config.ts";

/** The defaults of `train`. */
export const DEFAULTS = {
  hidden: 64,
  k1: 10,
  k2: 20,
  optimizer: "adam" as OptimizerOptions["type"],
  lr: 0.005,
  clip: 5,
  seed: 1,
  streams: 32,
  time: 60,
  every: 20000,
  sampleEvery: 10,
  logEvery: 5,
  checkpoint: "out/names.ckpt",
  textCheckpoint: "out/text.ckpt",
};

const OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw"] as const;

/** A run's settings (kept in its checkpoints' config); `hidden` is the top layer's size. */
export interface RunConfig extends CellConfig {
  /** `"names"` or `"text"`. */
  data: "names" | "text";
  /** The text file (`"-"` for stdin) when `data` is `"text"`. */
  textPath?: string;
  /** Hidden units. */
  hidden: number;
  /** Window period. */
  k1: number;
  /** Backprop depth. */
  k2: number;
  /** The optimizer. */
  optimizer: OptimizerOptions;
  /** Gradient clipping. */
  clip: ClipOptions;
  /** The seed. */
  seed: number;
  /** Parallel streams m. */
  streams: number;
}

/** The settings from the flags (fresh run) or the checkpoint (resume), with usage errors for bad or conflicting flags. */
export function resolveRunConfig(values: OptionValues, checkpoint: LoadedCheckpoint | null): RunConfig {
  const dataset = stringOption(values, "dataset");
  const text = stringOption(values, "text");
  if (dataset !== undefined && text !== undefined) throw new UsageError("give --dataset or --text, not both");
  if (dataset !== undefined && dataset !== "names") {
    throw new UsageError(`--dataset must be one of names: got '${dataset}'`);
  }
  const given = {
    hidden: numberOption(values, "hidden", { integer: true, min: 1 }),
    k1: numberOption(values, "k1", { integer: true, min: 1 }),
    k2: numberOption(values, "k2", { integer: true, min: 1 }),
    optimizer: choiceOption(values, "optimizer", OPTIMIZERS),
    lr: numberOption(values, "lr", { above: 0 }),
    clip: numberOption(values, "clip", { min: 0 }),
    clipValue: numberOption(values, "clip-value", { above: 0 }),
    seed: numberOption(values, "seed", { integer: true }),
    streams: numberOption(values, "streams", { integer: true, min: 1 }),
  };
  const cellGiven = cellFlags(values);
  if (checkpoint !== null) {
    const saved = fromCheckpoint(checkpoint, given, text, dataset);
    return { ...saved, ...savedCellConfig(cellGiven, saved) };
  }
  const cell = freshCellConfig(cellGiven, given.hidden, DEFAULTS.hidden);
  const k1 = given.k1 ?? Math.min(DEFAULTS.k1, given.k2 ?? Infinity);
  const k2 = given.k2 ?? Math.max(DEFAULTS.k2, k1);
  if (k2 < k1) throw new UsageError(`--k2 must be >= --k1: got k2 = ${k2}, k1 = ${k1}`);
  const type = given.optimizer ?? DEFAULTS.optimizer;
  const lr = given.lr ?? (type === "adam" || type === "adamw" ? DEFAULTS.lr : undefined);
  const clip: ClipOptions = {};
  const norm = given.clip ?? DEFAULTS.clip;
  if (norm > 0) clip.norm = norm;
  if (given.clipValue !== undefined) clip.value = given.clipValue;
  return {
    data: text === undefined ? "names" : "text",
    ...(text === undefined ? {} : { textPath: text }),
    hidden: cell.layers.at(-1)!,
    ...cell,
    k1,
    k2,
    optimizer:
      createOptimizer((lr === undefined ? { type } : { type, learningRate: lr }) as OptimizerOptions).options,
    clip,
    seed: given.seed ?? DEFAULTS.seed,
    streams: given.streams ?? DEFAULTS.streams,
  };
}

function fromCheckpoint(
  checkpoint: LoadedCheckpoint,
  given: Record<string, number | string | undefined>,
  text: string | undefined,
  dataset: string | undefined,
): RunConfig {
  const saved = checkpoint.config as unknown as RunConfig;
  const same = (flag: string, value: unknown, savedValue: unknown): void => {
    if (value !== undefined && value !== savedValue) {
      throw new UsageError(
        `--${flag} ${value} differs from the checkpoint's ${
          String(savedValue)
        } (a resumed run keeps its settings)`,
      );
    }
  };
  same("hidden", given.hidden, saved.hidden);
  same("k1", given.k1, saved.k1);
  same("k2", given.k2, saved.k2);
  same("optimizer", given.optimizer, saved.optimizer.type);
  same("lr", given.lr, saved.optimizer.learningRate);
  same("clip", given.clip, saved.clip.norm ?? 0);
  same("clip-value", given.clipValue, saved.clip.value);
  same("seed", given.seed, saved.seed);
  same("streams", given.streams, saved.streams);
  if (dataset !== undefined && saved.data !== "names") {
    throw new UsageError("--dataset names: the checkpoint was trained on a text");
  }
  if (text !== undefined && saved.data !== "text") {
    throw new UsageError("--text: the checkpoint was trained on the names dataset");
  }
  return text === undefined ? saved : { ...saved, textPath: text };
}

/** `28 chars → 64 hidden → 28 | k1 10, k2 20 | adam lr 0.005 | clip norm 5 | 32 streams | seed 1` */
export function describeConfig(config: RunConfig, vocabSize: number): string {
  const { hidden, k1, k2, optimizer, clip, streams, seed, cell, layers, embed } = config;
  const lr = optimizer.learningRate === undefined ? "" : ` lr ${optimizer.learningRate}`;
  const clips = [
    clip.norm === undefined ? "" : `norm ${clip.norm}`,
    clip.value === undefined ? "" : `value ${clip.value}`,
  ]
    .filter((s) => s !== "").join(", ");
  return [
    (cell ?? "rnn") === "rnn" && (layers ?? []).length <= 1 && (embed ?? null) === null
      ? `${vocabSize} chars → ${hidden} hidden → ${vocabSize}`
      : `${vocabSize} chars → ${describeCell({ cell, layers, embed })} → ${vocabSize}`,
    `k1 ${k1}, k2 ${k2}`,
    `${optimizer.type}${lr}`,
    clips === "" ? "no clipping" : `clip ${clips}`,
    `${streams} streams`,
    `seed ${seed}`,
  ].join(" | ");
}
