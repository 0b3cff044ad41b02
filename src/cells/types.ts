/**
 * The data types every cell speaks: inputs, targets and output heads.
 *
 * @module
 */
import type { Matrix } from "../math/matrix.ts";

/** One token index per column (a one-hot column written compactly). */
export type Tokens = Int32Array;
/** A step's input: dense `n_x×m`, or one token index per column. */
export type Input = Matrix | Tokens;
/** A step's target: dense `n_y×m` (any values), or one class index per column. */
export type Target = Matrix | Tokens;
/** The output head: softmax with cross-entropy, or identity with squared error. */
export type Head = "softmax" | "linear";
/** Named parameter matrices (e.g. `{ Wax, Waa, ba, Wya, by }`). */
export type ParamSet = { [name: string]: Matrix };
/** Named gradient matrices, `"d" + name` for each parameter (e.g. `{ dWax, … }`). */
export type GradSet = { [name: string]: Matrix };
