// Types for the untyped `deno-std` assert module; see _assert.ts.
// deno-lint-ignore-file no-explicit-any
export declare const assert: any;
export declare const assertEquals: any;
export declare const assertStrictEquals: any;
export declare const assertNotEquals: any;
export declare const assertAlmostEquals: any;
export declare const assertGreater: any;
export declare const assertLess: any;
export declare const assertLessOrEqual: any;
export declare const assertMatch: any;
export declare const assertStringIncludes: any;
export declare const assertThrows: any;
export declare const assertRejects: any;
export declare const fail: any;
