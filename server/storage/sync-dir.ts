/** Makes a rename durable: fsync the folder that holds the renamed file (where the platform can). */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    /* some platforms cannot fsync a directory */
  } finally {
    await handle.close();
  }
}
