/**
 * Text: vocabularies, character and name streams, held-out splits.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Vocab } from "./mod.ts";
 * assert(Vocab.fromText("abc").size === 4);
 * ```
 *
 * @module
 */
export * from "./vocab.ts";
export * from "./char_stream.ts";
export * from "./name_stream.ts";
export * from "./text_stream.ts";
export * from "./split.ts";
export * from "./utf8_chunks.ts";
