/**
 * Header credentials the client can send with every request (KMIP Credential): a username and
 * password, or a device's identifiers (and password). The server verifies them and uses them to
 * tell users of one TLS client apart (docs/TENANCY.md, "Header credentials").
 */
import { Enums, Tag } from "../kmip/index.js";
import { enumeration, struct, text, type TtlvNode } from "../ttlv/index.js";

export type ClientCredential =
  | { readonly username: string; readonly password?: string }
  | {
      readonly device: {
        readonly serialNumber?: string;
        readonly password?: string;
        readonly deviceIdentifier?: string;
        readonly networkIdentifier?: string;
        readonly machineIdentifier?: string;
        readonly mediaIdentifier?: string;
      };
    };

/** The request header's Authentication structure carrying one credential. */
export function authenticationNode(c: ClientCredential): TtlvNode {
  const opt = (tag: number, v: string | undefined): TtlvNode[] => (v === undefined ? [] : [text(tag, v)]);
  const [type, fields] =
    "username" in c
      ? [Enums.CredentialType.UsernameAndPassword, [text(Tag.Username, c.username), ...opt(Tag.Password, c.password)]]
      : [
          Enums.CredentialType.Device,
          [
            ...opt(Tag.DeviceSerialNumber, c.device.serialNumber),
            ...opt(Tag.Password, c.device.password),
            ...opt(Tag.DeviceIdentifier, c.device.deviceIdentifier),
            ...opt(Tag.NetworkIdentifier, c.device.networkIdentifier),
            ...opt(Tag.MachineIdentifier, c.device.machineIdentifier),
            ...opt(Tag.MediaIdentifier, c.device.mediaIdentifier),
          ],
        ];
  return struct(Tag.Authentication, [struct(Tag.Credential, [enumeration(Tag.CredentialType, type), struct(Tag.CredentialValue, fields)])]);
}
