/**
 * Discover Versions (1.4 §4.26, 2.1 §6.1.16): the versions both sides speak, in the client's
 * order of preference; all of ours when the client lists none.
 */
import { Tag } from "../kmip/index.js";
import { SUPPORTED_VERSIONS, kmipVersionOf } from "../messages/index.js";
import { integer, struct, type TtlvNode } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

export const discoverVersions: OperationHandler = async (p) => {
  const asked = p.structs(Tag.ProtocolVersion).map((r) => ({ major: r.int(Tag.ProtocolVersionMajor), minor: r.int(Tag.ProtocolVersionMinor) }));
  const answer = asked.length === 0 ? SUPPORTED_VERSIONS : asked.filter((v) => kmipVersionOf(v) !== undefined);
  return answer.map(
    (v): TtlvNode => struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, v.major), integer(Tag.ProtocolVersionMinor, v.minor)]),
  );
};
