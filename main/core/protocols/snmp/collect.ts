import { SnmpDevice, SnmpTarget, type SnmpDeviceKind } from '../../../../shared/domain/snmp.js';
import type { ColumnField, ProfileSection, SnmpProfile } from '../../../../shared/domain/snmp-profile.js';
import type { z } from 'zod';
import {
  normalizeEntities,
  normalizeEnvironment,
  normalizeHost,
  normalizeIdentity,
  normalizeInterfaces,
  normalizePdu,
  normalizeSensors,
  normalizeSystem,
  normalizeUps,
  type RawSection,
  type Row,
  type Sections,
} from './normalize.js';
import { canonicalVendor, enterpriseOf, kindOfDescription, kindOfObjectId, vendorOfObjectId } from './recognition.js';
import { bundledProfiles } from './profiles.js';
import { SnmpError, SnmpSession, type SessionOptions, type Varbind } from './session.js';
import { rawNumber, readField, round, type FieldValue } from './values.js';

type Section = z.infer<typeof ProfileSection>;
type Problem = SnmpDevice['problems'][number];

export interface CollectOptions {
  profiles?: readonly SnmpProfile[];
  session?: SessionOptions;
  now?: () => Date;
  /**
   * What an earlier collect of this device recognized: its sysObjectID and
   * the profiles that applied. While the device still answers that
   * sysObjectID, only those profiles are read and none is probed for (the
   * monitor's health polls: a probe per vendor profile on every poll would
   * be most of the traffic); a different one (the device was replaced) is
   * recognized afresh.
   */
  recognized?: { objectId: string | null; profiles: readonly string[] };
  /** Told what the device was recognized as, when every check for a profile was answered (a check that failed proves nothing). */
  onRecognized?: (recognized: { objectId: string | null; profiles: string[] }) => void;
}

const conditionsOf = (field: ColumnField) => (field.availableWhen === undefined ? [] : Array.isArray(field.availableWhen) ? field.availableWhen : [field.availableWhen]);

function emptySection(): RawSection {
  return { scalars: {}, tables: {} };
}

