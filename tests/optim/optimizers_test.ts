import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { from } from "rxjs";
import { createOptimizer, train } from "../../mod.ts";
import type { OptimizerOptions, OptimizerState, ParamSlot } from "../../mod.ts";

const START = [0.5, -1.2, 0.3, 2.0, -0.7, 0];

/** The gradient at update t (1-based): varies in sign and size across elements and steps. */
function gradAt(t: number, p: readonly number[]): number[] {
  return p.map((v, k) => Math.sin(k + 3 * t) + 0.5 * v);
}

/**
 * PyTorch's documented update rules, one scalar at a time (torch.optim docs, "Algorithm"
 * boxes), with dampening 0, lr_decay 0, initial_accumulator_value 0, no amsgrad.
 */
function reference(o: Required<OptimizerOptions>, steps: number): number[] {
  const theta = [...START];
  const n = theta.length;
  const b = new Array(n).fill(0), sum = new Array(n).fill(0), sq = new Array(n).fill(0);
  const m = new Array(n).fill(0), v = new Array(n).fill(0);
  for (let t = 1; t <= steps; t++) {
    const grad = gradAt(t, theta);
    for (let k = 0; k < n; k++) {
      let g = grad[k];
      const lr = o.learningRate;
      switch (o.type) {
        case "sgd": {
          if (o.weightDecay !== 0) g = g + o.weightDecay * theta[k];
          if (o.momentum !== 0) {
            b[k] = t > 1 ? o.momentum * b[k] + g : g;
            g = o.nesterov ? g + o.momentum * b[k] : b[k];
          }
          theta[k] = theta[k] - lr * g;
          break;
        }
        case "adagrad": {
          sum[k] = sum[k] + g * g;
          theta[k] = theta[k] - lr * g / (Math.sqrt(sum[k]) + o.epsilon);
          break;
        }
        case "rmsprop": {
          sq[k] = o.decay * sq[k] + (1 - o.decay) * g * g;
          theta[k] = theta[k] - lr * g / (Math.sqrt(sq[k]) + o.epsilon);
          break;
        }
        case "adam":
        case "adamw": {
          if (o.type === "adamw") theta[k] = theta[k] - lr * o.weightDecay * theta[k];
          m[k] = o.beta1 * m[k] + (1 - o.beta1) * g;
          v[k] = o.beta2 * v[k] + (1 - o.beta2) * g * g;
          const mHat = m[k] / (1 - o.beta1 ** t), vHat = v[k] / (1 - o.beta2 ** t);
          theta[k] = theta[k] - lr * mHat / (Math.sqrt(vHat) + o.epsilon);
          break;
        }
      }
    }
  }
  return theta;
}

/** Runs `steps` updates of `opt` on a fresh copy of START (or continues `p`). */
function runSteps(
  opt: ReturnType<typeof createOptimizer>,
  steps: number,
  p: Float64Array = Float64Array.from(START),
  first = 1,
): Float64Array {
  for (let t = first; t < first + steps; t++) {
    const slots: ParamSlot[] = [{ name: "w", value: p, grad: Float64Array.from(gradAt(t, Array.from(p))) }];
    opt.step(slots, opt.learningRate);
  }
  return p;
}

const VARIANTS: [string, OptimizerOptions][] = [
  ["sgd", { type: "sgd", learningRate: 0.1 }],
  ["sgd + weightDecay", { type: "sgd", learningRate: 0.1, weightDecay: 0.05 }],
  ["sgd + momentum", { type: "sgd", learningRate: 0.1, momentum: 0.9 }],
  ["sgd + nesterov + weightDecay", {
    type: "sgd",
    learningRate: 0.1,
    momentum: 0.8,
    nesterov: true,
    weightDecay: 0.01,
  }],
  ["adagrad", { type: "adagrad", learningRate: 0.3 }],
  ["rmsprop", { type: "rmsprop", learningRate: 0.01, decay: 0.9 }],
  ["adam", { type: "adam", learningRate: 0.05 }],
  ["adam, custom betas", { type: "adam", learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-6 }],
  ["adamw", { type: "adamw", learningRate: 0.05, weightDecay: 0.1 }],
];

