#!/usr/bin/env node
// The kmipd command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
