import fc from "fast-check";

// Code points that make validators stumble (shared with rules.test.ts): emoji, combining marks, CJK, controls, NUL,
// lone surrogates, the white space String#trim knows, CR/LF.
export const tricky = fc.constantFrom(
  "a", "Z", "0", "_", " ", "\t", "\n", "\r", "\r\n", "\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\u009f",
  "\u00a0", "\u2003", "\u3000", "\ufeff", "\u2028", "é", "e\u0301", "漢", "字", "🎉", "👩‍💻", "\ud800", "\udfff", "@", ".", "-",
);
export const trickyString = (max: number) => fc.array(fc.oneof(tricky, fc.string({ maxLength: 3 }), fc.string({ unit: "binary", maxLength: 2 })), { maxLength: max })
  .map((parts) => parts.join(""));
export const lengthy = (n: number) => fc.constantFrom("x", "🎉", "漢", " ").map((c) => c.repeat(n));

