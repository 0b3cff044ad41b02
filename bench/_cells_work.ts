/**
 * One TBPTT window of any cell through its runtime (forward k steps, backward k steps
 * with a loss at every step, SGD update, zero grads): the same work for the vanilla RNN,
 * the GRU and the LSTM, on any kernel backend.
 *
 * @module
 */
import type { Backend } from "../src/kernels/backend.ts";
import type { RecurrentCell } from "../src/cells/recurrent_cell.ts";
import type { Input, Target } from "../src/cells/types.ts";
import { Matrix } from "../src/math/matrix.ts";
import { Random } from "../src/math/random.ts";

/** Sizes of the window. */
export interface CellWork {
  nx: number;
  na: number;
  ny: number;
  m: number;
  k: number;
}

/** B2: n_x = n_y = 128, n_a = 256, m = 32, k = 32, dense inputs and token targets. */
export const CELLS_B2: CellWork = { nx: 128, na: 256, ny: 128, m: 32, k: 32 };

/** A window runner: `runWindow()` trains one window of k steps. */
export function makeCellLoop(cell: RecurrentCell, backend: Backend, work: CellWork): { runWindow(): void } {
  const { nx, na, ny, m, k } = work;
  const params = cell.init({ nx, na, ny }, { seed: 2 });
  const grads = cell.zeroGrads(params);
  const slots = cell.slots(params, grads);
  const { state } = cell.sizes(params);
  const runtime = cell.bind(backend);
  const random = new Random(1002);
  const xs: Input[] = [], ys: Target[] = [];
  for (let t = 0; t < k; t++) {
    const x = new Matrix(nx, m);
    for (let q = 0; q < x.data.length; q++) x.data[q] = random.normal();
    const y = new Int32Array(m);
    for (let j = 0; j < m; j++) y[j] = random.int(ny);
    xs.push(cell.input(x, params, m));
    ys.push(cell.target(y, params, m));
  }
  const caches = Array.from({ length: k }, () => runtime.allocCache(params, m));
  let s0 = new Matrix(state, m);
  let dNext = new Float64Array(state * m), dPrev = new Float64Array(state * m);
  return {
    runWindow() {
      let prev = s0;
      for (let t = 0; t < k; t++) {
        runtime.forward(params, xs[t], prev, null, caches[t]);
        runtime.loss(caches[t], ys[t]);
        prev = cell.stateOf(caches[t]);
      }
      dNext.fill(0);
      for (let t = k - 1; t >= 0; t--) {
        runtime.backward(params, caches[t], ys[t], dNext, grads, dPrev);
        [dNext, dPrev] = [dPrev, dNext];
      }
      for (const slot of slots) {
        for (let i = 0; i < slot.value.length; i++) slot.value[i] -= 1e-4 * slot.grad[i];
        slot.grad.fill(0);
      }
      // the next window starts from this one's last state
      s0 = cell.stateOf(caches[k - 1]).clone();
    },
  };
}
