/**
 * The TypeScript KMIP client: typed calls for each operation over one mutual-TLS connection, in a
 * chosen protocol version (1.0–2.1). Used by kmipd's tests, benchmark and CLI, and exported.
 */
import { Enums, Masks, Tag, attributeByName, type KmipVersion } from "../kmip/index.js";
import { ItemType, boolean, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import { attributesNode, readAttrs, v1Attribute, v2Element, type ClientAttr } from "./attributes.js";
import { KmipConnection, type ConnectOptions } from "./connection.js";
import { authenticationNode, type ClientCredential } from "./credential.js";

export interface BatchItemRequest {
  readonly operation: number;
  readonly payload: readonly TtlvNode[];
}

export interface BatchItemResult {
  readonly operation?: number;
  readonly status: number;
  readonly reason?: number;
  readonly message?: string;
  readonly payload?: StructureNode;
}

/** A failed operation, with the server's Result Reason. */
export class KmipRequestError extends Error {
  override readonly name = "KmipRequestError";
  constructor(
    readonly reason: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface GetResult {
  readonly objectType: number;
  readonly uid: string;
  /** The object structure (Symmetric Key, Secret Data, …) as the server returned it. */
  readonly content: StructureNode;
  /** Key Material bytes when they are a plain byte string (Raw, Opaque, PKCS#8 …). */
  readonly keyBytes?: Uint8Array;
}

const Op = Enums.Operation;
const child = (s: StructureNode | undefined, tag: number): TtlvNode | undefined => s?.children.find((c) => c.tag === tag);
const textOf = (s: StructureNode | undefined, tag: number): string | undefined => {
  const n = child(s, tag);
  return n?.type === ItemType.TextString ? n.value : undefined;
};

export class KmipClient {
  /** Sent in the header of every request while set (a header given to batch() with its own Authentication wins). */
  credential?: ClientCredential;

  constructor(
    readonly connection: KmipConnection,
    readonly version: KmipVersion = "1.4",
  ) {}

  static async connect(opts: ConnectOptions & { readonly version?: KmipVersion }): Promise<KmipClient> {
    return new KmipClient(await KmipConnection.connect(opts), opts.version ?? "1.4");
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Several operations in one request message; results in order. */
  async batch(items: readonly BatchItemRequest[], header: readonly TtlvNode[] = []): Promise<BatchItemResult[]> {
    const [major, minor] = this.version.split(".").map(Number) as [number, number];
    const many = items.length > 1;
    const req = struct(Tag.RequestMessage, [
      struct(Tag.RequestHeader, [
        struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, major), integer(Tag.ProtocolVersionMinor, minor)]),
        ...(this.credential && !header.some((h) => h.tag === Tag.Authentication) ? [authenticationNode(this.credential)] : []),
        ...header,
        integer(Tag.BatchCount, items.length),
      ]),
      ...items.map((it, i) =>
        struct(Tag.BatchItem, [
          enumeration(Tag.Operation, it.operation),
          ...(many ? [bytes(Tag.UniqueBatchItemID, Buffer.from([i >> 8, i & 0xff]))] : []),
          struct(Tag.RequestPayload, [...it.payload]),
        ]),
      ),
    ]);
    const res = await this.connection.send(req);
    return res.children.filter((c): c is StructureNode => c.tag === Tag.BatchItem && c.type === ItemType.Structure).map((b) => {
      const num = (t: number) => {
        const n = child(b, t);
        return n?.type === ItemType.Enumeration ? n.value : undefined;
      };
      const p = child(b, Tag.ResponsePayload);
      return {
        operation: num(Tag.Operation),
        status: num(Tag.ResultStatus) ?? -1,
        reason: num(Tag.ResultReason),
        message: textOf(b, Tag.ResultMessage),
        payload: p?.type === ItemType.Structure ? p : undefined,
      };
    });
  }

  /** One operation; its response payload, or a KmipRequestError. */
  async call(operation: number, payload: readonly TtlvNode[]): Promise<StructureNode> {
    const [r] = await this.batch([{ operation, payload }]);
    if (!r) throw new KmipRequestError(undefined, "the response held no batch item");
    if (r.status !== Enums.ResultStatus.Success) throw new KmipRequestError(r.reason, r.message ?? "operation failed");
    return r.payload ?? struct(Tag.ResponsePayload, []);
  }

  private uidOf(p: StructureNode): string {
    const uid = textOf(p, Tag.UniqueIdentifier);
    if (uid === undefined) throw new KmipRequestError(undefined, "the response has no Unique Identifier");
    return uid;
  }

  private withName(attrs: readonly ClientAttr[], name: string | undefined): ClientAttr[] {
    if (name === undefined) return [...attrs];
    const n = struct(0, [text(Tag.NameValue, name), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]);
    return [...attrs, { name: "Name", value: n }];
  }

  async discoverVersions(versions: readonly [number, number][] = []): Promise<[number, number][]> {
    const p = await this.call(Op.DiscoverVersions, versions.map(([a, b]) => struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, a), integer(Tag.ProtocolVersionMinor, b)])));
    return p.children.filter((c): c is StructureNode => c.type === ItemType.Structure).map((pv) => pv.children.map((c) => (c as { value: number }).value) as [number, number]);
  }

  async query(functions: readonly number[]): Promise<StructureNode> {
    return this.call(Op.Query, functions.map((f) => enumeration(Tag.QueryFunction, f)));
  }

  /** Creates a symmetric key (AES-256 for Encrypt|Decrypt unless told otherwise); returns its uid. */
  async create(o: { algorithm?: number; length?: number; usageMask?: number; name?: string; attributes?: readonly ClientAttr[] } = {}): Promise<string> {
    const attrs: ClientAttr[] = [
      { name: "Cryptographic Algorithm", value: enumeration(0, o.algorithm ?? Enums.CryptographicAlgorithm.AES) },
      { name: "Cryptographic Length", value: integer(0, o.length ?? 256) },
      { name: "Cryptographic Usage Mask", value: integer(0, o.usageMask ?? (Masks.CryptographicUsageMask.Encrypt | Masks.CryptographicUsageMask.Decrypt)) },
    ];
    const p = await this.call(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), attributesNode(this.withName([...attrs, ...(o.attributes ?? [])], o.name), this.version)]);
    return this.uidOf(p);
  }

  /** Registers an object given as its structure (Symmetric Key, Secret Data, Opaque Object …). */
  async register(objectType: number, content: TtlvNode, o: { name?: string; attributes?: readonly ClientAttr[] } = {}): Promise<string> {
    const attrs = this.withName(o.attributes ?? [], o.name);
    const p = await this.call(Op.Register, [enumeration(Tag.ObjectType, objectType), attributesNode(attrs, this.version), content]);
    return this.uidOf(p);
  }

  registerSymmetricKey(key: Uint8Array, algorithm: number, o: { name?: string; usageMask?: number } = {}): Promise<string> {
    const content = struct(Tag.SymmetricKey, [
      struct(Tag.KeyBlock, [
        enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw),
        struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, key)]),
        enumeration(Tag.CryptographicAlgorithm, algorithm),
        integer(Tag.CryptographicLength, key.length * 8),
      ]),
    ]);
    const mask = o.usageMask ?? (Masks.CryptographicUsageMask.Encrypt | Masks.CryptographicUsageMask.Decrypt);
    return this.register(Enums.ObjectType.SymmetricKey, content, { name: o.name, attributes: [{ name: "Cryptographic Usage Mask", value: integer(0, mask) }] });
  }

  registerSecretData(secret: Uint8Array, o: { name?: string; type?: number } = {}): Promise<string> {
    const content = struct(Tag.SecretData, [
      enumeration(Tag.SecretDataType, o.type ?? Enums.SecretDataType.Password),
      struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, secret)])]),
    ]);
    return this.register(Enums.ObjectType.SecretData, content, { name: o.name, attributes: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) }] });
  }

  registerOpaque(data: Uint8Array, o: { name?: string; opaqueType?: number } = {}): Promise<string> {
    const content = struct(Tag.OpaqueObject, [enumeration(Tag.OpaqueDataType, o.opaqueType ?? 0x80000000), bytes(Tag.OpaqueDataValue, data)]);
    return this.register(Enums.ObjectType.OpaqueObject, content, { name: o.name });
  }

  async get(uid: string, o: { format?: number } = {}): Promise<GetResult> {
    const payload: TtlvNode[] = [text(Tag.UniqueIdentifier, uid)];
    if (o.format !== undefined) payload.push(enumeration(Tag.KeyFormatType, o.format));
    const p = await this.call(Op.Get, payload);
    const ot = child(p, Tag.ObjectType);
    const content = p.children.find((c): c is StructureNode => c.type === ItemType.Structure);
    if (!content || ot?.type !== ItemType.Enumeration) throw new KmipRequestError(undefined, "Get response without an object");
    return { objectType: ot.value, uid: this.uidOf(p), content, keyBytes: materialBytes(content) };
  }

  async getAttributes(uid: string, names: readonly string[] = []): Promise<ClientAttr[]> {
    const refs = this.version.startsWith("2.")
      ? names.map((n) => enumeration(Tag.AttributeReference, attributeByName(n)!.tag))
      : names.map((n) => text(Tag.AttributeName, n));
    return readAttrs(await this.call(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), ...refs]));
  }

  async getAttributeList(uid: string): Promise<TtlvNode[]> {
    const p = await this.call(Op.GetAttributeList, [text(Tag.UniqueIdentifier, uid)]);
    return p.children.filter((c) => c.tag !== Tag.UniqueIdentifier);
  }

  async addAttribute(uid: string, attr: ClientAttr): Promise<void> {
    const a = this.version.startsWith("2.") ? struct(Tag.NewAttribute, [v2Element(attr)]) : v1Attribute(attr);
    await this.call(Op.AddAttribute, [text(Tag.UniqueIdentifier, uid), a]);
  }

  async modifyAttribute(uid: string, attr: ClientAttr, index?: number): Promise<void> {
    const a = this.version.startsWith("2.") ? struct(Tag.NewAttribute, [v2Element(attr)]) : v1Attribute(attr, index);
    await this.call(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), a]);
  }

  async deleteAttribute(uid: string, name: string, index?: number): Promise<void> {
    const payload: TtlvNode[] = [text(Tag.UniqueIdentifier, uid)];
    if (this.version.startsWith("2.")) {
      const row = attributeByName(name);
      payload.push(row ? enumeration(Tag.AttributeReference, row.tag) : struct(Tag.AttributeReference, [text(Tag.VendorIdentification, name.split("-")[0]!), text(Tag.AttributeName, name.slice(name.indexOf("-") + 1))]));
    } else {
      payload.push(text(Tag.AttributeName, name));
      if (index !== undefined) payload.push(integer(Tag.AttributeIndex, index));
    }
    await this.call(Op.DeleteAttribute, payload);
  }

  /** Locate by name and/or other attributes; returns uids. */
  async locate(o: { name?: string; attributes?: readonly ClientAttr[]; maxItems?: number; offset?: number } = {}): Promise<string[]> {
    const attrs = this.withName(o.attributes ?? [], o.name);
    const payload: TtlvNode[] = [];
    if (o.maxItems !== undefined) payload.push(integer(Tag.MaximumItems, o.maxItems));
    if (o.offset !== undefined) payload.push(integer(Tag.OffsetItems, o.offset));
    if (this.version.startsWith("2.")) payload.push(struct(Tag.Attributes, attrs.map(v2Element)));
    else payload.push(...attrs.map((a) => v1Attribute(a)));
    const p = await this.call(Op.Locate, payload);
    return p.children.filter((c) => c.tag === Tag.UniqueIdentifier).map((c) => (c as { value: string }).value);
  }

  async activate(uid: string): Promise<void> {
    await this.call(Op.Activate, [text(Tag.UniqueIdentifier, uid)]);
  }

  async revoke(uid: string, code: number = Enums.RevocationReasonCode.CessationOfOperation, message?: string): Promise<void> {
    const rr: TtlvNode[] = [enumeration(Tag.RevocationReasonCode, code)];
    if (message !== undefined) rr.push(text(Tag.RevocationMessage, message));
    await this.call(Op.Revoke, [text(Tag.UniqueIdentifier, uid), struct(Tag.RevocationReason, rr)]);
  }

  async destroy(uid: string): Promise<void> {
    await this.call(Op.Destroy, [text(Tag.UniqueIdentifier, uid)]);
  }

  /** Creates a key pair; `common` attributes apply to both halves (algorithm, length or curve …). */
  async createKeyPair(o: { common: readonly ClientAttr[]; privateAttrs?: readonly ClientAttr[]; publicAttrs?: readonly ClientAttr[] }): Promise<{ privateUid: string; publicUid: string }> {
    const v2 = this.version.startsWith("2.");
    const holder = (v1: number, v2t: number, attrs: readonly ClientAttr[]) =>
      v2 ? struct(v2t, attrs.map(v2Element)) : struct(v1, attrs.map((a) => v1Attribute(a)));
    const p = await this.call(Op.CreateKeyPair, [
      holder(Tag.CommonTemplateAttribute, Tag.CommonAttributes, o.common),
      holder(Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes, o.privateAttrs ?? []),
      holder(Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes, o.publicAttrs ?? []),
    ]);
    const privateUid = textOf(p, Tag.PrivateKeyUniqueIdentifier);
    const publicUid = textOf(p, Tag.PublicKeyUniqueIdentifier);
    if (privateUid === undefined || publicUid === undefined) throw new KmipRequestError(undefined, "Create Key Pair response without both identifiers");
    return { privateUid, publicUid };
  }

  /** Encrypt; returns the ciphertext and whatever IV/nonce and tag the server used or made. */
  async encrypt(uid: string, data: Uint8Array, o: CryptoOptions = {}): Promise<{ data: Uint8Array; iv?: Uint8Array; tag?: Uint8Array }> {
    const p = await this.call(Op.Encrypt, cryptoPayload(uid, o, data));
    return { data: bytesOf(p, Tag.Data) ?? new Uint8Array(0), iv: bytesOf(p, Tag.IVCounterNonce), tag: bytesOf(p, Tag.AuthenticatedEncryptionTag) };
  }

  async decrypt(uid: string, data: Uint8Array, o: CryptoOptions & { tag?: Uint8Array } = {}): Promise<Uint8Array> {
    const p = await this.call(Op.Decrypt, cryptoPayload(uid, o, data, o.tag ? [bytes(Tag.AuthenticatedEncryptionTag, o.tag)] : []));
    return bytesOf(p, Tag.Data) ?? new Uint8Array(0);
  }

  async sign(uid: string, data: Uint8Array, o: CryptoOptions = {}): Promise<Uint8Array> {
    const p = await this.call(Op.Sign, cryptoPayload(uid, o, data));
    return bytesOf(p, Tag.SignatureData) ?? new Uint8Array(0);
  }

  /** True when the server answers Validity Indicator Valid. */
  async signatureVerify(uid: string, data: Uint8Array, signature: Uint8Array, o: CryptoOptions = {}): Promise<boolean> {
    const p = await this.call(Op.SignatureVerify, cryptoPayload(uid, o, data, [bytes(Tag.SignatureData, signature)]));
    const v = child(p, Tag.ValidityIndicator);
    return v?.type === ItemType.Enumeration && v.value === Enums.ValidityIndicator.Valid;
  }

  async mac(uid: string, data: Uint8Array, o: CryptoOptions = {}): Promise<Uint8Array> {
    const p = await this.call(Op.MAC, cryptoPayload(uid, o, data));
    return bytesOf(p, Tag.MACData) ?? new Uint8Array(0);
  }
}

