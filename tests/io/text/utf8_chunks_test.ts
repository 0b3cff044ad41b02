import { assertEquals, assertRejects } from "@std/assert";
import { utf8Chunks } from "../../../src/io/text/utf8_chunks.ts";

const stream = (...chunks: number[][]) => ReadableStream.from(chunks.map((c) => new Uint8Array(c)));
const text = async (s: ReadableStream<Uint8Array>, lossy = false) =>
  (await Array.fromAsync(utf8Chunks(s, { lossy, name: "'x'" }))).join("");

Deno.test("utf8Chunks() decodes characters split across chunks and names the offset of a bad byte", async (t) => {
  const e = [...new TextEncoder().encode("é€😀")];
  await t.step("split characters", async () => {
    assertEquals(await text(stream(e.slice(0, 1), e.slice(1, 4), e.slice(4))), "é€😀");
  });
  await t.step("invalid UTF-8 in a later chunk", async () => {
    await assertRejects(() => text(stream([97, 98], [99, 0xc3, 0x28])), TypeError, "byte offset 3");
  });
  await t.step("a NUL byte is binary data", async () => {
    await assertRejects(() => text(stream([97, 0])), TypeError, "binary data (a NUL byte) at byte offset 1");
  });
  await t.step("a truncated character at the end", async () => {
    await assertRejects(() => text(stream([97, 0xe2, 0x82])), TypeError, "truncated character");
  });
  await t.step("surrogates and overlong forms are invalid", async () => {
    await assertRejects(() => text(stream([0xed, 0xa0, 0x80])), TypeError, "byte offset 0");
    await assertRejects(() => text(stream([0xc0, 0x80])), TypeError, "byte offset 0");
  });
  await t.step("lossy: replacement characters", async () => {
    assertEquals(await text(stream([97, 0xff, 98]), true), "a\ufffdb");
  });
});
