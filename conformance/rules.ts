/**
 * The comparison policy of the conformance runner, as tables: which response fields are ignored,
 * which may legitimately differ, and which lists are sets. Summarises FORMAT.md §4 rules 5–6
 * (the "Permitted Test Case Variations" of the OASIS KMIP Profiles); see docs/CONFORMANCE-RUNNER.md.
 */
import { Operation, Tag } from "../src/kmip/index.js";

const set = (...tags: number[]): ReadonlySet<number> => new Set(tags);

/** Values never compared (type is still checked): header bookkeeping and free text. */
export const IGNORED_VALUE = set(
  Tag.TimeStamp,
  Tag.ResultMessage,
  Tag.ServerCorrelationValue,
  Tag.VendorIdentification,
  Tag.UniqueBatchItemID,
  Tag.AsynchronousCorrelationValue,
);

/** Structures whose content is not compared at all (server self-description). */
export const IGNORED_CONTENT = set(Tag.ServerInformation, Tag.RandomNumberGenerator);

/**
 * 1.x attributes whose whole value may differ from the file's: the Random Number Generator a
 * server reports is its own (KMIP Profiles 2.1 §4.1.2 item 7: any RNG Algorithm, optional fields
 * present or omitted, any permitted values) — the same rule as the 2.x element above.
 */
export const IGNORED_ATTRIBUTE_VALUES: ReadonlySet<string> = new Set(["Random Number Generator"]);

/**
 * Server-assigned identifiers: a literal in an expected response accepts any value of the type
 * (a placeholder there binds instead, and must then be consistent).
 */
export const IDENTIFIER = set(
  Tag.UniqueIdentifier,
  Tag.PrivateKeyUniqueIdentifier,
  Tag.PublicKeyUniqueIdentifier,
  Tag.LinkedObjectIdentifier,
  Tag.ShortUniqueIdentifier,
  Tag.CorrelationValue,
  Tag.TicketValue,
);

/**
 * Key material: exact when the client sent the same bytes earlier in the file (a registered key
 * must come back unchanged), otherwise server-generated and free.
 */
export const KEY_MATERIAL = set(Tag.KeyMaterial, Tag.KeyValue);

/** Outputs of cryptographic operations: free, unless the operation is deterministic (DETERMINISTIC_OPS). */
export const CRYPTO_OUTPUT = set(
  Tag.Data,
  Tag.SignatureData,
  Tag.MACData,
  Tag.IVCounterNonce,
  Tag.AuthenticatedEncryptionTag,
  Tag.DigestValue,
);

/**
 * Operations whose outputs the client can predict whatever key the server made: Decrypt gives back
 * the plaintext, Hash is a pure function. (Encrypt/Sign/MAC outputs are checked by the later
 * Decrypt/SignatureVerify/MACVerify steps of the same file.)
 */
export const DETERMINISTIC_OPS: ReadonlySet<number> = new Set([Operation.Decrypt, Operation.Hash]);

/**
 * Operations whose response identifiers name keys the server generated. A Decrypt under such a
 * key cannot be predicted by the file (CS-BC-M-2/3 decrypt a fixed ciphertext under a key the
 * server has just created: only the reference server's random key gives the file's plaintext), so
 * its output is compared only when the key's material came from the client (Register).
 */
export const GENERATING_OPS: ReadonlySet<number> = new Set([
  Operation.Create, Operation.CreateKeyPair, Operation.ReKey, Operation.ReKeyKeyPair, Operation.DeriveKey, Operation.CreateSplitKey,
]);

/**
 * Server-assigned handles that are new for each stream or pending operation. The OASIS files
 * reuse one placeholder for successive streams (TC-STREAM-*, `$CORRELATION_VALUE`) and successive
 * asynchronous operations (TC_32, `$ASYNCHRONOUS_CORRELATION_VALUE`), so a placeholder met in a
 * response for one of these tags takes the new value instead of having to equal the old one.
 */
export const REBINDABLE = set(Tag.CorrelationValue, Tag.AsynchronousCorrelationValue);

/** Test-identifier text (Name values, x-ID) may carry a vendor prefix: compared by suffix. */
export const SUFFIX_TEXT = set(Tag.NameValue);
/** 1.x attribute names whose AttributeValue is test-identifier text. */
export const SUFFIX_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(["x-ID", "Name"]);
/** 1.x attribute names whose (text) AttributeValue is a server-assigned identifier. */
export const IDENTIFIER_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(["Unique Identifier"]);

/** Response items a server may add where the file shows none (matched structurally otherwise). */
export const EXTRA_ALLOWED = set(
  Tag.ResultMessage,
  Tag.TemplateAttribute,
  Tag.ServerCorrelationValue,
  Tag.ClientCorrelationValue,
  Tag.MessageExtension,
  Tag.AttributeIndex,
);

/** Response items the file shows that a server may leave out. */
export const OPTIONAL_EXPECTED = set(Tag.ResultMessage, Tag.TemplateAttribute, Tag.ServerCorrelationValue, Tag.AttributeIndex);

/** Structures whose children form a set that may hold extras (2.x attribute containers). */
export const SET_CONTAINERS = set(Tag.Attributes, Tag.CommonAttributes, Tag.PrivateKeyAttributes, Tag.PublicKeyAttributes);

/** Tags that are set members wherever they occur in a response (1.x attributes). */
export const SET_MEMBERS_EVERYWHERE = set(Tag.Attribute);

/** Per-operation response payload children compared as sets with extras. */
export const SET_MEMBERS_BY_OPERATION: ReadonlyMap<number, ReadonlySet<number> | "all"> = new Map<number, ReadonlySet<number> | "all">([
  [Operation.GetAttributeList, set(Tag.AttributeName, Tag.AttributeReference)],
  [Operation.Locate, set(Tag.UniqueIdentifier)],
  [Operation.Query, "all"],
  [Operation.DiscoverVersions, set(Tag.ProtocolVersion)],
]);

/**
 * Query answers that describe the server itself (FORMAT.md §4 rule 5: "Query results: extensions,
 * application namespaces, object types and operations beyond those the profile requires" may
 * differ): the reference server's lists are its own, so these must be present when the file shows
 * them, and their content is not compared. kmipd's own unit test (test/operations/query.test.ts)
 * checks its lists against the route table, so this relaxation hides nothing of kmipd's.
 */
export const SERVER_SPECIFIC_BY_OPERATION: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [Operation.Query, set(
    Tag.Operation, Tag.ObjectType, Tag.ProfileInformation, Tag.CapabilityInformation, Tag.RNGParameters,
    Tag.ValidationInformation, Tag.ExtensionInformation, Tag.ClientRegistrationMethod, Tag.ApplicationNamespace,
  )],
  // PKCS#11 C_GetInfo answers the library's CK_INFO — manufacturer, description and versions: the
  // reference server's own (PKCS11-M-1, "TEST Pty Ltd"), like Query's self-description. kmipd's
  // layout is checked by its unit test (test/operations/pkcs11.test.ts).
  [Operation.PKCS_11, set(Tag.PKCS_11OutputParameters)],
]);

/** Integers a server may report as larger (Locate counts every match, including objects of other clients). */
export const AT_LEAST = set(Tag.LocatedItems);

/** Inside these structures any value is acceptable: the server picks the digest algorithm. */
export const FREE_INSIDE = set(Tag.Digest);
