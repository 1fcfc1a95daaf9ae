/** The route table: Operation → handler. Adding an operation never touches the executor. */
import { Enums } from "../kmip/index.js";
import { activate } from "./activate.js";
import { addAttribute } from "./add-attribute.js";
import { archive } from "./archive.js";
import { certify } from "./certify.js";
import { check } from "./check.js";
import type { OperationHandler } from "./context.js";
import { create } from "./create.js";
import { createKeyPair } from "./create-key-pair.js";
import { deleteAttribute } from "./delete-attribute.js";
import { destroy } from "./destroy.js";
import { discoverVersions } from "./discover-versions.js";
import { get } from "./get.js";
import { getAttributeList } from "./get-attribute-list.js";
import { getAttributes } from "./get-attributes.js";
import { getUsageAllocation } from "./get-usage-allocation.js";
import { interop } from "./interop.js";
import { locate } from "./locate.js";
import { log } from "./log.js";
import { modifyAttribute } from "./modify-attribute.js";
import { query } from "./query.js";
import { recertify } from "./recertify.js";
import { recover } from "./recover.js";
import { rekey } from "./rekey.js";
import { rekeyKeyPair } from "./rekey-key-pair.js";
import { register } from "./register.js";
import { revoke } from "./revoke.js";
import { setAttribute } from "./set-attribute.js";

const Op = Enums.Operation;

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
  [Op.GetAttributes, getAttributes],
  [Op.GetAttributeList, getAttributeList],
  [Op.AddAttribute, addAttribute],
  [Op.ModifyAttribute, modifyAttribute],
  [Op.DeleteAttribute, deleteAttribute],
  [Op.SetAttribute, setAttribute],
  [Op.GetUsageAllocation, getUsageAllocation],
  [Op.Archive, archive],
  [Op.Recover, recover],
  [Op.Interop, interop],
  [Op.Log, log],
]);
