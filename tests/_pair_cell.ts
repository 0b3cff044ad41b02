/**
 * A small second cell for the tests, with a two-part state `[a; c]` (2·n_a rows), to
 * prove that the stages, checkpoints and sampling run any cell:
 *
 * `z = Waa·a + Wac·c + Wax·x + ba`, `a' = tanh(z)`, `c' = ½(c + a')`,
 * `ŷ = softmax(Wya·a' + by)`.
 *
 * @module
 */
import type { Backend } from "../src/kernels/backend.ts";
import type { CellRuntime, RecurrentCell } from "../src/cells/recurrent_cell.ts";
import { checkInput, checkTarget } from "../src/cells/checks.ts";
import type { Input, Target } from "../src/cells/types.ts";
import { assertFinite, assertShape, Matrix } from "../src/math/matrix.ts";
import { Random } from "../src/math/random.ts";

export type PairParams = {
  Wax: Matrix;
  Waa: Matrix;
  Wac: Matrix;
  ba: Matrix;
  Wya: Matrix;
  by: Matrix;
};
export type PairGrads = {
  dWax: Matrix;
  dWaa: Matrix;
  dWac: Matrix;
  dba: Matrix;
  dWya: Matrix;
  dby: Matrix;
};
export interface PairCache {
  x: Input;
  /** The state the step started from, [a; c] (reset columns zeroed), 2n_a×m. */
  prev: Matrix;
  z: Matrix;
  /** The new state [a'; c'], 2n_a×m. */
  state: Matrix;
  z2: Matrix;
  yHat: Matrix;
  logNorm: Float64Array;
  reset: Uint8Array | null;
}

const NAMES = ["Wax", "Waa", "Wac", "ba", "Wya", "by"] as const;

/** The pair cell (softmax head). */
export function pairCell(): RecurrentCell<PairParams, PairGrads, PairCache> {
  return {
    kind: "pair",
    head: "softmax",
    spec: () => ({ kind: "pair", head: "softmax" }),
    paramNames: () => [...NAMES],
    sizes(p) {
      for (const name of NAMES) {
        if (!(p?.[name] instanceof Matrix)) throw new TypeError(`'params.${name}' must be a Matrix`);
        assertFinite(`params.${name}`, p[name]);
      }
      const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows;
      assertShape("params.Wax", p.Wax, na, nx);
      assertShape("params.Wac", p.Wac, na, na);
      assertShape("params.ba", p.ba, na, 1);
      assertShape("params.Wya", p.Wya, ny, na);
      assertShape("params.by", p.by, ny, 1);
      return { nx, na, ny, state: 2 * na };
    },
    init({ nx, na, ny }, { seed = 0 } = {}) {
      const random = new Random(seed);
      const fill = (rows: number, cols: number): Matrix => {
        const m = new Matrix(rows, cols);
        const bound = Math.sqrt(6 / (rows + cols));
        for (let k = 0; k < m.data.length; k++) m.data[k] = (2 * random.next() - 1) * bound;
        return m;
      };
      return {
        Wax: fill(na, nx),
        Waa: fill(na, na),
        Wac: fill(na, na),
        ba: new Matrix(na, 1),
        Wya: fill(ny, na),
        by: new Matrix(ny, 1),
      };
    },
    input: (x, p, m) => checkInput(x, p.Wax.cols, m),
    target: (y, p, m) => checkTarget(y, p.Wya.rows, m, "softmax"),
    zeroGrads: (p) => ({
      dWax: new Matrix(p.Wax.rows, p.Wax.cols),
      dWaa: new Matrix(p.Waa.rows, p.Waa.cols),
      dWac: new Matrix(p.Wac.rows, p.Wac.cols),
      dba: new Matrix(p.ba.rows, 1),
      dWya: new Matrix(p.Wya.rows, p.Wya.cols),
      dby: new Matrix(p.by.rows, 1),
    }),
    slots: (p, g) => NAMES.map((name) => ({ name, value: p[name].data, grad: g[`d${name}`].data })),
    stateOf: (cache) => cache.state,
    outputOf: (cache) => cache.yHat,
    logitsOf: (cache) => cache.z2,
    bind: (backend) => bindPair(backend),
  };
}

