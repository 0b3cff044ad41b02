/**
 * The data of a `train` run: the built-in names (90/10 split by seed, a NameStream per
 * column) or a text (file or stdin; the last 10% held out, a looping TextStream).
 *
 * @module
 */
import { loadNames, NAMES_PACKAGES } from "../io/datasets/names.ts";
import type { CharStream } from "../io/text/char_stream.ts";
import { NameStream } from "../io/text/name_stream.ts";
import { splitHeldOut } from "../io/text/split.ts";
import { TextStream } from "../io/text/text_stream.ts";
import { Vocab } from "../io/text/vocab.ts";
import { fnv1a } from "../io/text/fnv1a.ts";
import { utf8Chunks } from "../io/text/utf8_chunks.ts";

/** A run's data. */
export interface TrainData {
  /** `"names"` (one name per sequence, boundaries around each) or `"text"` (one long sequence). */
  kind: "names" | "text";
  /** The character vocabulary (from all the data, held-out part included). */
  vocab: Vocab;
  /** The training stream, one column per parallel stream. */
  stream: CharStream;
  /** Held-out sequences for {@linkcode bitsPerChar}. */
  heldOut: Int32Array[];
  /** What was held out, for the final line (`"842 held-out names"`). */
  heldOutLabel: string;
  /** Identity of the data, kept in checkpoints and compared on resume. */
  identity: Record<string, unknown>;
  /** One line describing the data. */
  description: string;
}

/** The built-in names, split 90/10 with `seed`, streamed in `streams` columns. */
export async function namesData(streams: number, seed: number, holdout = 0.1): Promise<TrainData> {
  const names = await loadNames();
  const vocab = Vocab.fromText(names.join("\n"));
  const split = splitHeldOut(names, { fraction: holdout, seed });
  const stream = new NameStream(split.train.map((n) => vocab.encode(n)), { streams, seed: seed + 1 });
  const boundary = vocab.boundary;
  return {
    kind: "names",
    vocab,
    stream,
    heldOut: split.heldOut.map((n) => Int32Array.of(boundary, ...vocab.encode(n), boundary)),
    heldOutLabel: `${split.heldOut.length.toLocaleString("en-US")} held-out names`,
    identity: { kind: "names", packages: [...NAMES_PACKAGES], split: split.identity },
    description: `${names.length.toLocaleString("en-US")} names from npm (${NAMES_PACKAGES.join(", ")}): ${
      split.train.length.toLocaleString("en-US")
    } to train on, ${split.heldOut.length.toLocaleString("en-US")} held out`,
  };
}

/** Reads a text file, or all of stdin for `"-"`, as strict UTF-8 (unless `lossy`); throws an Error with a one-line message. */
export async function readText(path: string, lossy = false): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of textChunks(path, lossy)) parts.push(chunk);
  return parts.join("");
}

/** The text of a file, or of stdin for `"-"`, chunk by chunk in bounded memory (strict UTF-8 unless `lossy`). */
export async function* textChunks(path: string, lossy = false): AsyncGenerator<string> {
  let file: Deno.FsFile | null = null;
  try {
    if (path !== "-") {
      file = await Deno.open(path, { read: true });
      if ((await file.stat()).isDirectory) throw new Deno.errors.IsADirectory("it is a directory");
    }
    const name = path === "-" ? "stdin" : `'${path}'`;
    yield* utf8Chunks(file === null ? Deno.stdin.readable : file.readable, { lossy, name });
    file = null; // the readable closes the file when it ends
  } catch (error) {
    if (error instanceof TypeError) throw new Error(error.message);
    if (error instanceof Deno.errors.NotFound) throw new Error(`cannot read '${path}': file not found`);
    if (error instanceof Deno.errors.IsADirectory) {
      throw new Error(`cannot read '${path}': it is a directory`);
    }
    throw new Error(`cannot read '${path}': ${(error as Error).message.split("\n")[0]}`);
  } finally {
    try {
      file?.close();
    } catch { /* closed by its stream */ }
  }
}

/** A text, its last 10% held out, read in order by `streams` columns. */
export function textData(
  text: string,
  path: string,
  streams: number,
  holdout = 0.1,
  maxVocab = 256,
): TrainData {
  if (text.length === 0) throw new Error(`the text '${path}' is empty`);
  const vocab = Vocab.fromText(text);
  if (vocab.size > maxVocab) {
    throw new Error(
      `the text '${path}' has ${vocab.size} distinct characters, more than --max-vocab ${maxVocab} (binary data? raise --max-vocab if it is text)`,
    );
  }
  const tokens = vocab.encode(text);
  const held = Math.floor(tokens.length * holdout);
  const train = tokens.subarray(0, tokens.length - held);
  const need = Math.max(2, streams);
  if (train.length < need) {
    throw new Error(
      `the text '${path}' is too short: ${tokens.length} characters, at least ${need} are needed to train ${streams} streams`,
    );
  }
  return {
    kind: "text",
    vocab,
    stream: new TextStream(train.slice(), { streams }),
    heldOut: held >= 2 ? [tokens.slice(tokens.length - held)] : [],
    heldOutLabel: `the last ${held.toLocaleString("en-US")} characters held out`,
    // a run with the default 10% held out keeps the identity of checkpoints written before --holdout
    identity: {
      kind: "text",
      length: tokens.length,
      hash: fnv1a(text),
      ...(holdout === 0.1 ? {} : { holdout }),
    },
    description: `${path === "-" ? "stdin" : `'${path}'`}: ${
      tokens.length.toLocaleString("en-US")
    } characters, ${vocab.size} distinct (with the boundary), the last ${
      Math.round(holdout * 1000) / 10
    }% held out`,
  };
}

/**
 * The data with its held-out part taken from a validation text instead: a name per line
 * for the names data, one sequence for a text. Characters the vocabulary lacks are an error.
 */
export function withValidation(data: TrainData, text: string, path: string): TrainData {
  const { vocab } = data;
  const encode = (row: string, where: string): Int32Array => {
    try {
      return vocab.encode(row);
    } catch (error) {
      throw new Error(
        `--valid '${path}'${where}: ${(error as Error).message.replace("Cannot encode text as ", "")}`,
      );
    }
  };
  const heldOut = data.kind === "names"
    ? text.split(/\r?\n/).filter((r) => r !== "").map((row, i) =>
      Int32Array.of(vocab.boundary, ...encode(row, ` line ${i + 1}`), vocab.boundary)
    )
    : [encode(text, "")];
  const chars = heldOut.reduce((n, s) => n + s.length, 0);
  return {
    ...data,
    heldOut: chars >= 2 ? heldOut : [],
    heldOutLabel: `'${path}' (${
      data.kind === "names" ? `${heldOut.length.toLocaleString("en-US")} names` : "validation text"
    })`,
  };
}