/** Cryptographic Parameters fields (enumeration values from Enums) and the IV / AAD of a crypto call. */
export interface CryptoOptions {
  readonly algorithm?: number;
  readonly blockCipherMode?: number;
  readonly paddingMethod?: number;
  readonly hashingAlgorithm?: number;
  readonly tagLength?: number;
  readonly randomIV?: boolean;
  readonly iv?: Uint8Array;
  readonly aad?: Uint8Array;
}

/** Payload of a crypto call in the spec's field order: uid, Cryptographic Parameters, Data, IV, AAD, then `rest`. */
function cryptoPayload(uid: string, o: CryptoOptions, data: Uint8Array, rest: readonly TtlvNode[] = []): TtlvNode[] {
  const cp: TtlvNode[] = [];
  if (o.blockCipherMode !== undefined) cp.push(enumeration(Tag.BlockCipherMode, o.blockCipherMode));
  if (o.paddingMethod !== undefined) cp.push(enumeration(Tag.PaddingMethod, o.paddingMethod));
  if (o.hashingAlgorithm !== undefined) cp.push(enumeration(Tag.HashingAlgorithm, o.hashingAlgorithm));
  if (o.algorithm !== undefined) cp.push(enumeration(Tag.CryptographicAlgorithm, o.algorithm));
  if (o.randomIV !== undefined) cp.push(boolean(Tag.RandomIV, o.randomIV));
  if (o.tagLength !== undefined) cp.push(integer(Tag.TagLength, o.tagLength));
  const out: TtlvNode[] = [text(Tag.UniqueIdentifier, uid)];
  if (cp.length) out.push(struct(Tag.CryptographicParameters, cp));
  out.push(bytes(Tag.Data, data));
  if (o.iv) out.push(bytes(Tag.IVCounterNonce, o.iv));
  if (o.aad) out.push(bytes(Tag.AuthenticatedEncryptionAdditionalData, o.aad));
  return [...out, ...rest];
}

function bytesOf(s: StructureNode, tag: number): Uint8Array | undefined {
  const n = child(s, tag);
  return n?.type === ItemType.ByteString ? n.value : undefined;
}

/** Key Material (or Opaque Data Value) bytes of an object structure, when they are a byte string. */
function materialBytes(content: StructureNode): Uint8Array | undefined {
  const direct = child(content, Tag.OpaqueDataValue) ?? child(content, Tag.CertificateValue);
  if (direct?.type === ItemType.ByteString) return direct.value;
  const kb = child(content, Tag.KeyBlock);
  const kv = kb?.type === ItemType.Structure ? child(kb, Tag.KeyValue) : undefined;
  const km = kv?.type === ItemType.Structure ? child(kv, Tag.KeyMaterial) : undefined;
  if (km?.type === ItemType.ByteString) return km.value;
  const key = km?.type === ItemType.Structure ? child(km, Tag.Key) : undefined;
  return key?.type === ItemType.ByteString ? key.value : undefined;
}
