/**
 * Gradient check of one RNN step, re-running the source document's experiment.
 *
 * Setup as in the document: n_x = n_y = 6, n_a = 3, batch m = 1, one time step,
 * seeded random params, x and a_prev, and a target y ~ randn (NOT a probability
 * vector). For dWax it prints three gradients side by side:
 *
 * - the document's formula, dz2 = ŷ − y, back-propagated by hand below;
 * - ours (cellBackward/bptt), dz2 = ŷ·Σy − y, exact for any target;
 * - centred finite differences of the loss −Σ y·log ŷ (from gradCheck).
 *
 * It then prints the relative gap ‖g − fd‖ / (‖g‖ + ‖fd‖) per parameter. With the
 * randn target the document's formula is off by a large margin (its "0.13"-style gap;
 * the exact number depends on the seed) and ours agrees to ~1e-10. With a one-hot
 * target (Σy = 1) the two formulas coincide and both pass.
 *
 * Run: deno task gradcheck   (or: deno run examples/gradient_check.ts)
 */
import { cellForward, gradCheck, Matrix, Random } from "../mod.ts";
import type { RnnParams } from "../mod.ts";

const NX = 6, NA = 3, NY = 6, SEED = 1;
const NAMES = ["Wax", "Waa", "ba", "Wya", "by"] as const;

const random = new Random(SEED);
const randn = (rows: number, cols: number): Matrix =>
  new Matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => random.normal()));

// the document draws every parameter and input from randn
const params: RnnParams = {
  Wax: randn(NA, NX),
  Waa: randn(NA, NA),
  ba: randn(NA, 1),
  Wya: randn(NY, NA),
  by: randn(NY, 1),
};
const x = randn(NX, 1), aPrev = randn(NA, 1);

/**
 * The document's backward step for m = 1, with its output formula dz2 = ŷ − y.
 * Everything after dz2 is the same chain rule our cellBackward uses.
 */
function documentGradients(y: Matrix): Record<(typeof NAMES)[number], Float64Array> {
  const { a, yHat } = cellForward(params, x, aPrev);
  // the document's dL/dz2 — right only when Σy = 1
  const dz2 = yHat.data.map((v, i) => v - y.data[i]);
  const dz1 = new Float64Array(NA);
  for (let i = 0; i < NA; i++) {
    let da = 0;
    // da = Wyaᵀ·dz2
    for (let k = 0; k < NY; k++) da += params.Wya.get(k, i) * dz2[k];
    // d tanh(z1)/dz1 = 1 − a²
    dz1[i] = da * (1 - a.data[i] ** 2);
  }
  const outer = (u: Float64Array, v: Float64Array) =>
    Float64Array.from(
      { length: u.length * v.length },
      (_, q) => u[Math.floor(q / v.length)] * v[q % v.length],
    );
  return {
    Wax: outer(dz1, x.data), // dz1·xᵀ
    Waa: outer(dz1, aPrev.data), // dz1·a_prevᵀ
    ba: dz1,
    Wya: outer(dz2, a.data), // dz2·aᵀ
    by: dz2,
  };
}

/** The document's gradient-check metric: ‖g − fd‖₂ / (‖g‖₂ + ‖fd‖₂). */
function gap(g: Float64Array, fd: Float64Array): number {
  let diff = 0, ng = 0, nfd = 0;
  for (let k = 0; k < g.length; k++) {
    diff += (g[k] - fd[k]) ** 2;
    ng += g[k] ** 2;
    nfd += fd[k] ** 2;
  }
  return Math.sqrt(diff) / (Math.sqrt(ng) + Math.sqrt(nfd));
}

const num = (v: number) => v.toFixed(6).padStart(12);
const sci = (v: number) => v.toExponential(1).padStart(10);

function report(title: string, y: Matrix): void {
  const sumY = y.data.reduce((s, v) => s + v, 0);
  const check = gradCheck(params, [x], [y], { a0: aPrev });
  const doc = documentGradients(y);
  console.log(`\n== ${title}: Σy = ${sumY.toFixed(4)} ==`);
  console.log(`dWax, row 0:   ${"document".padStart(12)}${"ours".padStart(12)}${"finite diff".padStart(12)}`);
  for (let j = 0; j < NX; j++) {
    const { analytic, numeric } = check.entries.Wax;
    console.log(`  (0, ${j})       ${num(doc.Wax[j])}${num(analytic[j])}${num(numeric[j])}`);
  }
  console.log(`gap to finite diff: ${"document".padStart(10)}${"ours".padStart(10)}`);
  const all = { doc: [] as number[], ours: [] as number[], fd: [] as number[] };
  for (const name of NAMES) {
    const { analytic, numeric } = check.entries[name];
    console.log(`  ${name.padEnd(17)}${sci(gap(doc[name], numeric))}${sci(gap(analytic, numeric))}`);
    all.doc.push(...doc[name]), all.ours.push(...analytic), all.fd.push(...numeric);
  }
  const [d, o, f] = [all.doc, all.ours, all.fd].map((v) => Float64Array.from(v));
  console.log(`  ${"all parameters".padEnd(17)}${sci(gap(d, f))}${sci(gap(o, f))}`);
}

console.log(
  `One RNN step, n_x = n_y = ${NX}, n_a = ${NA}, m = 1, seed ${SEED}; loss −Σ y·log softmax(z2).\n` +
    "The document back-propagates dz2 = ŷ − y; the exact gradient is dz2 = ŷ·Σy − y.\n" +
    "They differ by ŷ·(Σy − 1): zero for one-hot or soft targets, large for a randn target.",
);
report("target y ~ randn (as in the document)", randn(NY, 1));
const oneHot = new Matrix(NY, 1);
oneHot.data[2] = 1;
report("one-hot target (class 2)", oneHot);
