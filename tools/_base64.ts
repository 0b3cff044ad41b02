/** Base64 of bytes (the build script's encoder; the backends decode with {@linkcode decodeBase64} in src). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = "";
  for (let q = 0; q < bytes.length; q += 0x8000) s += String.fromCharCode(...bytes.subarray(q, q + 0x8000));
  return btoa(s);
}
