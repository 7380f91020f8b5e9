import { ORPCError } from '@orpc/server';

/** The typed error a core call failed with; a success or any other error fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<ORPCError<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ORPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