Deno.test("createOptimizer() follows PyTorch's documented update rules to 1e-15 over 3 steps", async (t) => {
  for (const [name, options] of VARIANTS) {
    await t.step(name, () => {
      const opt = createOptimizer(options);
      const got = runSteps(opt, 3);
      const want = reference(opt.options, 3);
      got.forEach((v, k) => {
        const scale = Math.max(Math.abs(v), Math.abs(want[k]), 1e-300);
        assertLess(Math.abs(v - want[k]) / scale, 1e-15, `element ${k}: ${v} vs ${want[k]}`);
      });
      assert(got.some((v, k) => v !== START[k]));
      assertEquals(opt.getState().t, 3);
    });
  }
});

Deno.test("createOptimizer() fills in PyTorch-like defaults", () => {
  assertEquals(createOptimizer({ type: "sgd" }).options, {
    type: "sgd",
    learningRate: 0.1,
    momentum: 0,
    nesterov: false,
    weightDecay: 0,
  });
  assertEquals(createOptimizer({ type: "adagrad" }).options, {
    type: "adagrad",
    learningRate: 0.1,
    epsilon: 1e-8,
  });
  assertEquals(createOptimizer({ type: "rmsprop" }).options, {
    type: "rmsprop",
    learningRate: 0.01,
    decay: 0.99,
    epsilon: 1e-8,
  });
  assertEquals(createOptimizer({ type: "adam" }).options, {
    type: "adam",
    learningRate: 0.002,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
  });
  const adamw = createOptimizer({ type: "adamw" }).options;
  assert(adamw.type === "adamw" && adamw.weightDecay === 0.01);
});

Deno.test("createOptimizer() state round-trips mid-run with a bit-identical continuation", async (t) => {
  for (const [name, options] of VARIANTS) {
    await t.step(name, () => {
      const whole = runSteps(createOptimizer(options), 5);
      const first = createOptimizer(options);
      const p = runSteps(first, 2);
      const state = first.getState();
      const second = createOptimizer(options);
      second.setState(state);
      // both copies are independent of the caller's object
      for (const buf of Object.values(state.slots)) buf.fill(123);
      state.t = 99;
      runSteps(second, 3, p, 3);
      assertEquals(p, whole);
      assertEquals(second.getState().t, 5);
    });
  }
});

Deno.test("createOptimizer() keeps one buffer set per slot name", () => {
  const opt = createOptimizer({ type: "adam", learningRate: 0.1 });
  const a = Float64Array.of(1, 2), b = Float64Array.of(3);
  opt.step([{ name: "a", value: a, grad: Float64Array.of(1, 1) }, {
    name: "b",
    value: b,
    grad: Float64Array.of(-1),
  }], 0.1);
  assertEquals(Object.keys(opt.getState().slots).sort(), ["a.m", "a.v", "b.m", "b.v"]);
  assertEquals(opt.getState().slots["b.m"].length, 1);
});

Deno.test("createOptimizer() setState rejects a state it cannot continue", async (t) => {
  const opt = createOptimizer({ type: "adam" });
  await t.step("wrong type", () => {
    assertThrows(
      () => opt.setState({ type: "rmsprop", t: 1, slots: {} }),
      TypeError,
      "Cannot restore the adam optimizer from a state of type rmsprop",
    );
  });
  await t.step("not an object", () => {
    assertThrows(() => opt.setState(null as unknown as OptimizerState), TypeError, "state of type undefined");
  });
  await t.step("bad t", () => {
    assertThrows(
      () => opt.setState({ type: "adam", t: -1, slots: {} }),
      RangeError,
      "'t' must be an integer >= 0: current value is -1",
    );
    assertThrows(() => opt.setState({ type: "adam", t: 1.5, slots: {} }), RangeError, "current value is 1.5");
  });
  await t.step("slot not a Float64Array", () => {
    const slots = { "w.m": [0, 1] } as unknown as Record<string, Float64Array>;
    assertThrows(
      () => opt.setState({ type: "adam", t: 1, slots }),
      TypeError,
      "slot 'w.m' is not a Float64Array",
    );
  });
  await t.step("no slots object", () => {
    const state = { type: "adam", t: 1 } as unknown as OptimizerState;
    assertThrows(
      () => opt.setState(state),
      TypeError,
      "'slots' must be an object of Float64Arrays: got undefined",
    );
  });
  await t.step("a NaN, or a negative mean square, that would go into the parameters", () => {
    const nan = { "w.m": Float64Array.of(0, NaN) };
    assertThrows(
      () => opt.setState({ type: "adam", t: 1, slots: nan }),
      RangeError,
      "slot 'w.m' must hold finite values: value 1 is NaN",
    );
    const negative = { "w.m": Float64Array.of(-1), "w.v": Float64Array.of(-1e-9) };
    assertThrows(
      () => opt.setState({ type: "adam", t: 1, slots: negative }),
      RangeError,
      "slot 'w.v' must hold finite values >= 0: value 0 is -1e-9",
    );
    const rms = createOptimizer({ type: "rmsprop" });
    const squares = { "w.meanSquare": Float64Array.of(Infinity) };
    assertThrows(() => rms.setState({ type: "rmsprop", t: 1, slots: squares }), RangeError, "is Infinity");
  });
});

