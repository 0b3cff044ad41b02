/**
 * Cells by kind: rebuilds a {@linkcode RecurrentCell} from its plain-data spec (as a
 * checkpoint or a snapshot keeps it), with `"rnn"`, `"gru"`, `"lstm"` and `"stack"` built
 * in and other kinds registered; and builds the cell that the entry points' options
 * (`cell`, `layers`, `embed`, `head`) name.
 *
 * @module
 */
import { describe } from "../math/matrix.ts";
import type { CellSpec, RecurrentCell } from "./recurrent_cell.ts";
import { rnnCell } from "./rnn/rnn_cell.ts";
import { gruCell } from "./gru/gru_cell.ts";
import { lstmCell } from "./lstm/lstm_cell.ts";
import { stackedCell } from "./stack/stacked_cell.ts";
import type { StackedCellOptions } from "./stack/stacked_cell.ts";
import type { Head } from "./types.ts";

/** Builds a cell from its spec; throws a RangeError/TypeError naming a setting it cannot use. */
export type CellFactory = (spec: CellSpec) => RecurrentCell;

const FACTORIES: Map<string, CellFactory> = new Map([
  ["rnn", (spec: CellSpec) => rnnCell({ head: spec.head }) as unknown as RecurrentCell],
  ["gru", (spec: CellSpec) => gruCell({ head: spec.head }) as unknown as RecurrentCell],
  ["lstm", (spec: CellSpec) => lstmCell({ head: spec.head }) as unknown as RecurrentCell],
  [
    "stack",
    (spec: CellSpec) =>
      stackedCell({
        layers: spec.layers as StackedCellOptions["layers"],
        embed: (spec.embed ?? null) as number | null,
        head: spec.head,
      }) as unknown as RecurrentCell,
  ],
]);

/** The cells an entry point builds from a name. */
export type CellName = "rnn" | "gru" | "lstm";

/** Options of {@linkcode cellFromOptions}: the entry points' own `cell`, `layers`, `embed` and `head`. */
export interface CellChoiceOptions {
  /** A cell's name or the cell itself (then `layers` and `embed` must be absent). @default {"rnn"} */
  // deno-lint-ignore no-explicit-any
  cell?: CellName | RecurrentCell<any, any, any>;
  /** Layer sizes, bottom first: more than one (or with `embed`) builds a stack of `cell` layers. @default {one layer} */
  layers?: readonly number[];
  /** Size of a learned embedding in front of the first layer; null for none. @default {null} */
  embed?: number | null;
  /** The one layer's size when `layers` is absent (needed only with `embed`). */
  hiddenSize?: number;
  /** The output head of a named cell. @default {"softmax"} */
  head?: Head;
}

/**
 * The cell that an entry point's options name: a cell object as it is; a name with at
 * most one layer and no embedding as `rnnCell`, `gruCell` or `lstmCell`; otherwise a
 * `stackedCell` of `layers` layers of that kind, with the embedding.
 *
 * @param options The cell, its layers, embedding and head.
 * @param fn The caller's name, for messages.
 * @returns The cell.
 * @throws {RangeError} When the name is unknown, a size is not an integer >= 1, or `layers`/`embed` come with a cell object.
 * @throws {TypeError} When `cell` is neither a name nor a cell, or `layers` is not an array.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellFromOptions } from "./create_cell.ts";
 * assert(cellFromOptions({ cell: "gru" }).kind === "gru");
 * const stack = cellFromOptions({ cell: "lstm", layers: [8, 8], embed: 4 });
 * assert(stack.kind === "stack" && stack.spec().embed === 4);
 * ```
 */
