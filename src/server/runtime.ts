/**
 * The one place `kmipd serve` gets its engine from: store, key provider and batch executor,
 * wired from the settings, behind the transport's MessageHandler seam.
 */
import type { KmipdConfig } from "../config/index.js";
import type { AdminServices, HealthProbe } from "./admin/types.js";
import { createEngine, type Engine, type EngineOptions } from "./engine.js";
import type { MessageHandler } from "./handler.js";
import type { Logger } from "./log.js";

export interface ServerRuntime {
  /** Answers one request message (see handler.ts). */
  readonly handler: MessageHandler;
  /** For the admin API: the services this engine provides, and the /healthz probes. */
  readonly admin?: AdminServices;
  readonly probes?: readonly HealthProbe[] | (() => readonly HealthProbe[]);
  /** Releases what the engine holds (store, HSM sessions); called after the listener has drained. */
  close(): Promise<void>;
}

/** The engine itself: besides the handler it carries the tenancy and KMS services the admin plane serves. */
export async function createServerRuntime(config: KmipdConfig, log: Logger, opts: EngineOptions = {}): Promise<ServerRuntime & Engine> {
  return createEngine(config, log, process.env, opts);
}
