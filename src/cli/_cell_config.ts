/**
 * The cell of a `train` run: `--cell`, `--layers` and `--embed` read and checked (usage
 * errors name the value), from the flags for a fresh run or from the checkpoint's
 * settings for a resumed one (then a flag that differs is a usage error).
 *
 * @module
 */
import { cellFromOptions } from "../cells/create_cell.ts";
import type { CellName } from "../cells/create_cell.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import { choiceOption, numberOption, stringOption, UsageError } from "./_args.ts";
import type { OptionValues } from "./_args.ts";

/** The cell names `--cell` takes. */
export const CELL_NAMES: readonly CellName[] = ["rnn", "gru", "lstm"];

/** A run's cell settings (kept in its checkpoints' config). */
export interface CellConfig {
  /** The kind of every layer. */
  cell: CellName;
  /** Layer sizes, bottom first (the top one is the hidden size). */
  layers: number[];
  /** The embedding's size, or null for one-hot inputs. */
  embed: number | null;
}

/** The cell flags as given (undefined when absent), checked. */
export function cellFlags(values: OptionValues): Partial<CellConfig> {
  const cell = choiceOption(values, "cell", CELL_NAMES);
  const text = stringOption(values, "layers");
  let layers: number[] | undefined;
  if (text !== undefined) {
    const parts = text.split(",").map((p) => p.trim());
    layers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
    if (layers.length === 0 || layers.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      throw new UsageError(
        `--layers must be sizes >= 1 separated by commas, such as 128 or 128,128: got '${text}'`,
      );
    }
  }
  const embed = numberOption(values, "embed", { integer: true, min: 1 });
  return { cell, layers, embed };
}

/** The cell settings of a fresh run: the flags, `--hidden` as the one layer's size when `--layers` is absent. */
export function freshCellConfig(
  flags: Partial<CellConfig>,
  hidden: number | undefined,
  fallback: number,
): CellConfig {
  const { cell = "rnn", layers, embed = null } = flags;
  if (layers !== undefined && hidden !== undefined && hidden !== layers.at(-1)) {
    throw new UsageError(
      `--hidden ${hidden} differs from the top layer of --layers ${layers.join(",")} (give one of them)`,
    );
  }
  return { cell, layers: layers ?? [hidden ?? fallback], embed };
}

/** The cell settings of a resumed run (older checkpoints: the vanilla RNN of `hidden` units); a flag that differs is a usage error. */
export function savedCellConfig(
  flags: Partial<CellConfig>,
  saved: Partial<CellConfig> & { hidden: number },
): CellConfig {
  const config: CellConfig = {
    cell: saved.cell ?? "rnn",
    layers: saved.layers ?? [saved.hidden],
    embed: saved.embed ?? null,
  };
  const differs = (flag: string, value: string, savedValue: string): never => {
    throw new UsageError(
      `--${flag} ${value} differs from the checkpoint's ${savedValue} (a resumed run keeps its cell)`,
    );
  };
  if (flags.cell !== undefined && flags.cell !== config.cell) differs("cell", flags.cell, config.cell);
  if (flags.layers !== undefined && flags.layers.join(",") !== config.layers.join(",")) {
    differs("layers", flags.layers.join(","), config.layers.join(","));
  }
  if (flags.embed !== undefined && flags.embed !== config.embed) {
    differs("embed", String(flags.embed), config.embed === null ? "none" : String(config.embed));
  }
  return config;
}

/** The cell these settings name, with the softmax head. */
export function cellOf(config: CellConfig): RecurrentCell {
  return cellFromOptions({ cell: config.cell, layers: config.layers, embed: config.embed }, "train");
}

/** `rnn 64`, `gru 128, 128`, `embed 32 → lstm 128`. */
export function describeCell(config: CellConfig): string {
  const layers = `${config.cell} ${config.layers.join(", ")}`;
  return config.embed === null ? layers : `embed ${config.embed} → ${layers}`;
}
