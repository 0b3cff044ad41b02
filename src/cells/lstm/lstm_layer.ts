/**
 * The LSTM as a hidden-only layer (`torch.nn.LSTMCell`), forward and backward side by side.
 * Its state is `a` stacked over `c` (2·n_a rows). Notation (n_a units, n_x inputs, batch m):
 *
 * | symbol | meaning | shape |
 * | --- | --- | --- |
 * | `a`, `c` | hidden and cell state before the step | n_a×m |
 * | `f = σ(Wfa·a + Wfx·x + bf)` | forget gate | n_a×m |
 * | `i = σ(Wia·a + Wix·x + bi)` | input gate | n_a×m |
 * | `c̃ = tanh(Wca·a + Wcx·x + bc)` | candidate cell (`g` in the code) | n_a×m |
 * | `o = σ(Woa·a + Wox·x + bo)` | output gate | n_a×m |
 * | `c' = f ⊙ c + i ⊙ c̃` | new cell state | n_a×m |
 * | `a' = o ⊙ tanh(c')` | new hidden state (`tc` = tanh(c')) | n_a×m |
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { addInputGrad, preActivation, shapesByName, zeroColumns } from "../layer.ts";
import type { LayerRuntime, RecurrentLayer } from "../layer.ts";
import type { Input, ParamSet } from "../types.ts";

/** The parameter names of the LSTM layer, in a fixed order. */
export const LSTM_LAYER_NAMES: readonly string[] = [
  "Wfa",
  "Wfx",
  "bf",
  "Wia",
  "Wix",
  "bi",
  "Wca",
  "Wcx",
  "bc",
  "Woa",
  "Wox",
  "bo",
];

/** What one LSTM step keeps for its backward step. */
export interface LstmStepCache {
  /** The input, n_x×m or m token indices. */
  x: Input;
  /** The state the step started from, `[a; c]` (reset columns zeroed), 2n_a×m. */
  prev: Matrix;
  /** Forget gate, n_a×m. */
  f: Matrix;
  /** Input gate, n_a×m. */
  i: Matrix;
  /** Candidate cell c̃, n_a×m. */
  g: Matrix;
  /** Output gate, n_a×m. */
  o: Matrix;
  /** tanh(c'), n_a×m. */
  tc: Matrix;
  /** New hidden state a', n_a×m. */
  a: Matrix;
  /** New state `[a'; c']`, 2n_a×m. */
  state: Matrix;
  /** Per column, 1 where the state was reset to zero at this step; null for none. */
  reset: Uint8Array | null;
}

/**
 * The LSTM layer (no head): the core of {@linkcode lstmCell} and of a stack's LSTM layers.
 *
 * @returns The layer.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { lstmLayer } from "./lstm_layer.ts";
 * assert(lstmLayer().shapes(3, 4).length === 12 && lstmLayer().stateRows(4) === 8);
 * ```
 */
export function lstmLayer(): RecurrentLayer<LstmStepCache> {
  return {
    kind: "lstm",
    shapes: (nx, na) => shapesByName(LSTM_LAYER_NAMES, nx, na),
    sizesOf: (p) => ({ nx: p.Wfx?.cols, na: p.Wfx?.rows }),
    stateRows: (na) => 2 * na,
    stateOf: (cache) => cache.state,
    outputOf: (cache) => cache.a,
    bind: bindLstm,
  };
}

/** One gate's parameters and buffers, for the shared backward loop. */
type Gate = [Wa: string, Wx: string, b: string, dPre: Float64Array];

