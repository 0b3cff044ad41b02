/** `editDistance()` and `closest()`: the "did you mean" of the CLI. */
import { assertStrictEquals } from "@std/assert";
import { closest, editDistance } from "../../src/cli/_suggest.ts";

Deno.test("editDistance() counts insertions, deletions and substitutions", () => {
  assertStrictEquals(editDistance("hiden", "hidden"), 1);
  assertStrictEquals(editDistance("kitten", "sitting"), 3);
  assertStrictEquals(editDistance("", "abc"), 3);
});

Deno.test("closest() suggests a near name or a unique prefix, and nothing for a far one", () => {
  const known = ["hidden", "holdout", "help", "eval-every", "dashboard"];
  assertStrictEquals(closest("hiden", known), "hidden");
  assertStrictEquals(closest("holdot", known), "holdout");
  assertStrictEquals(closest("dash", known), "dashboard");
  assertStrictEquals(closest("bogus", known), undefined);
});
