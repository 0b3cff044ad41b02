/**
 * The live trainer's checkpoint file: a header line, a SHA-256 line, then lossless JSON
 * (the checkpoint codec: matrices and typed arrays bit for bit), written atomically
 * (temporary file, fsync, rename) so a crash leaves the old file or the new one.
 *
 * @module
 */
import { decodeValue, encodeValue } from "../io/checkpoint/codec.ts";

const MAGIC = "rxrnn-live-checkpoint 1";

/** Writes `data` to `path` atomically; returns the bytes written. */
export async function saveLiveCheckpoint(path: string, data: unknown): Promise<number> {
  const body = new TextEncoder().encode(JSON.stringify(encodeValue(data, "checkpoint")));
  const header = new TextEncoder().encode(`${MAGIC}\nsha256 ${await sha256(body)} ${body.length}\n`);
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  const tmp = `${path}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
  return bytes.length;
}

/** Reads and checks a file written by {@linkcode saveLiveCheckpoint}; throws an Error saying why it cannot be used. */
export async function loadLiveCheckpoint(path: string): Promise<unknown> {
  const fail = (why: string): never => {
    throw new Error(`Cannot load checkpoint "${path}": ${why}`);
  };
  let bytes = new Uint8Array(0);
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    fail(error instanceof Deno.errors.NotFound ? "file not found" : (error as Error).message);
  }
  const first = bytes.indexOf(10), second = first < 0 ? -1 : bytes.indexOf(10, first + 1);
  if (second < 0) fail("the file is empty or truncated");
  if (new TextDecoder().decode(bytes.subarray(0, first)) !== MAGIC) fail("not a live-trainer checkpoint");
  const match = /^sha256 ([0-9a-f]{64}) (\d+)$/.exec(
    new TextDecoder().decode(bytes.subarray(first + 1, second)),
  );
  if (match === null) fail("corrupted header");
  const body = bytes.subarray(second + 1);
  if (body.length !== Number(match![2])) {
    fail(`truncated or padded: ${body.length} of ${match![2]} payload bytes`);
  }
  if (await sha256(body) !== match![1]) fail("checksum mismatch: the file is corrupted");
  try {
    return decodeValue(JSON.parse(new TextDecoder().decode(body)), "checkpoint");
  } catch (error) {
    return fail(`malformed payload: ${(error as Error).message}`);
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
