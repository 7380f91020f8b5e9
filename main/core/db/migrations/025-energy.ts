import type { Migration } from '../migrate.js';

/**
 * Energy (issue 18): kWh per device, role (a feed) and clock hour (from the device's
 * own counter where it has one, integrated from its power samples
 * otherwise), per site and local day with the cost of that day at the tariff of the
 * time, and tariffs per region. An hour is five numbers (about 40 bytes with
 * its index): a year of hours for 10,000 devices is some 4 GB, which is why
 * hours are kept a year and days (per site) for good.
 */
export const energy: Migration = {
  version: 25,
  name: 'energy per device and hour, per site and day with its cost, tariffs per region, emergency power caps',
  up: (db) => {
    db.exec(`
      -- A device's part in its cabinet's balance (a UPS has two: output and input); rows below refer to it by a small integer.
      CREATE TABLE energy_feeds (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('it', 'pdu', 'ups-output', 'ups-input', 'cooling')),
        UNIQUE (device_id, role)
      );

      CREATE TABLE energy_hourly (
        feed_id INTEGER NOT NULL REFERENCES energy_feeds(id) ON DELETE CASCADE,
        t INTEGER NOT NULL,
        kwh REAL NOT NULL CHECK (kwh >= 0),
        covered INTEGER NOT NULL,
        counter INTEGER NOT NULL CHECK (counter IN (0, 1)),
        PRIMARY KEY (feed_id, t)
      ) WITHOUT ROWID;
      CREATE INDEX energy_hourly_t ON energy_hourly (t);

      -- Per site, day (local, in its tariff's time zone) and role: kept for good, with the cost at the tariff of the time.
      CREATE TABLE energy_daily (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        role TEXT NOT NULL,
        kwh REAL NOT NULL,
        peak_kwh REAL NOT NULL,
        flat_kwh REAL NOT NULL,
        valley_kwh REAL NOT NULL,
        cost REAL,
        currency TEXT,
        covered INTEGER NOT NULL,
        PRIMARY KEY (site_id, day, role)
      ) WITHOUT ROWID;
      CREATE INDEX energy_daily_day ON energy_daily (day);

      CREATE TABLE energy_tariffs (
        region_id INTEGER PRIMARY KEY REFERENCES regions(id) ON DELETE CASCADE,
        tariff TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- A site's emergency policy: while its UPS is on battery, its servers are held to cap_watts each.
      CREATE TABLE energy_policies (
        site_id TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        cap_watts INTEGER NOT NULL CHECK (cap_watts > 0),
        updated_at TEXT NOT NULL
      );

      -- A server held by the emergency policy now, and the limit it had before (set back when mains returns).
      CREATE TABLE energy_caps (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        previous_watts REAL,
        applied_at TEXT NOT NULL,
        -- 1: held to the cap (set back when mains returns); 0: looked at and not held (its BMC does not limit power).
        held INTEGER NOT NULL DEFAULT 1 CHECK (held IN (0, 1))
      );

      -- Why a counter step or a reading was not counted, per device, most recent kept.
      CREATE TABLE energy_problems (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX energy_problems_device ON energy_problems (device_id, at);
    `);
  },
};
