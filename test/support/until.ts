/**
 * Polls `check` (sync or async) every `everyMs` until it gives something
 * truthy, and returns that; after `timeoutMs` fails naming `what`.
 */
export async function until<T>(what: string, check: () => T | undefined | null | false | '' | Promise<T | undefined | null | false | ''>, timeoutMs: number, everyMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
