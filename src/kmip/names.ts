/**
 * Name normalisation of the KMIP XML/JSON encodings (Additional Message Encodings 1.0 §4.1.3/§6.1.3;
 * Profiles 2.1 §5.4.1.1): the spec's display text → the CamelCase element and enumeration names.
 *   "Symmetric Key" → "SymmetricKey", "3DES" → "DES3", "SHA-256" → "SHA_256", "PKCS#1" → "PKCS_1"
 *
 * The six rules, as the reference Python in the spec applies them (its `\W` is Unicode-aware, so
 * a non-ASCII letter is a word character):
 *   1. replace round brackets with spaces;
 *   2. a non-word character followed by a letter and then a lower-case letter becomes a space;
 *   3. the remaining non-word characters (whitespace aside) become underscores;
 *   4. leading digits of the first word move to its end;
 *   5. capitalise the first letter of each word;
 *   6. concatenate.
 */
export function normalizeName(display: string): string {
  const noBrackets = display.replace(/[()]/g, " ");
  const spaced = noBrackets.replace(/[^\p{L}\p{N}_\s]([A-Za-z][a-z])/gu, " $1");
  const words = spaced
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[^\p{L}\p{N}_]/gu, "_"));
  if (words.length === 0) return "";
  const m = /^(\p{Nd}+)(.*)$/u.exec(words[0]!);
  if (m) words[0] = m[2]! + m[1]!;
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}
