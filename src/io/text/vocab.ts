/**
 * A character vocabulary: characters ↔ token indices, with a boundary token.
 *
 * @module
 */

/** Plain-data form of a {@linkcode Vocab}, for checkpoints: the characters in token order. */
export interface VocabData {
  /** The characters, one Unicode code point each; `chars[i]` is token i, `chars[0]` the boundary. */
  chars: string[];
}

/** Options for {@linkcode Vocab.fromText}. */
export interface VocabFromTextOptions {
  /**
   * The boundary character (end of a name, start of a sequence); always token 0, whether
   * or not it occurs in the text.
   * @default {"\n"}
   */
  boundary?: string;
}

/** Options for {@linkcode Vocab.encode}. */
export interface VocabEncodeOptions {
  /**
   * What to do with a character that is not in the vocabulary: throw, or leave it out
   * (count them with {@linkcode Vocab.countUnknown}).
   * @default {"error"}
   */
  onUnknown?: "error" | "skip";
}

/**
 * A character-level vocabulary. Token 0 is the boundary character (by default `"\n"`),
 * the other characters follow in code point order, so the same text always gives the
 * same vocabulary. Characters are Unicode code points (an emoji is one token).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Vocab } from "./vocab.ts";
 * const vocab = Vocab.fromText("emma\nava");
 * assert(vocab.size === 5 && vocab.chars.join("") === "\naemv");
 * assert(vocab.decode(vocab.encode("ava")) === "ava");
 * ```
 */
export class Vocab {
  /** The characters in token order; `chars[0]` is the boundary. */
  readonly chars: readonly string[];
  #index: Map<string, number>;

