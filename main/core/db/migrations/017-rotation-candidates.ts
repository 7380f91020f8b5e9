import type { Migration } from '../migrate.js';

/**
 * Which candidate of an unsettled password change the BMC refused last and
 * which opened it last (the new password or the old one), kept across
 * restarts: the one that opened it is used again without risking a refused
 * login, and when the lockout budget allows one refusal at a time the next
 * attempt tries the other one first, so settling always makes progress.
 */
export const rotationCandidates: Migration = {
  version: 17,
  name: 'the candidates of an unsettled password change refused and working last',
  up: (db) => {
    db.exec(`
      ALTER TABLE credential_rotations ADD COLUMN last_refused TEXT CHECK (last_refused IS NULL OR last_refused IN ('pending', 'previous'));
      ALTER TABLE credential_rotations ADD COLUMN last_working TEXT CHECK (last_working IS NULL OR last_working IN ('pending', 'previous'));
    `);
  },
};