/** Reads a section's scalars and tables; a value the agent answered that is not plausible is null, and said in `problems` with its OID. */
async function readSection(session: SnmpSession, section: Section, into: RawSection, problems: Problem[], sectionName: string): Promise<void> {
  const scalars = Object.entries(section.scalars ?? {});
  const tables = Object.entries(section.tables ?? {});
  const reads: Promise<void>[] = [];
  const read = (field: Parameters<typeof readField>[0], varbind: Parameters<typeof readField>[1], oid: string): FieldValue => {
    const reading = readField(field, varbind);
    if (reading.unavailable) problems.push({ section: sectionName, oid, message: `${oid}: ${reading.unavailable}; not available` });
    return reading.value;
  };
  if (scalars.length > 0) {
    reads.push(
      session.get(scalars.map(([, field]) => field.oid)).then((varbinds) => {
        scalars.forEach(([path, field], position) => {
          into.scalars[path] = read(field, varbinds[position], field.oid);
        });
      }),
    );
  }
  for (const [name, table] of tables) {
    const columns = Object.entries(table.columns);
    const walkedOids = [
      ...new Set(
        columns.flatMap(([, field]) => [`${table.entry}.${field.column}`, ...(field.decimalDigitsFrom ? [field.decimalDigitsFrom] : []), ...conditionsOf(field).map((condition) => condition.oid)]),
      ),
    ];
    reads.push(
      session.walkColumns(walkedOids).then((walked) => {
        const rows = new Map<string, Row>();
        const unsaid = new Set<string>();
        for (const [fieldName, field] of columns) {
          const digits = field.decimalDigitsFrom ? new Map(walked.get(field.decimalDigitsFrom) ?? []) : null;
          const conditions = conditionsOf(field).map((condition) => ({ ...condition, answers: walked.get(condition.oid) ?? new Map<string, Varbind>() }));
          const suffix = field.indexSuffix ? `.${field.indexSuffix}` : null;
          for (const [walkedIndex, varbind] of walked.get(`${table.entry}.${field.column}`) ?? []) {
            if (suffix && !walkedIndex.endsWith(suffix)) continue;
            const index = table.rowIndex ?? (suffix ? walkedIndex.slice(0, -suffix.length) : walkedIndex);
            const oid = `${table.entry}.${field.column}.${walkedIndex}`;
            const row = rows.get(index) ?? ({ index } as Row);
            // The MIB says the value means nothing unless the sensor says it is there (Raritan's IsAvailable, MGE's ComFailure).
            // The device itself says so: no reading, and nothing implausible to report, so the value is not even checked. An agent that
            // does not answer the state at all proves nothing either way: the value stands, checked like any other.
            const refused = conditions.some((condition) => {
              const answered = rawNumber(condition.answers.get(condition.scalar ? '0' : walkedIndex)?.value);
              if (answered !== null) return !condition.values.includes(answered);
              if (condition.required && !unsaid.has(condition.oid)) {
                // Said once for the column, not per row: what the value is (its unit, its type) was not answered.
                unsaid.add(condition.oid);
                const said = `${condition.oid}.${condition.scalar ? '0' : walkedIndex}`;
                problems.push({ section: sectionName, oid, message: `${oid}: ${said}, which says what it is, was not answered; not read (nor any other row lacking it)` });
              }
              return condition.required === true;
            });
            let value = refused ? null : read(field, varbind, oid);
            if (digits && typeof value === 'number') {
              const answered = digits.get(walkedIndex)?.value;
              const places = rawNumber(answered);
              if (places !== null && Number.isInteger(places) && places >= 0 && places <= 9) value = round(value / 10 ** places);
              else {
                problems.push({ section: sectionName, oid, message: `${oid}: its decimal digits (${field.decimalDigitsFrom}.${walkedIndex}) ${answered === undefined ? 'were not answered' : `are ${String(answered)}, not 0..9`}; not available` });
                value = null;
              }
            }
            row[fieldName] = value;
            rows.set(index, row);
          }
        }
        const numeric = columns.filter(([, field]) => field.type === 'number' || field.type === 'integer').map(([fieldName]) => fieldName);
        into.tables[name] = [...rows.values()].filter((row) => !table.allZeroMeansNotMeasured || numeric.some((fieldName) => row[fieldName] !== 0 && row[fieldName] !== null && row[fieldName] !== undefined));
      }),
    );
  }
  await Promise.all(reads);
}

const isEmpty = (value: FieldValue | undefined) => value === null || value === undefined;

/** Copies into `into` what `from` read and `into` does not have yet: scalars by path, table rows by index and column. */
function fillSection(into: RawSection, from: RawSection): void {
  for (const [path, value] of Object.entries(from.scalars)) if (isEmpty(into.scalars[path])) into.scalars[path] = value;
  for (const [name, rows] of Object.entries(from.tables)) {
    const existing = into.tables[name];
    if (!existing) {
      into.tables[name] = rows;
      continue;
    }
    const byIndex = new Map(existing.map((row) => [row.index, row]));
    for (const row of rows) {
      const known = byIndex.get(row.index);
      if (!known) {
        existing.push(row);
        continue;
      }
      for (const [column, value] of Object.entries(row)) if (isEmpty(known[column])) known[column] = value;
    }
  }
}

function sysObjectIdMatches(profile: SnmpProfile, sysObjectId: string | null): boolean {
  return Boolean(sysObjectId && profile.match.sysObjectIdPrefixes?.some((prefix) => `${sysObjectId}.`.startsWith(prefix.endsWith('.') ? prefix : `${prefix}.`)));
}

/**
 * Reads one agent through every profile that applies to it and returns the
 * normalized device. An unreachable agent or bad credentials throw SnmpError;
 * a part that fails or makes no sense is listed in `problems`, never fatal.
 */
