/**
 * Name normalisation of the KMIP XML encoding (Additional Message Encodings 1.0 §6; Profiles 2.1
 * §5.4.1): the spec's display text → the CamelCase element and enumeration names the XML uses.
 *   "Symmetric Key" → "SymmetricKey", "3DES" → "DES3", "SHA-256" → "SHA_256", "PKCS#1" → "PKCS_1"
 */
export function normalizeName(display: string): string {
  // brackets become spaces
  let s = display.replace(/[()[\]{}]/g, " ");
  // a non-word character followed by a letter and then a lower-case letter becomes a space
  s = s.replace(/[^A-Za-z0-9_\s]([A-Za-z][a-z])/g, " $1");
  // other non-word characters become underscores
  s = s.replace(/[^A-Za-z0-9_\s]/g, "_");
  const words = s.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return "";
  // leading digits of the first word move to its end
  const m = /^(\d+)(.*)$/.exec(words[0]!);
  if (m && m[2]) words[0] = m[2] + m[1];
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}
