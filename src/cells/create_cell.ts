/**
 * Cells by kind: rebuilds a {@linkcode RecurrentCell} from its plain-data spec (as a
 * checkpoint or a snapshot keeps it), with `"rnn"`, `"gru"`, `"lstm"` and `"stack"` built in
 * and other kinds registered.
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

/** Builds a cell from its spec; throws a RangeError/TypeError naming a setting it cannot use. */
export type CellFactory = (spec: CellSpec) => RecurrentCell;

const FACTORIES: Map<string, CellFactory> = new Map([
  ["rnn", (spec: CellSpec) => rnnCell({ head: spec.head }) as unknown as RecurrentCell],
  ["gru", (spec: CellSpec) => gruCell({ head: spec.head }) as unknown as RecurrentCell],
  ["lstm", (spec: CellSpec) => lstmCell({ head: spec.head }) as unknown as RecurrentCell],
  [
    "stack",
    (spec: CellSpec) => stackedCell(spec as unknown as StackedCellOptions) as unknown as RecurrentCell,
  ],
]);

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
 * @returns The kinds, `"rnn"` first.
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
