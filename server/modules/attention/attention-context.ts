/** What attention use cases need; passed explicitly. */
import type { Database } from '../../db/client.js';

export type AttentionDeps = {
  database: Database;
  now?: () => number;
};
