/**
 * Lossless JSON encoding of plain data with matrices and typed arrays inside, for
 * checkpoints. Typed arrays become base64 of their little-endian bytes, so every
 * float64 comes back bit for bit; numbers JSON cannot hold (NaN, ±Infinity, −0) are
 * tagged. Tags are one-key objects whose key starts with `$`, so plain objects with
 * `$`-keys are refused.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Matrix } from "../../math/matrix.ts";

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Encodes a value as JSON-compatible data; `path` names the value in messages. */
export function encodeValue(value: unknown, path = "value"): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $num: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (value === undefined) return { $undefined: 1 };
  if (value instanceof Matrix) return { $matrix: [value.rows, value.cols, bytesOf(value.data)] };
  if (value instanceof Float64Array) return { $f64: bytesOf(value) };
  if (value instanceof Int32Array) return { $i32: bytesOf(value) };
  if (value instanceof Uint8Array) return { $u8: bytesOf(value) };
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${path}[${i}]`));
  if (typeof value === "object" && isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith("$")) {
        throw new TypeError(`Cannot encode '${path}.${key}': keys must not start with "$"`);
      }
      if (v !== undefined) out[key] = encodeValue(v, `${path}.${key}`);
    }
    return out;
  }
  const kind = typeof value === "object" ? value.constructor?.name ?? "object" : typeof value;
  throw new TypeError(`Cannot encode '${path}': unsupported type ${kind}`);
}

/** Decodes what {@linkcode encodeValue} produced; throws a TypeError naming the path of a malformed tag. */
export function decodeValue(data: unknown, path = "value"): unknown {
  if (data === null || typeof data !== "object") return data;
  if (Array.isArray(data)) return data.map((v, i) => decodeValue(v, `${path}[${i}]`));
  const keys = Object.keys(data);
  const record = data as Record<string, unknown>;
  if (keys.length === 1 && keys[0].startsWith("$")) {
    const tag = keys[0], body = record[tag];
    switch (tag) {
      case "$num":
        if (body === "-0") return -0;
        if (body === "NaN" || body === "Infinity" || body === "-Infinity") return Number(body);
        break;
      case "$undefined":
        return undefined;
      case "$f64":
        return new Float64Array(bufferOf(body, 8, path));
      case "$i32":
        return new Int32Array(bufferOf(body, 4, path));
      case "$u8":
        return new Uint8Array(bufferOf(body, 1, path));
      case "$matrix": {
        if (Array.isArray(body) && body.length === 3) {
          const [rows, cols, bytes] = body;
          const values = new Float64Array(bufferOf(bytes, 8, path));
          if (
            Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 &&
            values.length === rows * cols
          ) {
            return new Matrix(rows, cols, values);
          }
        }
        break;
      }
    }
    throw new TypeError(`'${path}' is a malformed ${tag} value`);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = decodeValue(record[key], `${path}.${key}`);
  return out;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function bytesOf(view: Float64Array | Int32Array | Uint8Array): string {
  if (!LITTLE_ENDIAN) throw new TypeError("Cannot encode typed arrays on a big-endian host");
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64");
}

function bufferOf(body: unknown, width: number, path: string): ArrayBuffer {
  if (typeof body !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
    throw new TypeError(`'${path}' must hold base64 bytes`);
  }
  const bytes = Buffer.from(body, "base64");
  if (bytes.length % width !== 0) {
    throw new TypeError(`'${path}' holds ${bytes.length} bytes, not a multiple of ${width}`);
  }
  // copy into a fresh, aligned buffer
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}
