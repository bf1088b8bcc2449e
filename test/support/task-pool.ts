// Runs async tasks a few at a time, results in task order: parallel xmlsec1 processes, parallel pushes.

/**
 * Runs `tasks` with at most `limit` running at once.
 * @returns each task's result, in the order of `tasks`
 */
export async function pool<T>(tasks: ReadonlyArray<() => Promise<T>>, limit = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const k = next++;
      results[k] = await (tasks[k] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}
