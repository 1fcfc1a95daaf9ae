/** The rewrap daemon and its jobs (issue 7): docs/REWRAP.md. */
export { RewrapDaemon, type PassResult, type RewrapKeys, type RewrapSettings } from "./daemon.js";
export { type FailedDek, type JobRecord, type JobStatus } from "./jobs.js";
export { accountsOfZone, SEVERAL_ZONES, type SkippedAccount } from "./zones.js";