Deno.test("createOptimizer() rejects invalid hyper-parameters", async (t) => {
  const cases: [string, unknown, string][] = [
    [
      "sgd learningRate -0.1",
      { type: "sgd", learningRate: -0.1 },
      "'learningRate' is out of range: current value is -0.1",
    ],
    ["sgd learningRate NaN", { type: "sgd", learningRate: NaN }, "current value is NaN"],
    ["sgd learningRate Infinity", { type: "sgd", learningRate: Infinity }, "current value is Infinity"],
    ["sgd momentum 1", { type: "sgd", momentum: 1 }, "'momentum' is out of range: current value is 1"],
    ["sgd momentum -0.5", { type: "sgd", momentum: -0.5 }, "current value is -0.5"],
    ["sgd weightDecay -1", { type: "sgd", weightDecay: -1 }, "'weightDecay' is out of range"],
    ["sgd nesterov without momentum", { type: "sgd", nesterov: true }, "'nesterov' needs 'momentum' > 0"],
    ["adagrad epsilon 0", { type: "adagrad", epsilon: 0 }, "'epsilon' is out of range: current value is 0"],
    ["rmsprop decay 1", { type: "rmsprop", decay: 1 }, "'decay' is out of range: current value is 1"],
    ["adam beta1 1", { type: "adam", beta1: 1 }, "'beta1' is out of range: current value is 1"],
    ["adam beta2 -0.1", { type: "adam", beta2: -0.1 }, "'beta2' is out of range: current value is -0.1"],
    ["adam learningRate string", { type: "adam", learningRate: "0.1" }, "'learningRate' is out of range"],
    ["adam with weightDecay", { type: "adam", weightDecay: 0.1 }, 'use type "adamw"'],
    ["adamw weightDecay -0.1", { type: "adamw", weightDecay: -0.1 }, "'weightDecay' is out of range"],
    [
      "unknown type",
      { type: "lion" },
      "'type' must be one of sgd, adagrad, rmsprop, adam, adamw: current value is lion",
    ],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => createOptimizer(options as OptimizerOptions), RangeError, message);
    });
  }
  await t.step("not an object", () => {
    assertThrows(
      () => createOptimizer(null as unknown as OptimizerOptions),
      TypeError,
      "Cannot create an optimizer",
    );
  });
});

Deno.test("train() with each optimizer learns a periodic token stream", async (t) => {
  const text = "abcabcabc".repeat(40);
  const samples = Array.from({ length: text.length - 1 }, (_, i) => ({
    x: [text.charCodeAt(i) - 97],
    y: [text.charCodeAt(i + 1) - 97],
  }));
  const optimizers: OptimizerOptions[] = [
    { type: "sgd", learningRate: 0.5 },
    { type: "sgd", learningRate: 0.2, momentum: 0.9 },
    { type: "sgd", learningRate: 0.2, momentum: 0.9, nesterov: true },
    { type: "adagrad", learningRate: 0.3 },
    { type: "rmsprop", learningRate: 0.01 },
    { type: "adam", learningRate: 0.02 },
    { type: "adamw", learningRate: 0.02 },
  ];
  for (const optimizer of optimizers) {
    await t.step(JSON.stringify(optimizer), () => {
      let first = NaN, last = NaN;
      from(samples)
        .pipe(train({ sizes: { nx: 3, na: 8, ny: 3 }, seed: 3, k1: 5, k2: 10, optimizer, smoothing: 0.9 }))
        .subscribe((e) => {
          if (e.window === 1) first = e.meanLoss;
          last = e.smoothLoss;
        });
      assertLess(last, 0.1 * first, `smoothed loss ${last} vs first window ${first}`);
    });
  }
});