export function cellFromOptions(options: CellChoiceOptions = {}, fn = "cellFromOptions()"): RecurrentCell {
  const { cell = "rnn", layers, embed = null, head = "softmax", hiddenSize } = options;
  if (typeof cell === "object" && cell !== null && typeof cell.bind === "function") {
    if (layers !== undefined || embed !== null) {
      throw new RangeError(
        `Cannot create ${fn} as 'layers' and 'embed' go with a cell's name, not a cell object: current value is ${
          layers !== undefined ? `layers ${JSON.stringify(layers)}` : `embed ${embed}`
        }`,
      );
    }
    return cell as RecurrentCell;
  }
  if (typeof cell !== "string") {
    throw new TypeError(
      `Cannot create ${fn} as 'cell' must be "rnn", "gru", "lstm" or a RecurrentCell: got ${describe(cell)}`,
    );
  }
  if (cell !== "rnn" && cell !== "gru" && cell !== "lstm") {
    throw new RangeError(
      `Cannot create ${fn} as 'cell' must be "rnn", "gru", "lstm" or a RecurrentCell: current value is ${cell}`,
    );
  }
  if (layers !== undefined && !Array.isArray(layers)) {
    throw new TypeError(`Cannot create ${fn} as 'layers' must be an array of sizes: got ${describe(layers)}`);
  }
  if (layers !== undefined) {
    if (layers.length === 0) {
      throw new RangeError(
        `Cannot create ${fn} as 'layers' must hold at least one size: current value is []`,
      );
    }
    layers.forEach((size, i) => {
      if (!Number.isInteger(size) || size < 1) {
        throw new RangeError(
          `Cannot create ${fn} as 'layers[${i}]' must be an integer >= 1: current value is ${size}`,
        );
      }
    });
  }
  if (embed !== null && (!Number.isInteger(embed) || embed < 1)) {
    throw new RangeError(
      `Cannot create ${fn} as 'embed' must be an integer >= 1 or null: current value is ${embed}`,
    );
  }
  if ((layers === undefined || layers.length === 1) && embed === null) {
    return createCell({ kind: cell, head }, fn);
  }
  if (layers === undefined && !(Number.isInteger(hiddenSize) && hiddenSize! >= 1)) {
    throw new RangeError(
      `Cannot create ${fn} as 'embed' needs 'layers' (or the hidden size): current value is ${hiddenSize}`,
    );
  }
  return stackedCell({ layers: layers ?? [hiddenSize!], cell, embed, head }) as unknown as RecurrentCell;
}

/**
 * Registers a cell factory under a kind, so that `createCell()` (and so `loadCheckpoint()`)
 * can rebuild cells of that kind from their spec.
 *
 * @param kind The cell's kind, as its `spec().kind`.
 * @param factory Builds the cell from its spec.
 * @throws {TypeError} When the kind is empty or the factory is not a function.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellKinds, registerCell } from "./create_cell.ts";
 * import { rnnCell } from "./rnn/rnn_cell.ts";
import { gruCell } from "./gru/gru_cell.ts";
import { lstmCell } from "./lstm/lstm_cell.ts";
import { stackedCell } from "./stack/stacked_cell.ts";
import type { StackedCellOptions } from "./stack/stacked_cell.ts";
 * registerCell("rnn-copy", (spec) => rnnCell({ head: spec.head }));
 * assert(cellKinds().includes("rnn-copy"));
 * ```
 */
// deno-lint-ignore no-explicit-any
export function registerCell(kind: string, factory: (spec: CellSpec) => RecurrentCell<any, any, any>): void {
  if (typeof kind !== "string" || kind.length === 0) {
    throw new TypeError(`Cannot register a cell as 'kind' must be a non-empty string: got ${describe(kind)}`);
  }
  if (typeof factory !== "function") {
    throw new TypeError(
      `Cannot register cell "${kind}" as 'factory' must be a function: got ${describe(factory)}`,
    );
  }
  FACTORIES.set(kind, factory as CellFactory);
}

/**
 * The kinds `createCell()` knows.
 *
 * @returns The kinds, `"rnn"` first, then `"gru"`, `"lstm"`, `"stack"` and the registered ones.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellKinds } from "./create_cell.ts";
 * assert(cellKinds()[0] === "rnn");
 * ```
 */
export function cellKinds(): string[] {
  return [...FACTORIES.keys()];
}

/**
 * Rebuilds a cell from its spec (`{ kind, head, … }`).
 *
 * @param spec The cell's plain-data description.
 * @param fn The caller's name, for messages.
 * @returns The cell; its `spec().kind` is `spec.kind`.
 * @throws {RangeError} When the kind is not registered, or the factory refuses the spec.
 * @throws {TypeError} When the spec is not an object with a string `kind`.
 *
 * @example Usage
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { createCell } from "./create_cell.ts";
 * assertEquals(createCell({ kind: "rnn", head: "linear" }).head, "linear");
 * assertThrows(() => createCell({ kind: "nope", head: "softmax" }), RangeError, "current value is nope");
 * ```
 */
export function createCell(spec: CellSpec, fn = "createCell()"): RecurrentCell {
  if (spec === null || typeof spec !== "object" || typeof spec.kind !== "string") {
    throw new TypeError(
      `Cannot create ${fn} as the cell spec must be an object { kind, head }: got ${describe(spec)}`,
    );
  }
  const factory = FACTORIES.get(spec.kind);
  if (factory === undefined) {
    throw new RangeError(
      `Cannot create ${fn} as the cell kind must be one of ${
        cellKinds().map((k) => `"${k}"`).join(", ")
      } (register others with registerCell()): current value is ${spec.kind}`,
    );
  }
  const cell = factory(spec);
  if (cell.kind !== spec.kind) {
    throw new RangeError(
      `Cannot create ${fn} as the factory of "${spec.kind}" built a cell of kind ${cell.kind}`,
    );
  }
  return cell;
}
