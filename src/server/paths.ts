/** Small filesystem helper shared by the server's start-up code and the CLI. */
import { access } from "node:fs/promises";

/** True when the path exists (and is accessible), false otherwise. */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