function bindPair(k: Backend): CellRuntime<PairParams, PairGrads, PairCache> {
  let work: { dz2: Float64Array; da: Float64Array; dz: Float64Array } | null = null;
  return {
    backend: k,
    allocCache(p, m) {
      const na = p.Waa.rows, ny = p.Wya.rows;
      const mat = (rows: number): Matrix => new Matrix(rows, m, k.alloc(rows * m));
      return {
        x: new Int32Array(0),
        prev: mat(2 * na),
        z: mat(na),
        state: mat(2 * na),
        z2: mat(ny),
        yHat: mat(ny),
        logNorm: k.alloc(m),
        reset: null,
      };
    },
    forward(p, x, statePrev, reset, cache) {
      const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows, m = statePrev.cols;
      const prev = cache.prev.data;
      prev.set(statePrev.data);
      if (reset !== null) {
        for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < 2 * na; i++) prev[i * m + j] = 0; }
      }
      cache.x = x;
      cache.reset = reset;
      const a = prev.subarray(0, na * m), c = prev.subarray(na * m);
      const z = cache.z.data,
        aNew = cache.state.data.subarray(0, na * m),
        cNew = cache.state.data.subarray(na * m);
      // z = Waa·a + Wac·c + Wax·x + ba
      k.fillRows(na, m, p.ba.data, z);
      k.gemm(na, na, m, p.Waa.data, a, z);
      k.gemm(na, na, m, p.Wac.data, c, z);
      if (x instanceof Matrix) k.gemm(na, nx, m, p.Wax.data, x.data, z);
      else k.gatherAdd(na, nx, p.Wax.data, x, z);
      // a' = tanh(z) ; c' = ½(c + a')
      k.tanh(z, aNew);
      for (let q = 0; q < cNew.length; q++) cNew[q] = 0.5 * (c[q] + aNew[q]);
      // ŷ = softmax(Wya·a' + by)
      k.fillRows(ny, m, p.by.data, cache.z2.data);
      k.gemm(ny, na, m, p.Wya.data, aNew, cache.z2.data);
      k.softmaxColumns(ny, m, cache.z2.data, cache.yHat.data, cache.logNorm);
    },
    loss(cache, y: Target) {
      const z2 = cache.z2.data, m = cache.z2.cols, ny = cache.z2.rows;
      let loss = 0;
      if (y instanceof Matrix) {
        for (let i = 0; i < ny; i++) {
          for (let j = 0; j < m; j++) loss -= y.data[i * m + j] * (z2[i * m + j] - cache.logNorm[j]);
        }
      } else for (let j = 0; j < m; j++) loss -= z2[y[j] * m + j] - cache.logNorm[j];
      return loss;
    },
    backward(p, cache, y, dNext, g, dPrev) {
      const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows, m = cache.z.cols;
      if (work === null || work.da.length !== na * m || work.dz2.length !== ny * m) {
        work = { dz2: k.alloc(ny * m), da: k.alloc(na * m), dz: k.alloc(na * m) };
      }
      const { dz2, da, dz } = work;
      const aNew = cache.state.data.subarray(0, na * m);
      const prev = cache.prev.data, a = prev.subarray(0, na * m), c = prev.subarray(na * m);
      const dcNext = dNext === null ? null : dNext.subarray(na * m);
      // ∂L/∂a' = dNext_a + ½·dNext_c (through c' = ½(c + a')) + Wyaᵀ·dz2
      da.fill(0);
      if (dNext !== null) { for (let q = 0; q < da.length; q++) da[q] = dNext[q] + 0.5 * dNext[na * m + q]; }
      if (y !== null) {
        const yHat = cache.yHat.data;
        if (y instanceof Matrix) {
          for (let j = 0; j < m; j++) {
            let ySum = 0;
            for (let i = 0; i < ny; i++) ySum += y.data[i * m + j];
            // d(−Σ y·log softmax(z2))/dz2 = ŷ·Σy − y
            for (let i = 0; i < ny; i++) dz2[i * m + j] = yHat[i * m + j] * ySum - y.data[i * m + j];
          }
        } else {
          dz2.set(yHat);
          for (let j = 0; j < m; j++) dz2[y[j] * m + j] -= 1;
        }
        k.gemmNT(ny, na, m, dz2, aNew, g.dWya.data);
        k.rowSumsAdd(ny, m, dz2, g.dby.data);
        k.gemmTN(ny, na, m, p.Wya.data, dz2, da);
      }
      // d tanh(z)/dz = 1 − a'²
      k.tanhBackward(da, aNew, dz);
      if (cache.x instanceof Matrix) k.gemmNT(na, nx, m, dz, cache.x.data, g.dWax.data);
      else k.scatterAdd(na, nx, dz, cache.x, g.dWax.data);
      k.gemmNT(na, na, m, dz, a, g.dWaa.data);
      k.gemmNT(na, na, m, dz, c, g.dWac.data);
      k.rowSumsAdd(na, m, dz, g.dba.data);
      // ∂L/∂a = Waaᵀ·dz ; ∂L/∂c = Wacᵀ·dz + ½·dNext_c
      dPrev.fill(0);
      k.gemmTN(na, na, m, p.Waa.data, dz, dPrev.subarray(0, na * m));
      const dc = dPrev.subarray(na * m);
      k.gemmTN(na, na, m, p.Wac.data, dz, dc);
      if (dcNext !== null) { for (let q = 0; q < dc.length; q++) dc[q] += 0.5 * dcNext[q]; }
      if (cache.reset !== null) {
        for (let j = 0; j < m; j++) {
          if (cache.reset[j]) { for (let i = 0; i < 2 * na; i++) dPrev[i * m + j] = 0; }
        }
      }
    },
  };
}