export async function collectDevice(input: SnmpTarget, options: CollectOptions = {}): Promise<SnmpDevice> {
  const target = SnmpTarget.parse(input);
  const profiles = options.profiles ?? bundledProfiles();
  const now = options.now ?? (() => new Date());
  const session = new SnmpSession(target, options.session);
  const problems: Problem[] = [];
  const sections: Sections = {};
  const sectionFor = (section: Section) => (sections[section.target] ??= emptySection());
  try {
    // The system group first: it proves the agent answers and names the device for matching.
    const always = profiles.filter((profile) => profile.match.always);
    for (const profile of always) {
      for (const section of profile.sections.filter((each) => each.target === 'system')) await readSection(session, section, sectionFor(section), problems, `${profile.id}/system`);
    }
    const sysObjectId = typeof sections.system?.scalars.objectId === 'string' ? sections.system.scalars.objectId : null;
    const conditional = profiles.filter((profile) => !profile.match.always);
    const known = options.recognized && options.recognized.objectId === sysObjectId ? new Set(options.recognized.profiles) : null;
    let checksAnswered = true;
    const applies = await Promise.all(
      conditional.map(async (profile) => {
        if (known) return known.has(profile.id);
        if (sysObjectIdMatches(profile, sysObjectId)) return true;
        if (!profile.match.whenOidExists) return false;
        try {
          return await session.has(profile.match.whenOidExists);
        } catch (error) {
          checksAnswered = false;
          problems.push({ section: profile.id, message: (error as Error).message });
          return false;
        }
      }),
    );
    const active = [...always, ...conditional.filter((_, position) => applies[position])];
    const reads = active.flatMap((profile) =>
      profile.sections
        .filter((section) => !(profile.match.always && section.target === 'system'))
        .map((section) => ({ section, raw: emptySection(), name: `${profile.id}/${section.target}` })),
    );
    await Promise.all(
      reads.map(({ section, raw, name }) =>
        readSection(session, section, raw, problems, name).catch((error: unknown) => {
          problems.push({ section: name, message: (error as Error).message });
        }),
      ),
    );
    // In profile order, standard MIBs first: a vendor's MIB fills what they left empty, never overwrites what they read.
    for (const { section, raw } of reads) fillSection(sectionFor(section), raw);
    // Sections that failed because the poll was cancelled are not problems of the device: the poll as a whole did not happen.
    if (options.session?.signal?.aborted) throw new SnmpError('aborted', `${target.host}:${target.port}: cancelled before the device was read`);
    const device = assemble(target, active, sections, problems, now());
    if (checksAnswered) options.onRecognized?.({ objectId: sysObjectId, profiles: device.profiles });
    return device;
  } finally {
    session.close();
  }
}

/**
 * A kind from several signals, never one optional object: a vendor profile,
 * then a power or environment MIB that answered, then the vendor's product
 * tree; a bridge (BRIDGE-MIB) makes a switch only with switch-like ports or
 * layer-2 service, and never outranks the others (a UPS card may answer a
 * bridge object); last, what the device's description says it is.
 */
function recognizeKind(active: readonly SnmpProfile[], vendorProfile: SnmpProfile | undefined, objectId: string | null, sections: Sections): SnmpDeviceKind {
  if (vendorProfile?.kind) return vendorProfile.kind;
  const fromMibs = active.map((profile) => profile.kind).filter((kind): kind is SnmpDeviceKind => Boolean(kind));
  const specific = fromMibs.find((kind) => kind !== 'switch');
  if (specific) return specific;
  const fromTree = kindOfObjectId(objectId);
  if (fromTree) return fromTree;
  if (fromMibs.includes('switch')) {
    const services = typeof sections.system?.scalars.services === 'number' ? sections.system.scalars.services : 0;
    const ports = (sections.interfaces?.tables.rows ?? []).filter((row) => row.type === 6 || row.type === 117 || row.type === 62).length;
    // sysServices bit 2 is layer 2 (bridging); or several Ethernet ports.
    if ((services & 2) !== 0 || ports >= 4) return 'switch';
  }
  return kindOfDescription(typeof sections.system?.scalars.descr === 'string' ? sections.system.scalars.descr : null) ?? 'unknown';
}

