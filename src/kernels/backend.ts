/**
 * The kernel seam: everything the cell math and the optimizers do per step, behind one
 * interface, chosen per run (`train({ backend })`, `--backend`), never by a global.
 *
 * Conventions, for every backend:
 * - Arrays are row-major `Float64Array`s with explicit dimensions. A backend may keep them
 *   resident in its own memory: buffers that a run allocates with {@linkcode Backend.alloc}
 *   are views of that memory (a WebAssembly backend's linear memory, later GPU buffers),
 *   and kernels take those views, so nothing is copied per step. Kernels also accept any
 *   other `Float64Array` (a backend copies in and out as it must).
 * - GEMMs, `gatherAdd`, `scatterAdd` and `rowSumsAdd` ACCUMULATE into their output (`+=`),
 *   which is what backprop needs; element-wise kernels overwrite theirs unless named `…Add`.
 * - Element-wise kernels work on `out.length` elements; inputs are at least that long.
 * - Outputs never alias inputs unless the kernel says so.
 *
 * The plain TypeScript backend (`"js"`) is the reference: every other backend is tested
 * against it, kernel by kernel, at its documented tolerance.
 *
 * @module
 */

/** The names of the built-in backends. */
export type BackendName = "js" | "wasm-f64" | "wasm-f32";

/** The operations a step of the cell math and an optimizer update need. */
export interface Backend {
  /** The backend's name, recorded in checkpoints (e.g. `"js"`). */
  readonly name: string;
  /**
   * True when results match the float64 reference up to summation order (the PyTorch
   * fixtures hold at 1e-9, resume is bit-exact on any machine with this backend).
   */
  readonly exact: boolean;
  /** Resolves once the backend can run (a WebAssembly module compiled); the JS backend is ready at once. */
  ready(): Promise<void>;
  /** A zero-filled array of `length` values, resident in the backend's memory. */
  alloc(length: number): Float64Array;
  /**
   * Gives an array from {@linkcode Backend.alloc} back to the backend's memory for reuse;
   * it must not be used afterwards. Optional: a backend whose arrays are garbage-collected
   * (`"js"`) has none. Stages free through {@linkcode openArena}.
   */
  free?(buffer: Float64Array): void;

  /** `C[r×n] += A[r×k] · B[k×n]` */
  gemm(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /** `C[k×n] += A[r×k]ᵀ · B[r×n]` */
  gemmTN(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /** `C[r×k] += A[r×n] · B[k×n]ᵀ` */
  gemmNT(r: number, k: number, n: number, A: Float64Array, B: Float64Array, C: Float64Array): void;

  /** Token inputs, `out[r×m] += W[r×cols]·onehot(tokens)`: `out[i, j] += W[i, tokens[j]]` (m = tokens.length). */
  gatherAdd(r: number, cols: number, W: Float64Array, tokens: Int32Array, out: Float64Array): void;
  /** The transpose, `dW[r×cols] += dz[r×m]·onehot(tokens)ᵀ`: `dW[i, tokens[j]] += dz[i, j]`. */
  scatterAdd(r: number, cols: number, dz: Float64Array, tokens: Int32Array, dW: Float64Array): void;
  /** A bias broadcast: every row i of the r×m `out` set to `column[i]`. */
  fillRows(r: number, m: number, column: Float64Array, out: Float64Array): void;
  /** `out[i] += Σ_j src[i, j]` for the r×m `src` (a bias gradient). */
  rowSumsAdd(r: number, m: number, src: Float64Array, out: Float64Array): void;

  /** `out = tanh(z)` */
  tanh(z: Float64Array, out: Float64Array): void;
  /** `dz = da ⊙ (1 − a²)`, the derivative of `a = tanh(z)`. */
  tanhBackward(da: Float64Array, a: Float64Array, dz: Float64Array): void;
  /** `out = σ(z) = 1 / (1 + e^−z)` */
  sigmoid(z: Float64Array, out: Float64Array): void;
  /** `dz = ds ⊙ s ⊙ (1 − s)`, the derivative of `s = σ(z)`. */
  sigmoidBackward(ds: Float64Array, s: Float64Array, dz: Float64Array): void;
  /** `out = a ⊙ b` (out may alias a or b). */
  mul(a: Float64Array, b: Float64Array, out: Float64Array): void;
  /** `out += a ⊙ b` */
  mulAdd(a: Float64Array, b: Float64Array, out: Float64Array): void;
  /** `y += α·x` */
  axpy(alpha: number, x: Float64Array, y: Float64Array): void;

  /**
   * Softmax per column of the r×m `z`: `yHat[·, j] = softmax(z[·, j])` and
   * `logNorm[j] = log Σ_i exp z[i, j]` (stable: shifted by the column's maximum).
   */
  softmaxColumns(r: number, m: number, z: Float64Array, yHat: Float64Array, logNorm: Float64Array): void;

  /** SGD: `g' = g + wd·p`; with μ > 0 `v = μv + g'` and `p −= lr·(nesterov ? g' + μv : v)`, else `p −= lr·g'`. */
  sgdStep(
    p: Float64Array,
    g: Float64Array,
    v: Float64Array | null,
    lr: number,
    momentum: number,
    nesterov: boolean,
    weightDecay: number,
  ): void;
  /** Adagrad: `h += g²`, `p −= lr·g / (√h + ε)`. */
  adagradStep(p: Float64Array, g: Float64Array, h: Float64Array, lr: number, epsilon: number): void;
  /** RMSProp: `s = ρs + (1 − ρ)g²`, `p −= lr·g / (√s + ε)`. */
  rmspropStep(
    p: Float64Array,
    g: Float64Array,
    s: Float64Array,
    lr: number,
    decay: number,
    epsilon: number,
  ): void;
  /**
   * Adam(W): `m = β1·m + (1 − β1)g`, `v = β2·v + (1 − β2)g²`,
   * `p = p·shrink − lr·(m / c1) / (√(v / c2) + ε)` with the bias corrections `c1 = 1 − β1ᵗ`,
   * `c2 = 1 − β2ᵗ` and `shrink = 1 − lr·λ` for AdamW (1 for Adam).
   */
  adamStep(
    p: Float64Array,
    g: Float64Array,
    m: Float64Array,
    v: Float64Array,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    c1: number,
    c2: number,
    shrink: number,
  ): void;
}
