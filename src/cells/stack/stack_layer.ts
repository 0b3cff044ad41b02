/**
 * Layers stacked into one hidden-only layer: an optional learned embedding, then each layer
 * reading the output `a` of the one below. The composite state is every layer's state stacked,
 * bottom first; the output is the top layer's `a`. Parameter names get the layer's 1-based
 * index as a suffix (`Wra_1`, `Wfa_2`, …); the embedding is `E` (n_e×n_x).
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { addInput, addInputGrad } from "../layer.ts";
import type { LayerRuntime, LayerShape, RecurrentLayer } from "../layer.ts";
import type { GradSet, Input, ParamSet } from "../types.ts";

/** One layer of a stack: the layer and its number of units. */
export interface StackEntry {
  /** The hidden-only layer. */
  layer: RecurrentLayer;
  /** Its units n_a. */
  size: number;
}

/** What one step of a stack keeps for its backward step. */
export interface StackStepCache {
  /** The input, n_x×m or m token indices. */
  x: Input;
  /** The embedded input `E·x` (n_e×m), or null without an embedding. */
  e: Matrix | null;
  /** Each layer's cache, bottom first. */
  layers: unknown[];
  /** The composite state: each layer's state stacked, bottom first. */
  state: Matrix;
}

/**
 * Stacks layers into one hidden-only layer.
 *
 * @param entries The layers and their sizes, bottom first (at least one).
 * @param embed The embedding size n_e, or null for none.
 * @returns The stack as a layer.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { gruLayer } from "../gru/gru_layer.ts";
 * import { lstmLayer } from "../lstm/lstm_layer.ts";
 * import { stackLayer } from "./stack_layer.ts";
 * const stack = stackLayer([{ layer: gruLayer(), size: 4 }, { layer: lstmLayer(), size: 3 }], 2);
 * assert(stack.stateRows(3) === 4 + 6 && stack.shapes(5, 3)[0].name === "E");
 * ```
 */
export function stackLayer(
  entries: readonly StackEntry[],
  embed: number | null,
): RecurrentLayer<StackStepCache> {
  const top = entries.length - 1;
  const suffix = (i: number): string => `_${i + 1}`;
  const names = entries.map(({ layer }) => layer.shapes(1, 1).map((s) => s.name));
  const rows = entries.map(({ layer, size }) => layer.stateRows(size));
  const offsets = rows.map((_, i) => rows.slice(0, i).reduce((s, r) => s + r, 0));
  const total = rows.reduce((s, r) => s + r, 0);
  const inputOf = (i: number, nx: number): number => i > 0 ? entries[i - 1].size : embed ?? nx;
  return {
    kind: "stack",
    shapes(nx, na) {
      if (na !== entries[top].size) {
        throw new RangeError(
          `Cannot size the stack as 'na' must equal the top layer's size ${
            entries[top].size
          }: current value is ${na}`,
        );
      }
      const out: LayerShape[] = embed === null ? [] : [{ name: "E", rows: embed, cols: nx, bias: false }];
      entries.forEach(({ layer, size }, i) => {
        for (const s of layer.shapes(inputOf(i, nx), size)) out.push({ ...s, name: s.name + suffix(i) });
      });
      return out;
    },
    sizesOf(p) {
      const na = entries[top].layer.sizesOf(view(p, names[top], suffix(top))).na;
      const nx = embed === null ? entries[0].layer.sizesOf(view(p, names[0], suffix(0))).nx : p.E?.cols;
      return { nx, na };
    },
    stateRows: () => total,
    stateOf: (cache) => cache.state,
    outputOf: (cache) => entries[top].layer.outputOf(cache.layers[top]),
    bind(k: Backend): LayerRuntime<StackStepCache> {
      const runtimes = entries.map(({ layer }) => layer.bind(k));
      // ∂L/∂(input of layer i), sized on first use
      let dxs: Float64Array[] = [];
      return {
        allocCache(p, m) {
          return {
            x: new Int32Array(0),
            e: embed === null ? null : new Matrix(embed, m, k.alloc(embed * m)),
            layers: runtimes.map((r, i) => r.allocCache(view(p, names[i], suffix(i)), m)),
            state: new Matrix(total, m, k.alloc(total * m)),
          };
        },
        forward(p, x, prev, reset, cache) {
          const m = prev.cols;
          cache.x = x;
          let input: Input = x;
          if (cache.e !== null) {
            // e = E·x: E's column per token (a gather), or a product for dense inputs
            cache.e.data.fill(0);
            addInput(k, p.E.rows, p.E.cols, p.E.data, x, cache.e.data);
            input = cache.e;
          }
          entries.forEach(({ layer }, i) => {
            const from = offsets[i] * m, to = from + rows[i] * m;
            const prevI = new Matrix(rows[i], m, prev.data.subarray(from, to));
            runtimes[i].forward(view(p, names[i], suffix(i)), input, prevI, reset, cache.layers[i]);
            cache.state.data.set(layer.stateOf(cache.layers[i]).data, from);
            input = layer.outputOf(cache.layers[i]);
          });
        },
        backward(p, cache, dOut, dNext, grads, dPrev, dx) {
          const m = cache.state.cols, nx = embed === null ? 0 : p.E.cols;
          if (dxs.length === 0 || dxs[0].length !== inputOf(0, nx) * m) {
            dxs = entries.map((_, i) => k.alloc(inputOf(i, nx) * m));
          }
          let dAbove = dOut;
          for (let i = top; i >= 0; i--) {
            const from = offsets[i] * m, to = from + rows[i] * m;
            // the bottom layer's input gradient is needed only for the embedding (or the caller)
            const dxI = i > 0 || embed !== null ? dxs[i] : dx;
            runtimes[i].backward(
              view(p, names[i], suffix(i)),
              cache.layers[i],
              dAbove,
              dNext === null ? null : dNext.subarray(from, to),
              gradView(grads, names[i], suffix(i)),
              dPrev.subarray(from, to),
              dxI,
            );
            dAbove = dxI;
          }
          if (embed !== null) {
            // dE += de·xᵀ (for tokens a scatter into E's columns) ; dx = Eᵀ·de
            addInputGrad(k, embed, nx, dxs[0], cache.x, grads.dE.data);
            if (dx !== null) {
              dx.fill(0);
              k.gemmTN(embed, nx, m, p.E.data, dxs[0], dx);
            }
          }
        },
      };
    },
  };
}

/** Layer i's parameters under their own names. */
function view(p: ParamSet, names: readonly string[], suffix: string): ParamSet {
  const out: ParamSet = {};
  for (const name of names) out[name] = p[name + suffix];
  return out;
}

/** Layer i's gradients under their own names. */
function gradView(g: GradSet, names: readonly string[], suffix: string): GradSet {
  const out: GradSet = {};
  for (const name of names) out[`d${name}`] = g[`d${name}${suffix}`];
  return out;
}
