/** Atomic file writes: a temporary file in the same folder, fsync, then rename over the target. */
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Writes `data` to `file` so that readers see either the old or the complete new content. */
export async function atomicWrite(file: string, data: Uint8Array | string | Uint8Array[]): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, "w");
  try {
    const chunks = Array.isArray(data) ? data : [data];
    for (const chunk of chunks) await handle.writeFile(chunk);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(tmp, file);
  // Persist the rename itself (directory entry); not every platform allows fsync on a folder.
  try {
    const dirHandle = await fs.open(dir, "r");
    await dirHandle.sync().finally(() => dirHandle.close());
  } catch {
    /* best effort */
  }
}
