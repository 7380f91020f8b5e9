import { InvalidArgumentError } from 'commander';

/** `--fingerprint`: a SHA-256 certificate fingerprint as EdgeCab prints it ("AB:CD:…"). */
export function fingerprintArgument(value: string): string {
  if (!/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(value)) throw new InvalidArgumentError('a SHA-256 fingerprint: 32 hex pairs separated by ":"');
  return value.toUpperCase();
}

/** `--timeout`: milliseconds per request, at least 100. */
export function timeoutArgument(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100) throw new InvalidArgumentError('at least 100');
  return ms;
}

/** What to do about a certificate not trusted yet, added to the refusal that printed its fingerprint. */
export const trustHint = (fingerprint: string | undefined) => `re-run with --trust-on-first-use, or with --fingerprint ${fingerprint ?? '<sha256>'} once you have checked it`;