function guard<T>(problems: Problem[], section: string, build: () => T, fallback: T): T {
  try {
    return build();
  } catch (error) {
    problems.push({ section, message: `could not be normalized: ${(error as Error).message}` });
    return fallback;
  }
}

function assemble(
  target: z.output<typeof SnmpTarget>,
  active: readonly SnmpProfile[],
  sections: Sections,
  problems: Problem[],
  observedAt: Date,
): SnmpDevice {
  const system = normalizeSystem(sections.system ?? emptySection());
  const vendorProfile = active.find((profile) => profile.vendor);
  const kind = recognizeKind(active, vendorProfile, system.objectId, sections);
  let vendor = vendorProfile?.vendor ?? null;
  for (const profile of active) {
    for (const [prefix, name] of Object.entries(profile.vendorsBySysObjectId ?? {})) {
      if (!vendor && system.objectId?.startsWith(prefix)) vendor = name;
    }
  }
  const entities = sections.entities ? guard(problems, 'entities', () => normalizeEntities(sections.entities!), []) : [];
  // Then the enterprise number, and last what the device says of its maker (a Huawei UPS card answers with Net-SNMP's sysObjectID).
  vendor ??= vendorOfObjectId(system.objectId) ?? canonicalVendor(typeof sections.ups?.scalars.manufacturer === 'string' ? sections.ups.scalars.manufacturer : null) ?? canonicalVendor(entities.find((entity) => entity.manufacturer)?.manufacturer);
  if (kind === 'unknown') {
    const enterprise = enterpriseOf(system.objectId);
    problems.push({
      section: 'recognition',
      message: `no profile recognizes this device: sysObjectID ${system.objectId ?? '(none)'}${enterprise ? ` (enterprise ${enterprise}${vendor ? `, ${vendor}` : ''})` : ''}; a profile for it can be added (see the README, "Adding a device")`,
      ...(system.objectId ? { oid: system.objectId } : {}),
    });
  }
  const entityNames = new Map(entities.map((entity) => [entity.index, entity.name ?? entity.descr]));
  const ups = sections.ups ? guard(problems, 'ups', () => normalizeUps(sections.ups!), null) : null;
  const keywords = active.find((profile) => profile.contactKeywords)?.contactKeywords ?? {};
  const device = {
    target: { host: target.host, port: target.port, version: target.version },
    observedAt: observedAt.toISOString(),
    kind,
    vendor,
    profiles: active.map((profile) => profile.id),
    system,
    interfaces: sections.interfaces ? guard(problems, 'interfaces', () => normalizeInterfaces(sections.interfaces!), []) : [],
    entities,
    sensors: sections.sensors ? guard(problems, 'sensors', () => normalizeSensors(sections.sensors!, entityNames, problems), []) : [],
    ups,
    pdu: sections.pdu ? guard(problems, 'pdu', () => normalizePdu(sections.pdu!), null) : null,
    environment: sections.environment ? guard(problems, 'environment', () => normalizeEnvironment(sections.environment!, keywords), null) : null,
    host: sections.host ? guard(problems, 'host', () => normalizeHost(sections.host!), null) : null,
    identity: guard(problems, 'identity', () => normalizeIdentity(entities, sections.identity, ups), undefined),
    problems,
  };
  // The schema is the last word: a section that still does not fit is dropped and named.
  const checked = SnmpDevice.safeParse(device);
  if (checked.success) return checked.data;
  const broken = new Set(checked.error.issues.map((issue) => String(issue.path[0])));
  const repaired: Record<string, unknown> = { ...device };
  for (const key of broken) {
    problems.push({ section: key, message: 'values out of range or of the wrong type; section dropped' });
    repaired[key] = Array.isArray(repaired[key]) ? [] : null;
  }
  return SnmpDevice.parse({ ...repaired, problems });
}

export { SnmpError };
