/**
 * The installation's store of encrypted files (DATA_DIR/files), opened once per
 * process and shared by whoever needs it (the recording routes, the recording
 * sweep, later documents). The master key is loaded (or generated) on first use.
 */
import path from 'node:path';
import { EncryptedFiles, FileStore } from './encrypted-files.js';
import { KeyRing, loadMasterKey } from './keys.js';

type StorageSettings = { DATA_DIR: string; STORAGE_MASTER_KEY?: string };

const opened = new Map<string, Promise<FileStore>>();

/**
 * The FileStore for these settings. When a master key had to be generated the
 * logger is told where (never the key) so the operator backs it up.
 */
export function openFileStore(config: StorageSettings, logger?: { warn: (o: object, msg: string) => void }): Promise<FileStore> {
  const onKeyGenerated = (file: string) =>
    logger?.warn({ file }, 'generated a storage master key: back it up (without it, recordings and documents cannot be read); set STORAGE_MASTER_KEY in production');
  const dataDir = path.resolve(config.DATA_DIR);
  const id = `${dataDir}\u0000${config.STORAGE_MASTER_KEY ?? ''}`;
  let store = opened.get(id);
  if (!store) {
    store = (async () => {
      const master = await loadMasterKey({ masterKey: config.STORAGE_MASTER_KEY, dataDir, onGenerated: onKeyGenerated });
      return new FileStore(path.join(dataDir, 'files'), new EncryptedFiles(new KeyRing(master)));
    })();
    opened.set(id, store);
    // A failure (an unwritable DATA_DIR) is not remembered: the next use tries again.
    store.catch(() => opened.delete(id));
  }
  return store;
}
