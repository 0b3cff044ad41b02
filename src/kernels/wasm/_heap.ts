/**
 * One shared `WebAssembly.Memory` per backend instance and its allocator. The memory is
 * shared (a `SharedArrayBuffer`) so that growing it never detaches the views already
 * handed out: every `Float64Array` from {@linkcode WasmHeap.alloc} stays valid for the
 * backend's life. Allocation is a bump pointer (16-byte aligned, zero-filled); a block
 * given back with {@linkcode WasmHeap.free} is reused by the next allocation of the same
 * size (a run's stages allocate the same sizes each time they subscribe, so a backend
 * shared by many short subscriptions stays bounded). The cap is {@linkcode MAX_PAGES} (1 GiB).
 *
 * Kernels take arrays as byte offsets: an array that lives in this memory is passed as
 * its `byteOffset` (no copy); any other array is copied into a per-call scratch arena
 * first, and outputs are copied back after the call.
 *
 * @module
 */

/** 64 KiB pages: 16384 pages = 1 GiB, the maximum the modules declare. */
export const MAX_PAGES = 16384;
const PAGE = 65536;

/** A shared memory, its bump allocator and the per-call scratch arena. */
export class WasmHeap {
  /** The memory the modules import as `env.memory`. */
  readonly memory: WebAssembly.Memory;
  /** Every `SharedArrayBuffer` object the memory has shown (one per size it grew to). */
  #buffers: ArrayBufferLike[];
  #current: ArrayBufferLike;
  #top: number;
  #scratchAt = 0;
  #scratchEnd = 0;
  #scratchTop = 0;
  #back: [Float64Array, number][] = [];
  /** Blocks given back, by size in bytes: their offsets. */
  #free = new Map<number, number[]>();

  /** A heap whose allocations start at byte `base` (the modules' `__heap_base`). */
  constructor(base: number) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    this.#current = this.memory.buffer;
    this.#buffers = [this.#current];
    this.#top = align(base);
  }

  /** Reserves `bytes` bytes (16-byte aligned) and returns their offset; grows the memory as needed. */
  reserve(bytes: number): number {
    const at = this.#top, end = align(at + bytes);
    if (end > this.#current.byteLength) {
      const pages = Math.ceil((end - this.#current.byteLength) / PAGE);
      const have = this.#current.byteLength / PAGE;
      if (have + pages > MAX_PAGES) {
        throw new RangeError(
          `Cannot allocate ${bytes} bytes in the WebAssembly backend's memory as it is capped at 1 GiB: current size is ${this.#current.byteLength} bytes`,
        );
      }
      this.memory.grow(Math.min(MAX_PAGES - have, Math.max(pages, have)));
      this.#current = this.memory.buffer;
      this.#buffers.push(this.#current);
    }
    this.#top = end;
    return at;
  }

  /** A zero-filled `Float64Array` of `length` values in this memory. */
  alloc(length: number): Float64Array {
    const reused = this.#free.get(align(8 * length))?.pop();
    if (reused !== undefined) return new Float64Array(this.#current, reused, length).fill(0);
    const at = this.reserve(8 * length); // first: it may grow the memory and change the buffer
    return new Float64Array(this.#current, at, length);
  }

  /**
   * Gives a block from {@linkcode WasmHeap.alloc} back for reuse; the array must not be
   * used afterwards. Arrays that are not whole blocks of this memory are refused.
   */
  free(a: Float64Array): void {
    if (!this.owns(a) || a.byteOffset % 16 !== 0) {
      throw new RangeError(
        `Cannot free the array as it must be a block allocated in this memory: current value is a view at byte ${a.byteOffset} of another buffer or unaligned`,
      );
    }
    const size = align(a.byteLength);
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, list = []);
    if (list.includes(a.byteOffset)) {
      throw new RangeError(`Cannot free the array at byte ${a.byteOffset} as it was freed already`);
    }
    list.push(a.byteOffset);
  }

  /** True when `a` is a view of this memory. */
  owns(a: ArrayBufferView): boolean {
    const b = a.buffer;
    return b === this.#current || this.#buffers.includes(b);
  }

  /** Starts a kernel call: the scratch arena is empty again. */
  begin(): void {
    this.#scratchTop = this.#scratchAt;
  }

  /** `bytes` bytes of scratch for this call (16-byte aligned). */
  scratch(bytes: number): number {
    const size = align(bytes);
    if (this.#scratchTop + size > this.#scratchEnd) {
      // a fresh, larger arena; what this call already put in the old one stays valid
      const grow = Math.max(2 * (this.#scratchEnd - this.#scratchAt), size, 1 << 16);
      this.#scratchAt = this.#scratchTop = this.reserve(grow);
      this.#scratchEnd = this.#scratchAt + grow;
    }
    const at = this.#scratchTop;
    this.#scratchTop += size;
    return at;
  }

  /** The byte offset of an input: its own when resident, else a scratch copy. */
  in(a: Float64Array): number {
    if (this.owns(a)) return a.byteOffset;
    const at = this.scratch(8 * a.length);
    new Float64Array(this.#current, at, a.length).set(a);
    return at;
  }

  /** The byte offset of an output (read and written): its own when resident, else a copy written back by {@linkcode end}. */
  out(a: Float64Array): number {
    if (this.owns(a)) return a.byteOffset;
    const at = this.in(a);
    this.#back.push([a, at]);
    return at;
  }

  /** The byte offset of a scratch copy of the tokens. */
  ints(tokens: Int32Array): number {
    const at = this.scratch(4 * tokens.length);
    new Int32Array(this.#current, at, tokens.length).set(tokens);
    return at;
  }

  /** Ends a kernel call: copies non-resident outputs back. */
  end(): void {
    const back = this.#back;
    if (back.length === 0) return;
    for (const [a, at] of back) a.set(new Float64Array(this.#current, at, a.length));
    back.length = 0;
  }
}

function align(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** Bytes from base64 (the inlined modules). */
export function decodeBase64(text: string): Uint8Array {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let q = 0; q < s.length; q++) bytes[q] = s.charCodeAt(q);
  return bytes;
}
