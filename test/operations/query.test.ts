import { expect } from "chai";
import { Enums, Tag, enumByXmlName, inVersion, type KmipVersion } from "../../src/kmip/index.js";
import { ROUTES } from "../../src/operations/routes.js";
import { REGISTRABLE_TYPES } from "../../src/operations/register.js";
import { ItemType, enumeration } from "../../src/ttlv/index.js";
import { OK, engine } from "./harness.js";

const Q = Enums.QueryFunction;
const inV = (enumName: string, v: number, version: KmipVersion) =>
  inVersion(enumByXmlName(enumName)!.values.find((r) => r.value === v)!.versions, version);

async function ask(version: KmipVersion, ...fns: number[]) {
  const r = await engine().op(Enums.Operation.Query, fns.map((f) => enumeration(Tag.QueryFunction, f)), version);
  expect(r.status, r.message).to.equal(OK);
  return r.payload!.children;
}

describe("Query", () => {
  // The conformance runner does not compare Query lists (FORMAT.md §4); this is where they are checked.
  for (const version of ["1.0", "1.2", "1.4", "2.0", "2.1"] as KmipVersion[]) {
    it(`lists exactly the routed operations and registrable object types (${version})`, async () => {
      const kids = await ask(version, Q.QueryOperations, Q.QueryObjects);
      const ops = kids.filter((c) => c.tag === Tag.Operation).map((c) => (c as { value: number }).value);
      const types = kids.filter((c) => c.tag === Tag.ObjectType).map((c) => (c as { value: number }).value);
      expect(ops).to.deep.equal([...ROUTES.keys()].filter((o) => inV("Operation", o, version)));
      expect(types).to.deep.equal(REGISTRABLE_TYPES.filter((t) => inV("ObjectType", t, version)));
    });
  }

  it("describes profiles, capabilities, RNGs and registration methods from 1.3 on", async () => {
    const kids = await ask("1.4", Q.QueryProfiles, Q.QueryCapabilities, Q.QueryRNGs, Q.QueryClientRegistrationMethods, Q.QueryValidations);
    const tags = kids.map((c) => c.tag);
    expect(tags.filter((t) => t === Tag.ProfileInformation)).to.have.length.greaterThan(3);
    expect(tags).to.include.members([Tag.CapabilityInformation, Tag.RNGParameters, Tag.ClientRegistrationMethod]);
    expect(tags).not.to.include(Tag.ValidationInformation); // kmipd holds no validation
    const cap = kids.find((c) => c.tag === Tag.CapabilityInformation) as { children: { tag: number }[] };
    expect(cap.children.map((c) => c.tag)).not.to.include(Tag.QuantumSafeCapability); // 2.x only
  });

  it("Query RNGs names both generators: OpenSSL's CTR_DRBG (keys) and the HMAC_DRBG of RNG Retrieve", async () => {
    const kids = await ask("2.1", Q.QueryRNGs);
    const drbg = kids
      .filter((c) => c.tag === Tag.RNGParameters)
      .map((c) => ((c as { children: { tag: number; value: unknown }[] }).children.find((f) => f.tag === Tag.DRBGAlgorithm)?.value));
    expect(drbg).to.deep.equal([Enums.DRBGAlgorithm.CTR, Enums.DRBGAlgorithm.HMAC]);
  });

  it("answers 2.x profile names in 2.x", async () => {
    const kids = await ask("2.1", Q.QueryProfiles);
    const names = kids.map((c) => ((c as { children: { value: number }[] }).children[0]!.value));
    expect(names).to.include(Enums.ProfileName.SymmetricKeyLifecycleServer);
  });
});

describe("Query: Server Information per version", () => {
  it("carries Server Name and Server Version in 2.x only (1.x has no such fields)", async () => {
    const e = engine();
    for (const [v, expectNames] of [["1.4", false], ["2.0", true], ["2.1", true]] as const) {
      const r = await e.op(Enums.Operation.Query, [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryServerInformation)], v);
      const info = r.payload?.children.find((c) => c.tag === Tag.ServerInformation);
      expect(info?.type, v).to.equal(ItemType.Structure);
      const tags = info?.type === ItemType.Structure ? info.children.map((c) => c.tag) : [];
      expect(tags.includes(Tag.ServerName), v).to.equal(expectNames);
    }
  });
});
