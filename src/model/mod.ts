/**
 * The model object: what a training run leaves to hold, use, save and load.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Model } from "./mod.ts";
 * import { rnnCell } from "../../mod.ts";
 * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
 * assert(model.predict(0).shape === "3x1");
 * ```
 *
 * @module
 */
export * from "./model.ts";
export * from "./to_model.ts";
