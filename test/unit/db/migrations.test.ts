import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, latestVersion, migrate, schemaVersion, type Migration } from '../../../main/core/db/migrate.js';
import { migrations } from '../../../main/core/db/migrations/index.js';
import { openDatabase } from '../../../main/core/db/open.js';
import { tempDir } from '../../support/core.js';

const columns = (db: BetterSqlite3.Database, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((column) => column.name);

describe('migrations', () => {
  let dirs: { cleanup: () => void }[] = [];
  afterEach(() => {
    for (const dir of dirs) dir.cleanup();
    dirs = [];
  });

  it('are numbered 1..N in one ordered list', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it('001 creates regions and sites with a case-insensitive unique code and coordinate checks', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, migrations, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(columns(db, 'sites')).toEqual([
      'id', 'name', 'code', 'latitude', 'longitude', 'region_id', 'address', 'contact', 'created_at', 'updated_at',
    ]);
    const insert = db.prepare(
      "INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES (?, 'n', ?, ?, ?, 't', 't')",
    );
    insert.run('a', 'ABC', 10, 20);
    expect(() => insert.run('b', 'abc', 10, 20)).toThrow(/UNIQUE/);
    expect(() => insert.run('c', 'x', 91, 20)).toThrow(/CHECK/);
    expect(() => insert.run('d', 'y', 0, -181)).toThrow(/CHECK/);
    db.close();
  });

  it('002 adds the audit log to a version-1 database and keeps its sites', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, migrations, 1);
    db.prepare(
      "INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')",
    ).run();
    migrate(db, migrations, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(columns(db, 'audit_log')).toContain('outcome');
    expect(db.prepare('SELECT code FROM sites').pluck().all()).toEqual(['C1']);
    expect(() =>
      db.prepare("INSERT INTO audit_log (at, actor, operation, outcome) VALUES ('t', 'a', 'o', 'maybe')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('003 adds cabinets, devices, sealed credentials, links and readings to a version-2 database, keeping its sites', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 2);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    migrate(db, migrations, 3);
    expect(schemaVersion(db)).toBe(3);
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'ups', 'UPS', 1, 2, 'front', 'full', 'snmp', 't', 't')").run();
    expect(() => db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d2', 'c1', 'ups', 'UPS', 1, 2, 'side', 'full', 'snmp', 't', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO device_readings (device_id, observed_at, status, point) VALUES ('d1', 't', 'ok', '{}')").run();
    // Deleting the site removes its cabinet, devices and readings with it.
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT count(*) FROM device_readings').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM devices').pluck().get()).toBe(0);
    db.close();
  });

  it('007 adds the monitoring tables to a version-6 database and seeds each device\'s state from its latest reading', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 6);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'ups', 'UPS', 1, 2, 'front', 'full', 'snmp', 't', 't')").run();
    db.prepare("INSERT INTO device_readings (device_id, observed_at, status, point) VALUES ('d1', '2026-11-24T10:00:00Z', 'ok', '{}')").run();
    db.prepare("INSERT INTO device_readings (device_id, observed_at, status, error, point) VALUES ('d1', '2026-11-24T11:00:00Z', 'unreachable', 'timeout', '{}')").run();
    migrate(db, migrations, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT device_id, status, observed_at, error FROM device_state').all()).toEqual([{ device_id: 'd1', status: 'unreachable', observed_at: '2026-11-24T11:00:00Z', error: 'timeout' }]);
    const alarm = db.prepare(
      "INSERT INTO alarms (site_id, device_id, source, condition, category, severity, origin, message, message_key, state, first_seen, last_seen) VALUES ('s1', 'd1', 'd1', 'fan:1', 'thermal', 'major', 'poll', 'm', 'k', 'active', 't', 't')",
    );
    alarm.run();
    // One active alarm per source and condition; a cleared one may be followed by a new one.
    expect(() => alarm.run()).toThrow(/UNIQUE/);
    db.prepare("UPDATE alarms SET state = 'cleared'").run();
    alarm.run();
    db.prepare("INSERT INTO metric_series (device_id, key, label, unit) VALUES ('d1', 'power', 'Power', 'W')").run();
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT (SELECT count(*) FROM alarms) + (SELECT count(*) FROM device_state) + (SELECT count(*) FROM metric_series)').pluck().get()).toBe(0);
    db.close();
  });

  it('009 seals secrets of every kind: rebuilds credentials without the kind check, keeping rows and the devices that use them', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 8);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO credentials (id, kind, sealed, created_at) VALUES ('k1', 'redfish', 'old-format', 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, credential_id, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Srv', 1, 1, 'front', 'full', 'redfish', 'k1', 't', 't')").run();
    db.prepare("INSERT INTO credential_rotations (device_id, pending_credential_id, previous_credential_id, started_at) VALUES ('d1', 'k1', NULL, 't')").run();
    migrate(db, migrations, 9);
    expect(columns(db, 'credentials')).toEqual(['id', 'kind', 'sealed', 'format', 'origin', 'revision', 'created_at', 'updated_at']);
    // The device still points at its credential (the rebuild did not set it to NULL), marked as the old format.
    expect(db.prepare("SELECT credential_id FROM devices WHERE id = 'd1'").pluck().get()).toBe('k1');
    expect(db.prepare("SELECT format, origin, revision FROM credentials WHERE id = 'k1'").get()).toEqual({ format: 1, origin: 'user', revision: 1 });
    expect(db.prepare("SELECT phase FROM credential_rotations WHERE device_id = 'd1'").pluck().get()).toBe('sent');
    db.prepare("INSERT INTO credentials (id, kind, sealed, created_at) VALUES ('k2', 'webhook', 'x', 't')").run();
    expect(() => db.prepare("INSERT INTO credentials (id, kind, sealed, origin, created_at) VALUES ('k3', 'snmp', 'x', 'guessed', 't')").run()).toThrow(/CHECK/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('010 adds users, grants per region, sessions and API tokens; a region removed takes its grants', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 10);
    db.prepare("INSERT INTO regions (id, parent_id, name, created_at, updated_at) VALUES (1, NULL, 'East', 't', 't')").run();
    db.prepare("INSERT INTO users (id, name, password_hash, created_at, password_changed_at) VALUES ('u1', 'Alice', 'scrypt$x', 't', 't')").run();
    expect(() => db.prepare("INSERT INTO users (id, name, password_hash, created_at, password_changed_at) VALUES ('u2', 'alice', 'scrypt$x', 't', 't')").run()).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO user_grants (user_id, role, region_id) VALUES ('u1', 'viewer', 1), ('u1', 'administrator', NULL)").run();
    expect(() => db.prepare("INSERT INTO user_grants (user_id, role, region_id) VALUES ('u1', 'superuser', NULL)").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO api_tokens (id, user_id, name, token_hash, scope, created_at) VALUES ('t1', 'u1', 'ci', 'h', 'viewer', 't')").run();
    db.prepare('DELETE FROM regions WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM user_grants').pluck().get()).toBe(1);
    db.prepare("DELETE FROM users WHERE id = 'u1'").run();
    expect(db.prepare('SELECT (SELECT count(*) FROM user_grants) + (SELECT count(*) FROM api_tokens)').pluck().get()).toBe(0);
    expect(columns(db, 'audit_log')).toContain('via');
    db.close();
  });

  it('011 and 012 add Redfish event subscriptions (one secret hash each) and problems of EdgeCab itself', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 12);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Srv', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    const insert = db.prepare("INSERT INTO event_subscriptions (id, device_id, secret_hash, destination, created_at) VALUES (?, 'd1', ?, 'https://x/redfish/events/s', 't')");
    insert.run('e1', 'hash-1');
    expect(() => insert.run('e2', 'hash-1')).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT count(*) FROM event_subscriptions').pluck().get()).toBe(0);
    expect(columns(db, 'core_problems')).toEqual(['key', 'message', 'count', 'first_seen', 'last_seen']);
    db.close();
  });

  it('013 adds cabinet identities to a version-12 database: one current identity per site, kept with the site, key reference cleared with its secret', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 12);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO credentials (id, kind, sealed, created_at) VALUES ('k1', 'identity-key', 'x', 't')").run();
    migrate(db, migrations, 13);
    expect(schemaVersion(db)).toBe(13);
    const insert = db.prepare(
      `INSERT INTO node_identities (id, site_id, cabinet_id, serial, fingerprint, subject, uris, certificate_pem, key_credential_id, not_before, not_after, hardware, issued_at, issued_by, reason, state)
       VALUES (?, 's1', 'c1', 'ab', 'AA', 'CN=C1', '[]', 'pem', ?, 't', 't', '[]', 't', 'wizard', ?, ?)`,
    );
    insert.run('i1', 'k1', 'wizard', 'current');
    expect(() => insert.run('i2', null, 'enrol', 'current')).toThrow(/UNIQUE/);
    insert.run('i2', null, 'enrol', 'superseded');
    expect(() => insert.run('i3', null, 'whim', 'revoked')).toThrow(/CHECK/);
    db.prepare("DELETE FROM credentials WHERE id = 'k1'").run();
    expect(db.prepare("SELECT key_credential_id FROM node_identities WHERE id = 'i1'").pluck().get()).toBeNull();
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT count(*) FROM node_identities').pluck().get()).toBe(0);
    db.close();
  });

  it('014 adds integrity reports and recorded states to a version-13 database, removed with their device', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 13);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Srv', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    migrate(db, migrations, 14);
    expect(schemaVersion(db)).toBe(14);
    expect(columns(db, 'integrity_reports')).toEqual(['device_id', 'checked_at', 'attempted_at', 'error', 'facts', 'unread', 'checks', 'differences']);
    db.prepare("INSERT INTO integrity_reports (device_id, attempted_at, error) VALUES ('d1', 't', 'timeout')").run();
    expect(db.prepare("SELECT facts, checks, differences FROM integrity_reports").get()).toEqual({ facts: '[]', checks: '[]', differences: 0 });
    const record = db.prepare("INSERT INTO integrity_recorded (device_id, facts, kinds, source, recorded_at) VALUES ('d1', '[]', '[]', ?, 't')");
    expect(() => record.run('guessed')).toThrow(/CHECK/);
    record.run('first-seen');
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT (SELECT count(*) FROM integrity_reports) + (SELECT count(*) FROM integrity_recorded)').pluck().get()).toBe(0);
    db.close();
  });

  it('015 adds BMC lockout policies and refused logins per address, with their checks', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, migrations, 14);
    migrate(db, migrations, 15);
    expect(schemaVersion(db)).toBe(15);
    expect(columns(db, 'login_policies')).toEqual(['endpoint', 'threshold', 'reset_after_seconds', 'read_at']);
    expect(columns(db, 'login_failures')).toEqual(['endpoint', 'at_ms', 'source']);
    const policy = db.prepare("INSERT INTO login_policies (endpoint, threshold, reset_after_seconds, read_at) VALUES (?, ?, ?, 't')");
    policy.run('10.0.0.1:443', 3, 1800);
    expect(() => policy.run('10.0.0.1:443', 5, 300)).toThrow(/UNIQUE/);
    expect(() => policy.run('10.0.0.2:443', -1, 300)).toThrow(/CHECK/);
    policy.run('10.0.0.3:443', null, null);
    db.prepare("INSERT INTO login_failures (endpoint, at_ms, source) VALUES ('10.0.0.1:443', 1, 'discovery'), ('10.0.0.1:443', 2, 'rotation')").run();
    expect(db.prepare("SELECT count(*) FROM login_failures WHERE endpoint = '10.0.0.1:443' AND at_ms > 1").pluck().get()).toBe(1);
    db.close();
  });

  it('016 keeps no subscription secret in clear: each destination is cut to its base, its hash and the rest kept', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 15);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'n', 'C1', 1, 2, 't', 't')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Srv', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    const insert = db.prepare("INSERT INTO event_subscriptions (id, device_id, secret_hash, destination, subscription_uri, created_at) VALUES (?, 'd1', ?, ?, '/redfish/v1/EventService/Subscriptions/1', 't')");
    insert.run('e1', 'hash-1', 'https://10.0.0.5:4781/redfish/events/Zq3v8-secret-of-forty-three-characters-xx');
    insert.run('e2', 'hash-2', 'https://[fd00::5]:4781/redfish/events/other-secret-value-0123456789');
    insert.run('e3', 'hash-3', 'https://10.0.0.5:4781/somewhere-else');
    migrate(db, migrations, 16);
    expect(schemaVersion(db)).toBe(16);
    expect(db.prepare('SELECT id, secret_hash, destination, subscription_uri FROM event_subscriptions ORDER BY id').all()).toEqual([
      { id: 'e1', secret_hash: 'hash-1', destination: 'https://10.0.0.5:4781/redfish/events/', subscription_uri: '/redfish/v1/EventService/Subscriptions/1' },
      { id: 'e2', secret_hash: 'hash-2', destination: 'https://[fd00::5]:4781/redfish/events/', subscription_uri: '/redfish/v1/EventService/Subscriptions/1' },
      { id: 'e3', secret_hash: 'hash-3', destination: 'https://10.0.0.5:4781/somewhere-else', subscription_uri: '/redfish/v1/EventService/Subscriptions/1' },
    ]);
    db.close();
  });

  it('017 keeps which candidate of an unsettled password change was refused and which worked last, only as named', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 16);
    migrate(db, migrations, 17);
    expect(schemaVersion(db)).toBe(17);
    expect(columns(db, 'credential_rotations').slice(-2)).toEqual(['last_refused', 'last_working']);
    db.close();
  });

  it('018 adds the app repository: a blob two images share is one row, and a release takes its images with it when removed', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 17);
    migrate(db, migrations, 18);
    expect(schemaVersion(db)).toBe(18);
    const blob = db.prepare("INSERT INTO app_blobs (digest, size, stored_at) VALUES (?, ?, '2026-12-02T00:00:00Z')");
    for (const digest of ['sha256:c1', 'sha256:c2', 'sha256:shared']) blob.run(digest, 10);
    expect(() => blob.run('md5:x', 1)).toThrow(/CHECK/);
    for (const image of ['sha256:c1', 'sha256:c2']) {
      db.prepare("INSERT INTO app_images (id, tags) VALUES (?, '[]')").run(image);
      db.prepare('INSERT INTO app_image_layers (image_id, position, digest) VALUES (?, 0, ?)').run(image, 'sha256:shared');
    }
    db.prepare("INSERT INTO app_releases (app_id, version, manifest, signature, key_id, uploaded_at) VALUES ('web', '1.0.0', x'7b7d', '{}', 'k', 'now')").run();
    db.prepare("INSERT INTO app_release_images (app_id, version, image_id) VALUES ('web', '1.0.0', 'sha256:c1')").run();
    expect(() => db.prepare("INSERT INTO app_release_images (app_id, version, image_id) VALUES ('web', '1.0.0', 'sha256:none')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM app_releases WHERE app_id = 'web'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM app_release_images').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM app_image_layers WHERE digest = 'sha256:shared'").get()).toEqual({ n: 2 });
    db.close();
  });

  it('019 rebuilds devices to allow the engine protocol, keeping every row and every reference to them', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 18);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-24u', 'Cabinet', 24, 'now')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, slot_id, kind, name, u, height_u, face, depth, protocol, endpoint, created_at, updated_at) VALUES ('d1', 'c1', 'server-1', 'server', 'Server', 10, 2, 'front', 'full', 'redfish', 'https://10.0.0.10', 'now', 'now')").run();
    db.prepare("INSERT INTO device_state (device_id, status, observed_at) VALUES ('d1', 'ok', 'now')").run();
    expect(() => db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('e0', 'c1', 'engine', 'Engine', 10, 2, 'front', 'full', 'engine', 'now', 'now')").run()).toThrow(/CHECK/);
    migrate(db, migrations, 19);
    expect(schemaVersion(db)).toBe(19);
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, endpoint, created_at, updated_at) VALUES ('e1', 'c1', 'engine', 'Engine', 10, 2, 'front', 'full', 'engine', 'unix:/run/podman/podman.sock', 'now', 'now')").run();
    expect(db.prepare('SELECT id, protocol, endpoint FROM devices ORDER BY id').all()).toEqual([
      { id: 'd1', protocol: 'redfish', endpoint: 'https://10.0.0.10' },
      { id: 'e1', protocol: 'engine', endpoint: 'unix:/run/podman/podman.sock' },
    ]);
    // References to devices still hold: removing the device takes its state with it.
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM device_state').get()).toEqual({ n: 0 });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL").all()).toEqual([{ name: 'devices_cabinet' }]);
    db.close();
  });

  it('020 adds the outbox (only known states) and the state of apps per site, both gone with their site', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 19);
    migrate(db, migrations, 20);
    expect(schemaVersion(db)).toBe(20);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    const insert = db.prepare("INSERT INTO outbox (site_id, action, payload, state, queued_at) VALUES ('s1', 'apps.deploy', '{}', ?, 'now')");
    const id = Number(insert.run('queued').lastInsertRowid);
    expect(() => insert.run('lost')).toThrow(/CHECK/);
    db.prepare("INSERT INTO site_apps (site_id, app_id, version, state, outbox_id, updated_at) VALUES ('s1', 'web', '1.0.0', 'queued', ?, 'now')").run(id);
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM site_apps) AS n').get()).toEqual({ n: 0 });
    db.close();
  });

  it('021 adds rollouts (only known states) with their sites, engine snapshots and the parameters of site apps; a site going takes its part', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 20);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO site_apps (site_id, app_id, version, state, updated_at) VALUES ('s1', 'web', '1.0.0', 'healthy', 'now')").run();
    migrate(db, migrations, 21);
    expect(schemaVersion(db)).toBe(21);
    expect(db.prepare('SELECT version, parameters FROM site_apps').get()).toEqual({ version: '1.0.0', parameters: null });
    const insert = db.prepare("INSERT INTO rollouts (id, name, app_id, version, spec, state, created_at) VALUES (?, 'r', 'web', '2.0.0', '{}', ?, 'now')");
    insert.run('r1', 'running');
    expect(() => insert.run('r2', 'half-done')).toThrow(/CHECK/);
    db.prepare("INSERT INTO rollout_sites (rollout_id, site_id, wave, action, parameters, state, updated_at) VALUES ('r1', 's1', 0, 'upgrade', '{}', 'pending', 'now')").run();
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM rollout_sites').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM rollouts').get()).toEqual({ n: 1 });
    db.close();
  });

  it('022 adds catalog messages beside the English detail of rollouts, their sites and site apps; rows from before keep their English and none', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 21);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO site_apps (site_id, app_id, version, state, detail, updated_at) VALUES ('s1', 'web', '1.0.0', 'failed', 'web is exited', 'now')").run();
    db.prepare("INSERT INTO rollouts (id, name, app_id, version, spec, state, detail, created_at) VALUES ('r1', 'r', 'web', '2.0.0', '{}', 'paused', 'paused by hand', 'now')").run();
    db.prepare("INSERT INTO rollout_sites (rollout_id, site_id, wave, action, parameters, state, detail, updated_at) VALUES ('r1', 's1', 0, 'upgrade', '{}', 'skipped', 'already runs this version', 'now')").run();
    migrate(db, migrations, 22);
    expect(schemaVersion(db)).toBe(22);
    expect(db.prepare('SELECT detail, detail_messages FROM rollouts').get()).toEqual({ detail: 'paused by hand', detail_messages: null });
    expect(db.prepare('SELECT detail, detail_messages FROM rollout_sites').get()).toEqual({ detail: 'already runs this version', detail_messages: null });
    expect(db.prepare('SELECT detail, detail_messages FROM site_apps').get()).toEqual({ detail: 'web is exited', detail_messages: null });
    db.close();
  });

  it('023 adds credentials parked at an address, one per address and site, that go with their site', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 23);
    expect(schemaVersion(db)).toBe(23);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO credentials (id, kind, sealed, format, origin, revision, created_at, updated_at) VALUES ('c1', 'redfish', x'00', 2, 'rotated', 1, 'now', 'now')").run();
    const park = db.prepare("INSERT INTO parked_credentials (site_id, endpoint, credential_id, kind, parked_at) VALUES ('s1', 'https://10.0.0.5', ?, 'server', 'now')");
    park.run('c1');
    expect(() => park.run('c1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare("INSERT INTO parked_credentials (site_id, endpoint, credential_id, kind, parked_at) VALUES ('s1', 'https://10.0.0.6', 'nope', 'server', 'now')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM parked_credentials').get()).toEqual({ n: 0 });
    db.close();
  });

  it('024 adds integrity reports of the apps at each site, one per site and app, gone with their site', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 23);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    migrate(db, migrations, 24);
    expect(schemaVersion(db)).toBe(24);
    expect(columns(db, 'integrity_app_reports')).toEqual(['site_id', 'app_id', 'version', 'checked_at', 'attempted_at', 'error', 'checks', 'differences']);
    const insert = db.prepare("INSERT INTO integrity_app_reports (site_id, app_id, version, checked_at, attempted_at) VALUES (?, 'web', '1.0.0', 'now', 'now')");
    insert.run('s1');
    expect(db.prepare('SELECT checks, differences FROM integrity_app_reports').get()).toEqual({ checks: '[]', differences: 0 });
    expect(() => insert.run('s1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run('nowhere')).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM integrity_app_reports').get()).toEqual({ n: 0 });
    db.close();
  });

  it('025 adds energy: feeds per device and role, their hours, days per site and role, tariffs per region; each gone with what it belongs to', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 25);
    expect(schemaVersion(db)).toBe(25);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'ups', 'UPS', 1, 2, 'front', 'full', 'snmp', 't', 't')").run();
    const feed = db.prepare("INSERT INTO energy_feeds (device_id, role) VALUES ('d1', ?)");
    const output = Number(feed.run('ups-output').lastInsertRowid);
    feed.run('ups-input');
    expect(() => feed.run('ups-input')).toThrow(/UNIQUE/);
    expect(() => feed.run('heater')).toThrow(/CHECK/);
    const hour = db.prepare('INSERT INTO energy_hourly (feed_id, t, kwh, covered, counter) VALUES (?, ?, ?, 3600, 0)');
    hour.run(output, 3600, 1.5);
    expect(() => hour.run(output, 7200, -0.1)).toThrow(/CHECK/);
    db.prepare("INSERT INTO energy_daily (site_id, day, role, kwh, peak_kwh, flat_kwh, valley_kwh, covered) VALUES ('s1', '2026-12-01', 'ups-output', 1.5, 0, 1.5, 0, 3600)").run();
    db.prepare("INSERT INTO regions (name, created_at, updated_at) VALUES ('R', 'now', 'now')").run();
    db.prepare("INSERT INTO energy_tariffs (region_id, tariff, updated_at) VALUES (1, '{}', 'now')").run();
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT (SELECT COUNT(*) FROM energy_feeds) + (SELECT COUNT(*) FROM energy_hourly) AS n').get()).toEqual({ n: 0 });
    // The days stay with their site until the site goes.
    expect(db.prepare('SELECT COUNT(*) AS n FROM energy_daily').get()).toEqual({ n: 1 });
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    db.prepare('DELETE FROM regions').run();
    expect(db.prepare('SELECT (SELECT COUNT(*) FROM energy_daily) + (SELECT COUNT(*) FROM energy_tariffs) AS n').get()).toEqual({ n: 0 });
    db.close();
  });

  it('026 rebuilds every day from the hours (once each, not as often as the old timer added them) and adds the hour-by-hour balance per site and day', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 25);
    db.prepare("INSERT INTO regions (name, created_at, updated_at) VALUES ('R', 'now', 'now')").run();
    db.prepare(
      `INSERT INTO energy_tariffs (region_id, tariff, updated_at) VALUES (1, '{"currency":"CNY","timeZone":"Asia/Shanghai","periods":[{"band":"valley","from":23,"to":7,"price":0.3},{"band":"flat","from":7,"to":23,"price":0.7}]}', 'now')`,
    ).run();
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, region_id, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 1, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    const device = db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES (?, 'c1', ?, ?, 1, 1, 'front', 'full', 'snmp', 't', 't')");
    device.run('ups', 'ups', 'UPS');
    device.run('pdu', 'pdu', 'PDU');
    const feed = db.prepare('INSERT INTO energy_feeds (device_id, role) VALUES (?, ?)');
    const input = Number(feed.run('ups', 'ups-input').lastInsertRowid);
    const pdu = Number(feed.run('pdu', 'pdu').lastInsertRowid);
    // 2026-12-02 06:00 and 07:00 in Shanghai: a valley hour and a flat one.
    const six = Date.parse('2026-12-01T22:00:00Z') / 1000;
    const hour = db.prepare('INSERT INTO energy_hourly (feed_id, t, kwh, covered, counter) VALUES (?, ?, ?, 3600, 0)');
    for (const t of [six, six + 3600]) {
      hour.run(input, t, 1.2);
      hour.run(pdu, t, 1);
    }
    // What the old timer left: each hour added eleven times over.
    db.prepare("INSERT INTO energy_daily (site_id, day, role, kwh, peak_kwh, flat_kwh, valley_kwh, cost, currency, covered) VALUES ('s1', '2026-12-02', 'ups-input', 26.4, 0, 13.2, 13.2, 13.2, 'CNY', 79200)").run();
    migrate(db, migrations, 26);
    expect(schemaVersion(db)).toBe(26);
    const days = db.prepare('SELECT role, kwh, flat_kwh, valley_kwh, cost FROM energy_daily ORDER BY role').all() as { role: string; kwh: number; flat_kwh: number; valley_kwh: number; cost: number }[];
    expect(days.map((row) => [row.role, Math.round(row.kwh * 1000) / 1000, Math.round(row.cost * 1000) / 1000])).toEqual([['pdu', 2, 1], ['ups-input', 2.4, 1.2]]);
    const balance = db.prepare('SELECT day, input_kwh, flat_kwh, valley_kwh, cost, it_kwh, compared_input_kwh, compared_it_kwh, hours, compared_hours FROM energy_site_daily').get() as Record<string, number | string>;
    expect(balance).toMatchObject({ day: '2026-12-02', hours: 2, compared_hours: 2 });
    expect(balance.input_kwh).toBeCloseTo(2.4, 9);
    expect(balance.valley_kwh).toBeCloseTo(1.2, 9);
    expect(balance.cost).toBeCloseTo(1.2 * 0.3 + 1.2 * 0.7, 9);
    expect(balance.compared_it_kwh).toBeCloseTo(2, 9);
    db.prepare("DELETE FROM sites WHERE id = 's1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM energy_site_daily').get()).toEqual({ n: 0 });
    db.close();
  });

  it('027 adds firmware versions per device and component as history: one current span per component, known sources only, gone with the device', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 27);
    expect(schemaVersion(db)).toBe(27);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Server', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    const span = db.prepare("INSERT INTO firmware_versions (device_id, component_id, name, version, source, first_seen, last_seen, current) VALUES ('d1', 'redfish:BMC', 'BMC', ?, ?, ?, ?, ?)");
    span.run('1.0', 'redfish', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 0);
    span.run('2.0', 'redfish', '2026-12-02T01:00:00Z', '2026-12-03T00:00:00Z', 1);
    expect(() => span.run('3.0', 'redfish', '2026-12-03T01:00:00Z', '2026-12-03T01:00:00Z', 1)).toThrow(/UNIQUE/);
    expect(() => span.run('3.0', 'telnet', '2026-12-03T01:00:00Z', '2026-12-03T01:00:00Z', 0)).toThrow(/CHECK/);
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM firmware_versions').get()).toEqual({ n: 0 });
    db.close();
  });

  it('028 adds firmware packages (one per image), baselines with packages and targets (one baseline per target), and the models devices report', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 28);
    expect(schemaVersion(db)).toBe(28);
    const pkg = db.prepare("INSERT INTO firmware_packages (id, sha256, vendor, component, version, description, format, image_stored, added_at) VALUES (?, ?, 'Contoso', 'BMC', '1.0', '{}', ?, 1, 't')");
    pkg.run('fw-1', 'a'.repeat(64), 'xml-2.0');
    expect(() => pkg.run('fw-2', 'a'.repeat(64), 'json')).toThrow(/UNIQUE/);
    expect(() => pkg.run('fw-3', 'b'.repeat(64), 'yaml')).toThrow(/CHECK/);
    db.prepare("INSERT INTO firmware_baselines (id, name, updated_at) VALUES (1, 'Autumn', 't'), (2, 'Winter', 't')").run();
    expect(() => db.prepare("INSERT INTO firmware_baselines (name, updated_at) VALUES ('autumn', 't')").run()).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO firmware_baseline_packages (baseline_id, package_id) VALUES (1, 'fw-1')").run();
    db.prepare("INSERT INTO firmware_baseline_targets (baseline_id, scope, target) VALUES (1, 'region', '7')").run();
    expect(() => db.prepare("INSERT INTO firmware_baseline_targets (baseline_id, scope, target) VALUES (2, 'region', '7')").run()).toThrow(/UNIQUE/);
    // A package a baseline uses is not removed; the baseline removed takes its packages and targets along.
    expect(() => db.prepare("DELETE FROM firmware_packages WHERE id = 'fw-1'").run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM firmware_baselines WHERE id = 1').run();
    expect(db.prepare('SELECT (SELECT COUNT(*) FROM firmware_baseline_packages) + (SELECT COUNT(*) FROM firmware_baseline_targets) AS n').get()).toEqual({ n: 0 });
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Server', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    db.prepare("INSERT INTO firmware_device_models (device_id, vendor, model, read_at) VALUES ('d1', 'Contoso', '3500', 't')").run();
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM firmware_device_models').get()).toEqual({ n: 0 });
    db.close();
  });

  it('029 adds upgrade plans and one row per device and package: known phases and apply times only, gone with the plan or the device', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 29);
    expect(schemaVersion(db)).toBe(29);
    db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, created_at, updated_at) VALUES ('s1', 'Site', 'S1', 30, 120, 'now', 'now')").run();
    db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES ('c1', 's1', 'edge-12u', 'Cab', 12, 't')").run();
    db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, u, height_u, face, depth, protocol, created_at, updated_at) VALUES ('d1', 'c1', 'server', 'Server', 1, 1, 'front', 'full', 'redfish', 't', 't')").run();
    db.prepare("INSERT INTO firmware_packages (id, sha256, vendor, component, version, description, format, image_stored, added_at) VALUES ('fw-1', ?, 'Contoso', 'BMC', '1.0', '{}', 'json', 1, 't')").run('a'.repeat(64));
    db.prepare("INSERT INTO firmware_plans (id, name, state, wave_size, failure_threshold, created_at) VALUES (1, 'Winter', 'running', 10, 1, 't')").run();
    const step = db.prepare("INSERT INTO firmware_plan_devices (plan_id, device_id, package_id, component, target, bytes, apply_time, wave, position, phase, updated_at) VALUES (1, 'd1', 'fw-1', 'BMC', '1.0', 10, ?, 0, 0, ?, 't')");
    expect(() => step.run('Whenever', 'pending')).toThrow(/CHECK/);
    expect(() => step.run('OnReset', 'dreaming')).toThrow(/CHECK/);
    step.run('OnReset', 'staged');
    expect(() => db.prepare("INSERT INTO firmware_plans (name, state, wave_size, failure_threshold, created_at) VALUES ('x', 'paused', 1, 1, 't')").run()).toThrow(/CHECK/);
    // A package a plan sent stays: the plan's history names it.
    expect(() => db.prepare("DELETE FROM firmware_packages WHERE id = 'fw-1'").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM devices WHERE id = 'd1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM firmware_plan_devices').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database newer than the code, with a clear message, and leaves it untouched', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = `${dir.dir}/edgecab.sqlite`;
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latestVersion(migrations) + 5}`);
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseTooNewError);
    expect((caught as Error).message).toMatch(/newer EdgeCab.*knows up to version \d+.*not changed/s);
    const check = new BetterSqlite3(file);
    expect(schemaVersion(check)).toBe(latestVersion(migrations) + 5);
    check.close();
  });

  it('rolls a failing migration back and stays at the last good version', () => {
    const failing: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up: (db) => {
          db.exec('CREATE TABLE half_done (x)');
          throw new Error('boom');
        },
      },
    ];
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, failing)).toThrow('boom');
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it('rejects a list whose versions are out of order', () => {
    const db = new BetterSqlite3(':memory:');
    const [first] = migrations;
    expect(() => migrate(db, [{ ...first!, version: 2 }])).toThrow(/expected 1/);
    db.close();
  });

  it('opens in WAL mode with foreign keys on', () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = openDatabase(`${dir.dir}/edgecab.sqlite`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(latestVersion(migrations));
    db.close();
  });
});
