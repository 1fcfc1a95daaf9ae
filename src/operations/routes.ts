/** The route table: Operation → handler. Adding an operation never touches the executor. */
import { Enums } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { activate } from "./activate.js";
import { addAttribute } from "./add-attribute.js";
import { archive } from "./archive.js";
import { cancel } from "./cancel.js";
import { check } from "./check.js";
import type { OperationHandler } from "./context.js";
import { create } from "./create.js";
import { decrypt } from "./decrypt.js";
import { createSplitKey } from "./create-split-key.js";
import { certify } from "./certify.js";
import { createKeyPair } from "./create-key-pair.js";
import { delegatedLogin } from "./delegated-login.js";
import { deleteAttribute } from "./delete-attribute.js";
import { deriveKey } from "./derive-key.js";
import { destroy } from "./destroy.js";
import { discoverVersions } from "./discover-versions.js";
import { encrypt } from "./encrypt.js";
import { getAttributeList } from "./get-attribute-list.js";
import { getAttributes } from "./get-attributes.js";
import { getConstraints } from "./get-constraints.js";
import { getUsageAllocation } from "./get-usage-allocation.js";
import { get } from "./get.js";
import { hash } from "./hash.js";
import { exportObject } from "./export.js";
import { importObject } from "./import.js";
import { interop } from "./interop.js";
import { joinSplitKey } from "./join-split-key.js";
import { locate } from "./locate.js";
import { log } from "./log.js";
import { login } from "./login.js";
import type { TicketRegistry } from "./login/tickets.js";
import { logout } from "./logout.js";
import { macVerify } from "./mac-verify.js";
import { mac } from "./mac.js";
import { modifyAttribute } from "./modify-attribute.js";
import { obtainLease } from "./obtain-lease.js";
import { pkcs11 } from "./pkcs11.js";
import { poll } from "./poll.js";
import { query } from "./query.js";
import { recertify } from "./recertify.js";
import { recover } from "./recover.js";
import { rekey } from "./rekey.js";
import { rekeyKeyPair } from "./rekey-key-pair.js";
import { register } from "./register.js";
import { revoke } from "./revoke.js";
import { rngRetrieve } from "./rng-retrieve.js";
import { rngSeed } from "./rng-seed.js";
import { setAttribute } from "./set-attribute.js";
import { setConstraints } from "./set-constraints.js";
import { sign } from "./sign.js";
import { signatureVerify } from "./signature-verify.js";

const Op = Enums.Operation;

/** Login operations use the executor's ticket registry (tickets are checked there, ticket-gate.ts). */
const withTickets =
  (make: (t: TicketRegistry) => OperationHandler): OperationHandler =>
  (p, ctx) => {
    if (!ctx.tickets) throw new KmipError("OperationNotSupported", "login tickets are not available here");
    return make(ctx.tickets)(p, ctx);
  };

export const ROUTES: ReadonlyMap<number, OperationHandler> = new Map<number, OperationHandler>([
  [Op.DiscoverVersions, discoverVersions],
  [Op.Query, query],
  [Op.Create, create],
  [Op.CreateKeyPair, createKeyPair],
  [Op.Register, register],
  [Op.Get, get],
  [Op.Activate, activate],
  [Op.Revoke, revoke],
  [Op.Destroy, destroy],
  [Op.ReKey, rekey],
  [Op.ReKeyKeyPair, rekeyKeyPair],
  [Op.Certify, certify],
  [Op.ReCertify, recertify],
  [Op.Locate, locate],
  [Op.Check, check],
  [Op.ObtainLease, obtainLease],
  [Op.GetAttributes, getAttributes],
  [Op.GetAttributeList, getAttributeList],
  [Op.AddAttribute, addAttribute],
  [Op.ModifyAttribute, modifyAttribute],
  [Op.DeleteAttribute, deleteAttribute],
  [Op.SetAttribute, setAttribute],
  [Op.SetConstraints, setConstraints],
  [Op.GetConstraints, getConstraints],
  [Op.GetUsageAllocation, getUsageAllocation],
  [Op.Archive, archive],
  [Op.Recover, recover],
  [Op.Cancel, cancel],
  [Op.Poll, poll],
  [Op.Interop, interop],
  [Op.Log, log],
  [Op.Encrypt, encrypt],
  [Op.Decrypt, decrypt],
  [Op.Sign, sign],
  [Op.SignatureVerify, signatureVerify],
  [Op.MAC, mac],
  [Op.MACVerify, macVerify],
  [Op.Hash, hash],
  [Op.RNGRetrieve, rngRetrieve],
  [Op.RNGSeed, rngSeed],
  [Op.DeriveKey, deriveKey],
  [Op.CreateSplitKey, createSplitKey],
  [Op.JoinSplitKey, joinSplitKey],
  [Op.Export, exportObject],
  [Op.Import, importObject],
  [Op.PKCS_11, pkcs11],
  [Op.Login, withTickets(login)],
  [Op.Logout, withTickets(logout)],
  [Op.DelegatedLogin, withTickets(delegatedLogin)],
]);