  /**
   * A vocabulary with exactly these characters, in this order.
   *
   * @param chars Distinct single code points; the first one is the boundary token.
   * @throws {TypeError} When `chars` is not an array of strings.
   * @throws {RangeError} When it is empty, an entry is not one code point, or an entry repeats.
   */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars)) {
      throw new TypeError(
        `Cannot create Vocab as 'chars' must be an array of characters: got ${typeof chars}`,
      );
    }
    if (chars.length === 0) {
      throw new RangeError("Cannot create Vocab as 'chars' must not be empty: current length is 0");
    }
    const index = new Map<string, number>();
    chars.forEach((ch, i) => {
      if (typeof ch !== "string" || [...ch].length !== 1) {
        throw new RangeError(
          `Cannot create Vocab as 'chars[${i}]' must be one character: current value is ${
            JSON.stringify(ch)
          }`,
        );
      }
      if (index.has(ch)) {
        throw new RangeError(
          `Cannot create Vocab as character ${showChar(ch)} appears twice (at ${index.get(ch)} and ${i})`,
        );
      }
      index.set(ch, i);
    });
    this.chars = Object.freeze([...chars]);
    this.#index = index;
  }

  /**
   * The vocabulary of a text: the boundary, then every distinct character in code point order.
   *
   * @param text The text (or several texts joined).
   * @param options The boundary character.
   * @returns A new vocabulary.
   * @throws {RangeError} When the boundary is not one character.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(Vocab.fromText("ba", { boundary: "." }).chars.join("") === ".ab");
   * ```
   */
  static fromText(text: string, options: VocabFromTextOptions = {}): Vocab {
    const { boundary = "\n" } = options;
    if (typeof boundary !== "string" || [...boundary].length !== 1) {
      throw new RangeError(
        `Cannot create Vocab.fromText() as 'boundary' must be one character: current value is ${
          JSON.stringify(boundary)
        }`,
      );
    }
    const seen = new Set<string>(text);
    seen.delete(boundary);
    const rest = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocab([boundary, ...rest]);
  }

  /**
   * Rebuilds a vocabulary from {@linkcode Vocab.toData}.
   *
   * @param data `{ chars }`.
   * @returns A new vocabulary.
   * @throws {TypeError} When `data` is not `{ chars: string[] }`.
   * @throws {RangeError} As the constructor.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * const v = Vocab.fromText("abc");
   * assert(Vocab.fromData(v.toData()).equals(v));
   * ```
   */
  static fromData(data: VocabData): Vocab {
    if (data === null || typeof data !== "object" || !Array.isArray(data.chars)) {
      throw new TypeError("Cannot create Vocab from data: expected an object { chars: string[] }");
    }
    return new Vocab(data.chars);
  }

  /** Number of tokens (n_x = n_y of a character model). */
  get size(): number {
    return this.chars.length;
  }

  /** The boundary token's index: always 0. */
  get boundary(): number {
    return 0;
  }

  /**
   * The token index of a character, or -1 when it is not in the vocabulary.
   *
   * @param ch One character.
   * @returns Its index, or -1.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(Vocab.fromText("ab").indexOf("b") === 2);
   * ```
   */
  indexOf(ch: string): number {
    return this.#index.get(ch) ?? -1;
  }

  /**
   * The token indices of a text.
   *
   * @param text The text.
   * @param options What to do with unknown characters.
   * @returns One index per (known) character.
   * @throws {RangeError} At the first unknown character, unless `onUnknown` is `"skip"`.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * const v = Vocab.fromText("ab");
   * assert(v.encode("ba").join() === "2,1");
   * assert(v.encode("bxa", { onUnknown: "skip" }).length === 2);
   * ```
   */
  encode(text: string, options: VocabEncodeOptions = {}): Int32Array {
    const { onUnknown = "error" } = options;
    if (onUnknown !== "error" && onUnknown !== "skip") {
      throw new RangeError(
        `Cannot encode text as 'onUnknown' must be "error" or "skip": current value is ${String(onUnknown)}`,
      );
    }
    const out = new Int32Array(text.length);
    let n = 0, position = 0;
    for (const ch of text) {
      const t = this.#index.get(ch);
      if (t !== undefined) out[n++] = t;
      else if (onUnknown === "error") {
        throw new RangeError(
          `Cannot encode text as character ${
            showChar(ch)
          } at position ${position} is not in the vocabulary of ${this.size} characters`,
        );
      }
      position++;
    }
    return out.slice(0, n);
  }

  /**
   * How many characters of a text are not in the vocabulary.
   *
   * @param text The text.
   * @returns The count of unknown characters (code points).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(Vocab.fromText("ab").countUnknown("abcd") === 2);
   * ```
   */
  countUnknown(text: string): number {
    let n = 0;
    for (const ch of text) if (!this.#index.has(ch)) n++;
    return n;
  }

  /**
   * The text of token indices.
   *
   * @param tokens Token indices in [0, size).
   * @returns The characters joined.
   * @throws {RangeError} When an index is out of range.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(Vocab.fromText("ab").decode([1, 2, 0]) === "ab\n");
   * ```
   */
  decode(tokens: ArrayLike<number>): string {
    let out = "";
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const ch = this.chars[t];
      if (!Number.isInteger(t) || ch === undefined) {
        throw new RangeError(
          `Cannot decode tokens as 'tokens[${i}]' must be an index in [0, ${this.size}): current value is ${t}`,
        );
      }
      out += ch;
    }
    return out;
  }

  /**
   * Whether two vocabularies have the same characters in the same order.
   *
   * @param other A vocabulary or its plain data.
   * @returns True when they are the same.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(!Vocab.fromText("ab").equals(Vocab.fromText("abc")));
   * ```
   */
  equals(other: Vocab | VocabData): boolean {
    const chars = other?.chars;
    return Array.isArray(chars) && chars.length === this.size && chars.every((ch, i) => ch === this.chars[i]);
  }

  /**
   * The plain-data form, for checkpoints.
   *
   * @returns `{ chars }`, a copy.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Vocab } from "./vocab.ts";
   * assert(JSON.stringify(Vocab.fromText("a").toData()) === '{"chars":["\\n","a"]}');
   * ```
   */
  toData(): VocabData {
    return { chars: [...this.chars] };
  }
}

/** A character for messages: quoted, with its code point (`"é" (U+00E9)`). */
function showChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}
