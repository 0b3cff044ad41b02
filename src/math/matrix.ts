/**
 * A dense float64 matrix with an explicit shape, stored row-major.
 *
 * @module
 */

/**
 * A dense `rows × cols` matrix of float64 values, stored row-major in `data`
 * (element (i, j) is `data[i * cols + j]`). In rxrnn the columns of `x` and `a`
 * are the m parallel streams of a batch.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Matrix } from "./matrix.ts";
 * const a = Matrix.zeros(2, 3);
 * a.set(1, 2, 5);
 * assert(a.get(1, 2) === 5 && a.shape === "2x3");
 * ```
 */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The values, row-major, `rows * cols` long. */
  readonly data: Float64Array;

  /**
   * Wraps (or allocates) row-major storage of the given shape.
   *
   * @param rows Number of rows, an integer >= 1.
   * @param cols Number of columns, an integer >= 1.
   * @param data Optional storage of length `rows * cols`; zeros when omitted.
   * @throws {RangeError} When a dimension is not a positive integer or `data` has the wrong length.
   * @throws {TypeError} When `data` is not a Float64Array.
   */
  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || rows < 1) {
      throw new RangeError(
        `Cannot create Matrix as 'rows' must be an integer >= 1: current value is ${rows}`,
      );
    }
    if (!Number.isInteger(cols) || cols < 1) {
      throw new RangeError(
        `Cannot create Matrix as 'cols' must be an integer >= 1: current value is ${cols}`,
      );
    }
    if (data !== undefined && !(data instanceof Float64Array)) {
      throw new TypeError(`Cannot create Matrix as 'data' must be a Float64Array: got ${describe(data)}`);
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new RangeError(
        `Cannot create a ${rows}x${cols} Matrix from ${data.length} values: expected ${rows * cols}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  /**
   * A `rows × cols` matrix of zeros.
   *
   * @param rows Number of rows.
   * @param cols Number of columns.
   * @returns A new zero matrix.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Matrix } from "./matrix.ts";
   * assert(Matrix.zeros(2, 2).data.every((v) => v === 0));
   * ```
   */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /** The shape as text, `"rowsxcols"`, for messages. */
  get shape(): string {
    return `${this.rows}x${this.cols}`;
  }

  /**
   * The element at row `i`, column `j` (no bounds check).
   *
   * @param i Row index.
   * @param j Column index.
   * @returns The value.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { fromRows } from "./matrix.ts";
   * assert(fromRows([[1, 2], [3, 4]]).get(1, 0) === 3);
   * ```
   */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /**
   * Sets the element at row `i`, column `j` (no bounds check).
   *
   * @param i Row index.
   * @param j Column index.
   * @param value The new value.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Matrix } from "./matrix.ts";
   * const m = Matrix.zeros(1, 1);
   * m.set(0, 0, 2);
   * assert(m.get(0, 0) === 2);
   * ```
   */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /**
   * A deep copy.
   *
   * @returns A new matrix with the same shape and values.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { fromRows } from "./matrix.ts";
   * const a = fromRows([[1]]);
   * const b = a.clone();
   * b.set(0, 0, 9);
   * assert(a.get(0, 0) === 1);
   * ```
   */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }
}

/**
 * Builds a matrix from a list of rows.
 *
 * @param rows Equal-length rows of finite or non-finite numbers (values are not checked here).
 * @returns A new matrix.
 * @throws {TypeError} When `rows` or one of its rows is not an array.
 * @throws {RangeError} When there are no rows, a row is empty, or rows differ in length.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { fromRows } from "./matrix.ts";
 * const m = fromRows([[1, 2, 3], [4, 5, 6]]);
 * assert(m.shape === "2x3" && m.get(1, 2) === 6);
 * ```
 */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  if (!Array.isArray(rows)) {
    throw new TypeError(`Cannot build a Matrix from rows: expected an array of rows, got ${describe(rows)}`);
  }
  if (rows.length === 0) {
    throw new RangeError(
      `Cannot build a Matrix from rows: expected a non-empty array, got ${describe(rows)}`,
    );
  }
  const cols = rows[0]?.length;
  for (let i = 0; i < rows.length; i++) {
    if (!Array.isArray(rows[i])) {
      throw new TypeError(
        `Cannot build a Matrix from rows: row ${i} must be an array, got ${describe(rows[i])}`,
      );
    }
  }
  if (cols === 0) {
    throw new RangeError(
      `Cannot build a Matrix from rows: row 0 must be a non-empty array, got an empty array`,
    );
  }
  const out = new Matrix(rows.length, cols);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.length !== cols) {
      throw new RangeError(
        `Cannot build a Matrix from rows: row ${i} has length ${row?.length}, expected ${cols}`,
      );
    }
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = row[j];
  }
  return out;
}

/**
 * The matrix as a list of rows (the layout of the PyTorch fixtures).
 *
 * @param matrix The matrix to convert.
 * @returns A new array of `matrix.rows` arrays of length `matrix.cols`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { fromRows, toRows } from "./matrix.ts";
 * assert(JSON.stringify(toRows(fromRows([[1, 2]]))) === "[[1,2]]");
 * ```
 */
export function toRows(matrix: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) {
    out.push(Array.from(matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
  }
  return out;
}

/**
 * Throws when a matrix does not have the expected shape; the message names both shapes.
 *
 * @param what What the matrix is, for the message (e.g. `"x"`).
 * @param matrix The matrix to check.
 * @param rows Expected rows.
 * @param cols Expected columns.
 * @throws {TypeError} When `matrix` is not a Matrix.
 * @throws {RangeError} When the shape differs.
 *
 * @example Usage
 * ```ts
 * import { assertShape, Matrix } from "./matrix.ts";
 * assertShape("a", Matrix.zeros(3, 1), 3, 1);
 * ```
 */
export function assertShape(what: string, matrix: Matrix, rows: number, cols: number): void {
  if (!(matrix instanceof Matrix)) {
    throw new TypeError(`'${what}' must be a Matrix: got ${describe(matrix)}`);
  }
  if (matrix.rows !== rows || matrix.cols !== cols) {
    throw new RangeError(`'${what}' has shape ${matrix.shape}, expected ${rows}x${cols}`);
  }
}

/**
 * Throws when any value of a matrix is NaN or infinite; the message names the index and value.
 *
 * @param what What the matrix is, for the message.
 * @param matrix The matrix to check.
 * @throws {RangeError} At the first non-finite value.
 *
 * @example Usage
 * ```ts
 * import { assertFinite, fromRows } from "./matrix.ts";
 * assertFinite("Wax", fromRows([[0.5, -1]]));
 * ```
 */
export function assertFinite(what: string, matrix: Matrix): void {
  const d = matrix.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if (v - v !== 0) {
      const i = Math.floor(k / matrix.cols), j = k % matrix.cols;
      throw new RangeError(`'${what}' must be finite: value at (${i}, ${j}) is ${v}`);
    }
  }
}

/** Short text for a value of unknown type, for error messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Matrix) return `a ${value.shape} Matrix`;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name, length = (value as unknown as ArrayLike<unknown>).length;
    return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}${
      length === undefined ? "" : ` of length ${length}`
    }`;
  }
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}
