/** The route table: Operation → handler. Adding an operation never touches the executor. */
import { Enums } from "../kmip/index.js";
import { activate } from "./activate.js";
import type { OperationHandler } from "./context.js";
import { create } from "./create.js";
import { destroy } from "./destroy.js";
import { discoverVersions } from "./discover-versions.js";
import { get } from "./get.js";
import { interop } from "./interop.js";
import { log } from "./log.js";
import { query } from "./query.js";
import { register } from "./register.js";
import { revoke } from "./revoke.js";

const Op = Enums.Operation;

export const ROUTES: ReadonlyMap<number, OperationHandler> = new Map<number, OperationHandler>([
  [Op.DiscoverVersions, discoverVersions],
  [Op.Query, query],
  [Op.Create, create],
  [Op.Register, register],
  [Op.Get, get],
  [Op.Activate, activate],
  [Op.Revoke, revoke],
  [Op.Destroy, destroy],
  [Op.Interop, interop],
  [Op.Log, log],
]);
