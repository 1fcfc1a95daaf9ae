import { expect } from "chai";
import { createDecipheriv } from "node:crypto";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, decodeTtlv, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { FAILED, OK, engine, val } from "./harness.js";
import { symmetricKeyContent } from "../../src/operations/key-material.js";

const Op = Enums.Operation;

function usage(version: KmipVersion, mask: number): TtlvNode {
  return version.startsWith("2.")
    ? struct(Tag.Attributes, [integer(Tag.CryptographicUsageMask, mask)])
    : struct(Tag.TemplateAttribute, [struct(Tag.Attribute, [text(Tag.AttributeName, "Cryptographic Usage Mask"), integer(Tag.AttributeValue, mask)])]);
}

function spec(wrappingUid: string, mode: number, encoding?: number): TtlvNode {
  return struct(Tag.KeyWrappingSpecification, [
    enumeration(Tag.WrappingMethod, Enums.WrappingMethod.Encrypt),
    struct(Tag.EncryptionKeyInformation, [text(Tag.UniqueIdentifier, wrappingUid), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, mode)])]),
    ...(encoding === undefined ? [] : [enumeration(Tag.EncodingOption, encoding)]),
  ]);
}

function keyBlock(payload: StructureNode | undefined): StructureNode {
  const sk = payload!.children.find((c) => c.tag === Tag.SymmetricKey) as StructureNode;
  return sk.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
}

for (const version of ["1.4", "2.1"] as KmipVersion[]) {
  describe(`engine: Get with a Key Wrapping Specification (KMIP ${version})`, () => {
    const kekBytes = Buffer.from("000102030405060708090A0B0C0D0E0F", "hex");
    const keyBytes = Buffer.from("00112233445566778899AABBCCDDEEFF", "hex");

    async function setup(mask: number = Masks.CryptographicUsageMask.WrapKey, activate = true) {
      const e = engine();
      const reg = async (k: Buffer, m: number) =>
        val((await e.op(Op.Register, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), usage(version, m), symmetricKeyContent(k, Enums.CryptographicAlgorithm.AES, k.length * 8)], version)).payload, Tag.UniqueIdentifier) as string;
      const kek = await reg(kekBytes, mask);
      if (activate) expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, kek)], version)).status).to.equal(OK);
      const key = await reg(keyBytes, Masks.CryptographicUsageMask.Encrypt);
      return { e, kek, key };
    }

    it("NIST Key Wrap, No Encoding: the RFC 3394 §4.1 answer", async () => {
      const { e, kek, key } = await setup();
      const r = await e.op(Op.Get, [text(Tag.UniqueIdentifier, key), spec(kek, Enums.BlockCipherMode.NISTKeyWrap, Enums.EncodingOption.NoEncoding)], version);
      expect(r.status, r.message).to.equal(OK);
      const kb = keyBlock(r.payload);
      const kv = kb.children.find((c) => c.tag === Tag.KeyValue)!;
      expect(kv.type).to.equal(ItemType.ByteString);
      expect(Buffer.from((kv as { value: Uint8Array }).value).toString("hex").toUpperCase()).to.equal("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
      const kwd = kb.children.find((c) => c.tag === Tag.KeyWrappingData) as StructureNode;
      expect(val(kwd, Tag.WrappingMethod)).to.equal(Enums.WrappingMethod.Encrypt);
    });

    it("AES Key Wrap with Padding, TTLV encoding: unwraps to the Key Value structure", async () => {
      const { e, kek, key } = await setup();
      const r = await e.op(Op.Get, [text(Tag.UniqueIdentifier, key), spec(kek, Enums.BlockCipherMode.AESKeyWrapPadding)], version);
      expect(r.status, r.message).to.equal(OK);
      const kv = keyBlock(r.payload).children.find((c) => c.tag === Tag.KeyValue) as { value: Uint8Array };
      const d = createDecipheriv("id-aes128-wrap-pad", kekBytes, Buffer.from("A65959A6", "hex"));
      const plain = Buffer.concat([d.update(kv.value), d.final()]);
      const tree = decodeTtlv(plain) as StructureNode;
      expect(tree.tag).to.equal(Tag.KeyValue);
      expect(Buffer.from(val(tree, Tag.KeyMaterial) as Uint8Array).equals(keyBytes)).to.equal(true);
    });

    it("refuses a wrapping key without Wrap Key usage, or not Active, or unknown", async () => {
      const noWrap = await setup(Masks.CryptographicUsageMask.Encrypt);
      const a = await noWrap.e.op(Op.Get, [text(Tag.UniqueIdentifier, noWrap.key), spec(noWrap.kek, Enums.BlockCipherMode.NISTKeyWrap)], version);
      expect(a.status).to.equal(FAILED);
      const inactive = await setup(Masks.CryptographicUsageMask.WrapKey, false);
      const b = await inactive.e.op(Op.Get, [text(Tag.UniqueIdentifier, inactive.key), spec(inactive.kek, Enums.BlockCipherMode.NISTKeyWrap)], version);
      expect(b.status).to.equal(FAILED);
      const c = await inactive.e.op(Op.Get, [text(Tag.UniqueIdentifier, inactive.key), spec("nope", Enums.BlockCipherMode.NISTKeyWrap)], version);
      expect(c.status).to.equal(FAILED);
    });
  });
}
