/**
 * Runs `tasks`, at most `limit` at a time. With `limit` = the pool size the
 * database sees as many concurrent filings as `Promise.all` would give it, but
 * no task waits for a free connection longer than the pool allows (5 s): the
 * filings of one tenant take turns, so 500 queued at once could time out on a
 * loaded test machine before reaching the database.
 */
export async function inParallel<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}
