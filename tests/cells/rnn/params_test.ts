import { assert, assertEquals, assertGreater, assertLess, assertNotEquals, assertThrows } from "@std/assert";
import { checkParams, cloneParams, initParams, Matrix, PARAM_NAMES, Random, zeroGrads } from "../../../mod.ts";
import type { RnnParams } from "../../../mod.ts";

const SIZES = { nx: 40, na: 30, ny: 20 };
const WEIGHTS = ["Wax", "Waa", "Wya"] as const;

function flat(p: RnnParams): number[] {
  return PARAM_NAMES.flatMap((name) => Array.from(p[name].data));
}

Deno.test("initParams() creates the document's shapes with zero biases", () => {
  for (const init of ["xavier", "randn"] as const) {
    const p = initParams({ nx: 6, na: 3, ny: 5 }, { init, seed: 1 });
    assertEquals(PARAM_NAMES.map((n) => p[n].shape), ["3x6", "3x3", "3x1", "5x3", "5x1"], init);
    assert(p.ba.data.every((v) => v === 0) && p.by.data.every((v) => v === 0), `${init} biases`);
    assertEquals(checkParams(p), { nx: 6, na: 3, ny: 5 });
  }
});

Deno.test("initParams() xavier draws U(±√(6/(fan_in + fan_out))) for each weight", async (t) => {
  const p = initParams(SIZES, { seed: 3 });
  for (const name of WEIGHTS) {
    await t.step(name, () => {
      const w = p[name];
      const bound = Math.sqrt(6 / (w.rows + w.cols));
      const values = Array.from(w.data);
      assert(values.every((v) => Math.abs(v) <= bound), `${name} exceeds ±${bound}`);
      // with hundreds of draws the extremes come close to the bound and the mean to 0
      assertGreater(Math.max(...values.map(Math.abs)), 0.95 * bound, `${name} max |w|`);
      const mean = values.reduce((s, v) => s + v) / values.length;
      const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
      assertLess(Math.abs(mean), 0.15 * bound, `${name} mean ${mean}`);
      // U(±b) has variance b²/3
      assertLess(Math.abs(variance / (bound * bound / 3) - 1), 0.2, `${name} variance ${variance}`);
    });
  }
  await t.step("xavier is the default", () => {
    assertEquals(flat(initParams(SIZES, { seed: 3, init: "xavier" })), flat(p));
  });
});

Deno.test("initParams() randn draws N(0, 1)·scale", async (t) => {
  for (const scale of [0.01, 1]) {
    await t.step(`scale ${scale}`, () => {
      const p = initParams(SIZES, { init: "randn", scale, seed: 5 });
      const values = WEIGHTS.flatMap((n) => Array.from(p[n].data));
      const n = values.length;
      const mean = values.reduce((s, v) => s + v) / n;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
      assertLess(Math.abs(sd / scale - 1), 0.05, `sd ${sd} for ${n} draws`);
      assertLess(Math.abs(mean / scale), 0.1, `mean ${mean}`);
    });
  }
  await t.step("the default scale is the document's 0.01", () => {
    assertEquals(
      flat(initParams(SIZES, { init: "randn", seed: 5 })),
      flat(initParams(SIZES, { init: "randn", scale: 0.01, seed: 5 })),
    );
  });
});

Deno.test("initParams() is reproducible by seed and by generator", async (t) => {
  await t.step("the same seed gives identical params; another seed does not", () => {
    assertEquals(flat(initParams(SIZES, { seed: 9 })), flat(initParams(SIZES, { seed: 9 })));
    assertNotEquals(flat(initParams(SIZES, { seed: 9 })), flat(initParams(SIZES, { seed: 10 })));
  });
  await t.step("the default seed is 0", () => {
    assertEquals(flat(initParams(SIZES)), flat(initParams(SIZES, { seed: 0 })));
  });
  await t.step("a given generator overrides the seed and advances", () => {
    const random = new Random(9);
    const first = initParams(SIZES, { random, seed: 123 });
    assertEquals(flat(first), flat(initParams(SIZES, { seed: 9 })), "random(9) = seed 9");
    const afterFirst = random.getState();
    const second = initParams(SIZES, { random });
    assertNotEquals(flat(second), flat(first), "the generator moved on");
    const replay = new Random(9);
    initParams(SIZES, { random: replay });
    assertEquals(replay.getState(), afterFirst, "each call draws the same amount");
  });
});

Deno.test("zeroGrads() and cloneParams() make fresh matrices of the right shapes", async (t) => {
  const p = initParams({ nx: 4, na: 3, ny: 2 }, { seed: 1 });
  await t.step("zeroGrads() mirrors every parameter's shape, all zeros", () => {
    const g = zeroGrads(p);
    for (const name of PARAM_NAMES) {
      const d = g[`d${name}`];
      assert(d instanceof Matrix, `d${name}`);
      assertEquals(d.shape, p[name].shape, `d${name}`);
      assert(d.data.every((v) => v === 0), `d${name} zeros`);
      assert(d.data.buffer !== p[name].data.buffer, `d${name} has its own storage`);
    }
  });
  await t.step("cloneParams() copies values deeply", () => {
    const c = cloneParams(p);
    assertEquals(flat(c), flat(p));
    for (const name of PARAM_NAMES) {
      assert(c[name] !== p[name] && c[name].data.buffer !== p[name].data.buffer, name);
      c[name].data[0] += 1;
    }
    assertNotEquals(flat(c), flat(p));
    assertEquals(
      flat(p),
      flat(initParams({ nx: 4, na: 3, ny: 2 }, { seed: 1 })),
      "the original is untouched",
    );
  });
});

Deno.test("checkParams() returns the sizes or names the inconsistent parameter", async (t) => {
  const p = initParams({ nx: 4, na: 3, ny: 2 }, { seed: 1 });
  await t.step("consistent params", () => assertEquals(checkParams(p), { nx: 4, na: 3, ny: 2 }));
  await t.step("a missing parameter is a TypeError", () => {
    const { by: _, ...rest } = p;
    assertThrows(
      () => checkParams(rest as RnnParams),
      TypeError,
      "'params.by' must be a Matrix: got undefined",
    );
  });
  await t.step("Wya with the wrong hidden size is a RangeError", () => {
    assertThrows(
      () => checkParams({ ...p, Wya: Matrix.zeros(2, 4) }),
      RangeError,
      "'params.Wya' has shape 2x4, expected 2x3",
    );
  });
  await t.step("ba as a row instead of a column is a RangeError", () => {
    assertThrows(
      () => checkParams({ ...p, ba: Matrix.zeros(1, 3) }),
      RangeError,
      "'params.ba' has shape 1x3, expected 3x1",
    );
  });
});
