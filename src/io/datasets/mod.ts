/**
 * Data sets, loaded on demand from npm (kept out of the top-level mod.ts so a URL import fetches rxjs only).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { NAMES_PACKAGES } from "./mod.ts";
 * assert(NAMES_PACKAGES.length === 2);
 * ```
 *
 * @module
 */
export * from "./names.ts";