function bindLstm(k: Backend): LayerRuntime<LstmStepCache> {
  // scratch of this runtime only, sized on first use
  let size = -1;
  let pre: Float64Array = new Float64Array(0),
    da = pre,
    tmp = pre,
    dc = pre,
    dfPre = pre,
    diPre = pre,
    dgPre = pre,
    doPre = pre;
  const scratch = (len: number): void => {
    if (len === size) return;
    size = len;
    [pre, da, tmp, dc, dfPre, diPre, dgPre, doPre] = Array.from({ length: 8 }, () => k.alloc(len));
  };
  // pre = Wa·a + Wx·x + b, then the gate's activation into out
  const gate = (
    p: ParamSet,
    name: string,
    x: Input,
    a: Float64Array,
    m: number,
    act: "sigmoid" | "tanh",
    out: Float64Array,
  ) => {
    preActivation(k, m, p[`W${name}a`], p[`W${name}x`], p[`b${name}`], a, x, pre);
    if (act === "sigmoid") k.sigmoid(pre, out);
    else k.tanh(pre, out);
  };
  return {
    allocCache(p, m) {
      const na = p.Wfx.rows, mat = (rows: number): Matrix => new Matrix(rows, m, k.alloc(rows * m));
      return {
        x: new Int32Array(0),
        prev: mat(2 * na),
        f: mat(na),
        i: mat(na),
        g: mat(na),
        o: mat(na),
        tc: mat(na),
        a: mat(na),
        state: mat(2 * na),
        reset: null,
      };
    },
    forward(p, x, statePrev, reset, cache) {
      const na = p.Wfx.rows, m = statePrev.cols, n = na * m;
      scratch(n);
      const prev = cache.prev.data, a = prev.subarray(0, n), c = prev.subarray(n);
      prev.set(statePrev.data);
      zeroColumns(2 * na, m, reset, prev);
      cache.x = x;
      cache.reset = reset;
      const f = cache.f.data, i = cache.i.data, g = cache.g.data, o = cache.o.data, tc = cache.tc.data;
      const aNew = cache.a.data, cNew = cache.state.data.subarray(n);
      // f = σ(Wfa·a + Wfx·x + bf) ; i = σ(…) ; c̃ = tanh(…) ; o = σ(…)
      gate(p, "f", x, a, m, "sigmoid", f);
      gate(p, "i", x, a, m, "sigmoid", i);
      gate(p, "c", x, a, m, "tanh", g);
      gate(p, "o", x, a, m, "sigmoid", o);
      // c' = f ⊙ c + i ⊙ c̃
      k.mul(f, c, cNew);
      k.mulAdd(i, g, cNew);
      // a' = o ⊙ tanh(c')
      k.tanh(cNew, tc);
      k.mul(o, tc, aNew);
      cache.state.data.set(aNew, 0);
    },
    backward(p, cache, dOut, dNext, grads, dPrev, dx) {
      const na = p.Wfx.rows, nx = p.Wfx.cols, m = cache.a.cols, n = na * m;
      scratch(n);
      const prev = cache.prev.data, aPrev = prev.subarray(0, n), cPrev = prev.subarray(n);
      const f = cache.f.data, i = cache.i.data, g = cache.g.data, o = cache.o.data, tc = cache.tc.data;
      const x = cache.x;
      // ∂L/∂a' = dOut (head or layer above) + dNext_a (later steps)
      da.fill(0);
      if (dOut !== null) k.axpy(1, dOut, da);
      if (dNext !== null) k.axpy(1, dNext.subarray(0, n), da);
      // ∂a'/∂o = tanh(c'), through σ: doPre = da ⊙ tc ⊙ o(1 − o)
      k.mul(da, tc, tmp);
      k.sigmoidBackward(tmp, o, doPre);
      // ∂a'/∂c' = o ⊙ (1 − tanh²(c')): dc = (da ⊙ o)(1 − tc²) + dNext_c
      k.mul(da, o, tmp);
      k.tanhBackward(tmp, tc, dc);
      if (dNext !== null) k.axpy(1, dNext.subarray(n), dc);
      // ∂c'/∂f = c: dfPre = dc ⊙ c ⊙ f(1 − f)
      k.mul(dc, cPrev, tmp);
      k.sigmoidBackward(tmp, f, dfPre);
      // ∂c'/∂i = c̃: diPre = dc ⊙ c̃ ⊙ i(1 − i)
      k.mul(dc, g, tmp);
      k.sigmoidBackward(tmp, i, diPre);
      // ∂c'/∂c̃ = i: dgPre = dc ⊙ i ⊙ (1 − c̃²)
      k.mul(dc, i, tmp);
      k.tanhBackward(tmp, g, dgPre);
      // ∂c'/∂c = f: dcPrev = dc ⊙ f
      const daPrev = dPrev.subarray(0, n), dcPrev = dPrev.subarray(n);
      k.mul(dc, f, dcPrev);
      daPrev.fill(0);
      if (dx !== null) dx.fill(0);
      const gates: Gate[] = [
        ["Wfa", "Wfx", "bf", dfPre],
        ["Wia", "Wix", "bi", diPre],
        ["Wca", "Wcx", "bc", dgPre],
        ["Woa", "Wox", "bo", doPre],
      ];
      for (const [Wa, Wx, b, dPre] of gates) {
        // dWa += dPre·aᵀ ; dWx += dPre·xᵀ ; db += Σ dPre
        k.gemmNT(na, na, m, dPre, aPrev, grads[`d${Wa}`].data);
        addInputGrad(k, na, nx, dPre, x, grads[`d${Wx}`].data);
        k.rowSumsAdd(na, m, dPre, grads[`d${b}`].data);
        // daPrev += Waᵀ·dPre ; dx += Wxᵀ·dPre
        k.gemmTN(na, na, m, p[Wa].data, dPre, daPrev);
        if (dx !== null) k.gemmTN(na, nx, m, p[Wx].data, dPre, dx);
      }
      // a reset column started from a constant zero state: no gradient crosses it
      zeroColumns(2 * na, m, cache.reset, dPrev);
    },
  };
}
