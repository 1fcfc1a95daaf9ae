import { expect } from "chai";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { template, std } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

const Op = Enums.Operation;
const KEK = Buffer.from("000102030405060708090A0B0C0D0E0F", "hex");
const KEY = Buffer.from("00112233445566778899AABBCCDDEEFF", "hex");
/** RFC 3394 §4.1: KEY wrapped under KEK. */
const WRAPPED = Buffer.from("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5", "hex");

const block = (kv: TtlvNode, extra: TtlvNode[] = []) =>
  struct(Tag.SymmetricKey, [struct(Tag.KeyBlock, [
    enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), kv,
    enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES), integer(Tag.CryptographicLength, 128), ...extra,
  ])]);
const wrappingData = (kek: string) => struct(Tag.KeyWrappingData, [
  enumeration(Tag.WrappingMethod, Enums.WrappingMethod.Encrypt),
  struct(Tag.EncryptionKeyInformation, [text(Tag.UniqueIdentifier, kek), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, Enums.BlockCipherMode.NISTKeyWrap)])]),
  enumeration(Tag.EncodingOption, Enums.EncodingOption.NoEncoding),
]);
const keyValue = (payload: StructureNode | undefined) =>
  ((payload!.children.find((c) => c.tag === Tag.SymmetricKey) as StructureNode).children[0] as StructureNode).children.find((c) => c.tag === Tag.KeyValue)!;

for (const version of ["1.4", "2.1"] as KmipVersion[]) {
  describe(`engine: keys registered wrapped (KMIP ${version})`, () => {
    it("Get with Key Wrap Type Not Wrapped unwraps; otherwise the key comes back as registered", async () => {
      const e = engine();
      const mask = (m: number) => template(version, [std("Cryptographic Usage Mask", integer(0, m))]);
      const reg = async (content: TtlvNode, m: number) => {
        const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), mask(m), content], version);
        expect(r.status, r.message).to.equal(OK);
        return val(r.payload, Tag.UniqueIdentifier) as string;
      };
      const kek = await reg(block(struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, KEK)])), Masks.CryptographicUsageMask.WrapKey);
      // 1.4 clients send the wrapped bytes as Key Value { Key Material }, 2.x as a Byte String
      const kv = version === "1.4" ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, WRAPPED)]) : bytes(Tag.KeyValue, WRAPPED);
      const key = await reg(block(kv, [wrappingData(kek)]), Masks.CryptographicUsageMask.Encrypt);

      const clear = await e.op(Op.Get, [text(Tag.UniqueIdentifier, key), enumeration(Tag.KeyWrapType, Enums.KeyWrapType.NotWrapped)], version);
      expect(clear.status, clear.message).to.equal(OK);
      const plain = keyValue(clear.payload) as StructureNode;
      expect(Buffer.from(val(plain, Tag.KeyMaterial) as Uint8Array).equals(KEY)).to.equal(true);

      const asIs = await e.op(Op.Get, [text(Tag.UniqueIdentifier, key)], version);
      expect(keyValue(asIs.payload).type).to.equal(version === "1.4" ? ItemType.Structure : ItemType.ByteString);
    });
  });
}
