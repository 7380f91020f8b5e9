import { z } from 'zod';
import { SiteId } from './site.js';

/**
 * A cabinet's identity: a certificate EdgeCab's own CA issues for the site
 * (CN = site code, SAN URIs urn:edgecab:site:<id> and urn:edgecab:cabinet:<id>),
 * bound to the cabinet's hardware as it was found: each BMC's pinned
 * certificate fingerprint and its systems' serial numbers.
 */

/** How long an identity is valid by default. */
export const IDENTITY_VALIDITY_DAYS = 365;
/** Within this many days of its end an identity is "expiring", and renewed at the next poll that finds the site answering. */
export const IDENTITY_RENEW_WITHIN_DAYS = 30;
/** "Last verified" is written at most this often per site (every poll round confirms it; the database need not hear each one). */
export const IDENTITY_VERIFY_EVERY_MS = 60_000;

export const IDENTITY_STATUSES = ['valid', 'expiring', 'expired', 'revoked', 'none'] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];

/** Where the identity is in its life: the site's one current identity, one a later one replaced, or one an administrator revoked. */
export const IDENTITY_STATES = ['current', 'superseded', 'revoked'] as const;
export type IdentityState = (typeof IDENTITY_STATES)[number];

/** Why it was issued: the first-boot wizard as the site went live, an administrator's enrolment, or an automatic renewal. */
export const ISSUE_REASONS = ['wizard', 'enrol', 'renewal'] as const;
export type IssueReason = (typeof ISSUE_REASONS)[number];

export const BoundDevice = z.object({
  deviceId: z.string(),
  name: z.string(),
  slotId: z.string().nullable(),
  /** The BMC certificate pinned when the identity was issued. */
  fingerprint: z.string().nullable(),
  /** Serial numbers of the BMC's computer systems, sorted; empty when none could be read. */
  serials: z.array(z.string()),
  /** When the serials were read from the BMC itself; null when they came from an earlier reading. */
  readAt: z.string().nullable(),
});
export type BoundDevice = z.infer<typeof BoundDevice>;

export const NodeIdentity = z.object({
  id: z.string(),
  siteId: z.string(),
  serial: z.string(),
  fingerprint: z.string(),
  subject: z.string(),
  uris: z.array(z.string()),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
  issuedBy: z.string(),
  reason: z.enum(ISSUE_REASONS),
  state: z.enum(IDENTITY_STATES),
  /** The status now (valid, expiring, expired, revoked). */
  status: z.enum(IDENTITY_STATUSES),
  supersededAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  /** The last poll round in which the site's BMCs presented the bound certificates and serials. */
  lastVerifiedAt: z.string().nullable(),
  hardware: z.array(BoundDevice),
  certificatePem: z.string(),
});
export type NodeIdentity = z.infer<typeof NodeIdentity>;

/** A bound BMC that no longer presents what the identity recorded. */
export const IdentityMismatch = z.object({
  deviceId: z.string(),
  name: z.string(),
  what: z.enum(['serial', 'certificate']),
  expected: z.string(),
  actual: z.string(),
});
export type IdentityMismatch = z.infer<typeof IdentityMismatch>;

export const SiteIdentityView = z.object({
  siteId: z.string(),
  /** The site's status: that of its current identity; revoked when the latest was revoked; none when it never had one. */
  status: z.enum(IDENTITY_STATUSES),
  current: NodeIdentity.nullable(),
  /** Earlier identities (superseded or revoked), newest first. */
  history: z.array(NodeIdentity),
  mismatches: z.array(IdentityMismatch),
  /** SHA-256 fingerprint of EdgeCab's CA certificate that signs identities (served at /pki/ca). */
  authorityFingerprint: z.string(),
});
export type SiteIdentityView = z.infer<typeof SiteIdentityView>;

export const IdentityRevokeInput = z.object({
  siteId: SiteId,
  reason: z.string().trim().min(1, { error: 'Say why the identity is revoked' }).max(200, { error: 'At most 200 characters' }),
});

export const IdentityEnrolInput = z.object({ siteId: SiteId });

const DAY_MS = 86_400_000;

/** An identity's status at `now`; null for a site that never had one. */
export function identityStatus(identity: { state: IdentityState; notAfter: string } | null, now: number): IdentityStatus {
  if (!identity) return 'none';
  if (identity.state === 'revoked') return 'revoked';
  const left = Date.parse(identity.notAfter) - now;
  if (left <= 0) return 'expired';
  return left <= IDENTITY_RENEW_WITHIN_DAYS * DAY_MS ? 'expiring' : 'valid';
}

/** Whether an identity should be issued anew now for the same hardware: expiring or expired, and the site answering. */
export function renewalDue(status: IdentityStatus, siteAnswers: boolean): boolean {
  return siteAnswers && (status === 'expiring' || status === 'expired');
}

/**
 * What a BMC presents now against what the identity bound. Its serials are
 * compared only when both are known (a BMC whose serials could not be read
 * at binding is bound by its certificate alone).
 */
export function bindingMismatches(bound: BoundDevice, seen: { fingerprint: string | null; serials: readonly string[] | null }): IdentityMismatch[] {
  const mismatches: IdentityMismatch[] = [];
  if (bound.fingerprint && seen.fingerprint && bound.fingerprint !== seen.fingerprint) {
    mismatches.push({ deviceId: bound.deviceId, name: bound.name, what: 'certificate', expected: bound.fingerprint, actual: seen.fingerprint });
  }
  if (seen.serials && seen.serials.length > 0 && bound.serials.length > 0) {
    const actual = [...seen.serials].sort().join(', ');
    const expected = [...bound.serials].sort().join(', ');
    if (actual !== expected) mismatches.push({ deviceId: bound.deviceId, name: bound.name, what: 'serial', expected, actual });
  }
  return mismatches;
}
