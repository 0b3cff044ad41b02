/**
 * The model object's inputs and targets in plain forms, turned into what a cell reads.
 *
 * @module
 */
import { Matrix } from "../math/matrix.ts";
import type { Input, Target } from "../cells/types.ts";

/**
 * One step's input (or target) for a {@linkcode Model}: a token (`3`), one token per
 * column (`[3, 1]`, `Int32Array`), a feature vector of one column (`Float64Array` of n
 * values), or a dense n×m `Matrix`.
 */
export type StepValue = number | readonly number[] | Int32Array | Float64Array | Matrix;

/** The step value as the stages read it, and its number of columns m. */
export function toStep(value: StepValue, rows: number, what: string): { value: Input; m: number } {
  if (value instanceof Matrix) return { value, m: value.cols };
  if (typeof value === "number") return { value: Int32Array.of(value), m: 1 };
  if (value instanceof Float64Array) {
    if (value.length !== rows) {
      throw new RangeError(
        `Cannot read '${what}' as a feature vector must have ${rows} values: current length is ${value.length}`,
      );
    }
    return { value: new Matrix(rows, 1, value.slice()), m: 1 };
  }
  if (value instanceof Int32Array || Array.isArray(value)) {
    return { value: Int32Array.from(value as ArrayLike<number>), m: value.length };
  }
  throw new TypeError(
    `Cannot read '${what}' as it must be a token, tokens, a Float64Array or a Matrix: got ${typeof value}`,
  );
}

/** A step's target, checked against the input's m columns. */
export function toTarget(value: StepValue, rows: number, m: number): Target {
  const step = toStep(value, rows, "y");
  if (step.m !== m) {
    throw new RangeError(
      `Cannot read 'y' as it must have ${m} columns like 'x': current value has ${step.m}`,
    );
  }
  return step.value;
}
