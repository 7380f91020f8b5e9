import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import {
  checkPlacement,
  ENGINE_HOST_KINDS,
  type CabinetDevice,
  type DeviceProtocol,
  type CabinetTemplate,
  type CabinetView,
  type DeviceMove,
  type DeviceStatus,
  type NewDevice,
} from '../../../../shared/domain/cabinet.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { EventBus } from '../events/bus.js';

interface DeviceRow {
  id: string;
  cabinet_id: string;
  slot_id: string | null;
  kind: CabinetDevice['kind'];
  name: string;
  model: string | null;
  u: number;
  height_u: number;
  face: 'front' | 'rear';
  depth: 'full' | 'half';
  protocol: DeviceProtocol;
  endpoint: string | null;
  credential_id: string | null;
  fingerprint: string | null;
  status: DeviceStatus | null;
  observed_at: string | null;
  error: string | null;
}

const DEVICE_SELECT = `
  SELECT d.*, st.status, st.observed_at, st.error FROM devices d
  LEFT JOIN device_state st ON st.device_id = d.id`;

export function toDevice(row: DeviceRow): CabinetDevice {
  return {
    id: row.id,
    cabinetId: row.cabinet_id,
    slotId: row.slot_id,
    kind: row.kind,
    name: row.name,
    model: row.model,
    u: row.u,
    heightU: row.height_u,
    face: row.face,
    depth: row.depth,
    protocol: row.protocol,
    endpoint: row.endpoint,
    hasCredential: row.credential_id !== null,
    fingerprint: row.fingerprint,
    status: row.status ?? 'unknown',
    observedAt: row.observed_at,
    error: row.error,
  };
}

/** Cabinets laid out from templates, and the devices placed in them. */
export class CabinetService {
  constructor(
    private readonly db: Database,
    readonly templates: Map<string, CabinetTemplate>,
    private readonly bus: EventBus,
    private readonly now: () => Date,
  ) {}

  private template(id: string): CabinetTemplate {
    const template = this.templates.get(id);
    if (!template) throw new InvalidInputError([{ field: 'templateId', code: 'not_found', message: `No cabinet model "${id}"` }]);
    return template;
  }

  /** Creates the site's cabinet from a template: its default devices and their power and network links. */
  createForSite(siteId: string, templateId: string, name?: string | null, language: 'en' | 'zh-CN' = 'en'): CabinetView {
    if (!this.db.prepare('SELECT 1 FROM sites WHERE id = ?').get(siteId)) throw new NotFoundError('site', siteId);
    if (this.db.prepare('SELECT 1 FROM cabinets WHERE site_id = ?').get(siteId)) throw new ConflictError('This site already has a cabinet', 'siteId');
    const template = this.template(templateId);
    const at = this.now().toISOString();
    const cabinetId = randomUUID();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        cabinetId,
        siteId,
        template.id,
        name?.trim() || template.name[language],
        template.heightU,
        at,
      );
      const idsBySlot = new Map<string, string>();
      const insert = this.db.prepare(
        `INSERT INTO devices (id, cabinet_id, slot_id, kind, name, model, u, height_u, face, depth, protocol, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const slot of template.slots) {
        const id = randomUUID();
        idsBySlot.set(slot.id, id);
        insert.run(id, cabinetId, slot.id, slot.kind, slot.name[language], slot.model ?? null, slot.u, slot.heightU, slot.face, slot.depth, slot.protocol, at, at);
      }
      const link = this.db.prepare('INSERT INTO links (cabinet_id, kind, from_device_id, from_port, to_device_id, to_port, external) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const each of template.links) {
        const from = idsBySlot.get(each.from.slot) ?? null;
        const to = idsBySlot.get(each.to.slot) ?? null;
        link.run(cabinetId, each.kind, from, each.from.port, to, each.to.port, from === null ? each.from.slot : to === null ? each.to.slot : null);
      }
    })();
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId, count: 1, at });
    return this.viewForSite(siteId)!;
  }

  viewForSite(siteId: string): CabinetView | null {
    const cabinet = this.db.prepare('SELECT * FROM cabinets WHERE site_id = ?').get(siteId) as
      | { id: string; site_id: string; template_id: string; name: string; height_u: number }
      | undefined;
    if (!cabinet) return null;
    const devices = (this.db.prepare(`${DEVICE_SELECT} WHERE d.cabinet_id = ? ORDER BY d.u DESC, d.face`).all(cabinet.id) as DeviceRow[]).map(toDevice);
    const links = (
      this.db.prepare('SELECT * FROM links WHERE cabinet_id = ? ORDER BY id').all(cabinet.id) as {
        kind: 'power' | 'network';
        from_device_id: string | null;
        from_port: string;
        to_device_id: string | null;
        to_port: string;
        external: string | null;
      }[]
    ).map((row) => ({ kind: row.kind, fromDeviceId: row.from_device_id, fromPort: row.from_port, toDeviceId: row.to_device_id, toPort: row.to_port, external: row.external }));
    return { cabinet: { id: cabinet.id, siteId: cabinet.site_id, templateId: cabinet.template_id, name: cabinet.name, heightU: cabinet.height_u }, devices, links };
  }

  device(id: string): CabinetDevice & { credentialId: string | null; siteId: string } {
    const row = this.db.prepare(`${DEVICE_SELECT.replace('SELECT d.*,', 'SELECT d.*, c.site_id,')} JOIN cabinets c ON c.id = d.cabinet_id WHERE d.id = ?`).get(id) as
      | (DeviceRow & { site_id: string })
      | undefined;
    if (!row) throw new NotFoundError('device', id);
    return { ...toDevice(row), credentialId: row.credential_id, siteId: row.site_id };
  }

  private cabinetOf(id: string): { id: string; height_u: number; site_id: string } {
    const cabinet = this.db.prepare('SELECT id, height_u, site_id FROM cabinets WHERE id = ?').get(id) as { id: string; height_u: number; site_id: string } | undefined;
    if (!cabinet) throw new NotFoundError('cabinet', id);
    return cabinet;
  }

  private requireFree(cabinetId: string, heightU: number, candidate: Parameters<typeof checkPlacement>[0]): void {
    // Engines run on a server and take no rack space of their own.
    const others = (this.db.prepare("SELECT id, name, u, height_u, face, depth FROM devices WHERE cabinet_id = ? AND kind != 'engine'").all(cabinetId) as {
      id: string;
      name: string;
      u: number;
      height_u: number;
      face: 'front' | 'rear';
      depth: 'full' | 'half';
    }[]).map((row) => ({ id: row.id, name: row.name, u: row.u, heightU: row.height_u, face: row.face, depth: row.depth }));
    const issues = checkPlacement(candidate, others, heightU);
    if (issues.length > 0) throw new InvalidInputError(issues.map((issue) => ({ field: issue.field, code: issue.code, message: issue.message })));
  }

  /** The server (or storage) a workload engine at `u` runs on; an engine needs one. */
  private engineHost(cabinetId: string, u: number, face: 'front' | 'rear'): { u: number; height_u: number; face: 'front' | 'rear'; depth: 'full' | 'half' } {
    const host = this.db
      .prepare(`SELECT u, height_u, face, depth FROM devices WHERE cabinet_id = ? AND kind IN (${ENGINE_HOST_KINDS.map(() => '?').join(', ')}) AND u <= ? AND u + height_u - 1 >= ? ORDER BY face = ? DESC, u LIMIT 1`)
      .get(cabinetId, ...ENGINE_HOST_KINDS, u, u, face) as { u: number; height_u: number; face: 'front' | 'rear'; depth: 'full' | 'half' } | undefined;
    if (!host) throw new InvalidInputError([{ field: 'u', code: 'no_host', message: `a workload engine runs on a server: no server or storage occupies U${u}` }]);
    return host;
  }

  add(input: z.output<typeof NewDevice>): CabinetDevice {
    const cabinet = this.cabinetOf(input.cabinetId);
    if (input.kind === 'engine') {
      // It sits on its server: the server's U, height and face, whatever the input said.
      const host = this.engineHost(cabinet.id, input.u, input.face);
      input = { ...input, u: host.u, heightU: host.height_u, face: host.face, depth: host.depth };
    } else this.requireFree(cabinet.id, cabinet.height_u, { name: input.name, u: input.u, heightU: input.heightU, face: input.face, depth: input.depth });
    const id = randomUUID();
    const at = this.now().toISOString();
    this.db
      .prepare(
        `INSERT INTO devices (id, cabinet_id, slot_id, kind, name, model, u, height_u, face, depth, protocol, created_at, updated_at)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, cabinet.id, input.kind, input.name, input.model ?? null, input.u, input.heightU, input.face, input.depth, input.protocol, at, at);
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId: cabinet.site_id, count: 1, at });
    return this.device(id);
  }

  move(input: z.output<typeof DeviceMove>): CabinetDevice {
    const current = this.device(input.id);
    const cabinet = this.cabinetOf(current.cabinetId);
    let next = { id: current.id, name: input.name ?? current.name, u: input.u ?? current.u, heightU: current.heightU, face: input.face ?? current.face, depth: current.depth };
    if (current.kind === 'engine') {
      const host = this.engineHost(cabinet.id, next.u, next.face);
      next = { ...next, u: host.u, face: host.face };
    } else this.requireFree(cabinet.id, cabinet.height_u, next);
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.db.prepare('UPDATE devices SET name = ?, u = ?, face = ?, updated_at = ? WHERE id = ?').run(next.name, next.u, next.face, at, current.id);
      // A server's engine moves with it.
      if ((ENGINE_HOST_KINDS as readonly string[]).includes(current.kind))
        this.db.prepare("UPDATE devices SET u = ?, face = ?, updated_at = ? WHERE cabinet_id = ? AND kind = 'engine' AND u = ? AND face = ?").run(next.u, next.face, at, current.cabinetId, current.u, current.face);
    })();
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId: cabinet.site_id, count: 1, at });
    return this.device(current.id);
  }

  remove(id: string): void {
    const current = this.device(id);
    this.db.transaction(() => {
      // An engine does not outlive the server it runs on.
      if ((ENGINE_HOST_KINDS as readonly string[]).includes(current.kind)) this.db.prepare("DELETE FROM devices WHERE cabinet_id = ? AND kind = 'engine' AND u = ? AND face = ?").run(current.cabinetId, current.u, current.face);
      this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
    })();
    this.bus.publish({ type: 'site.changed', change: 'updated', siteId: current.siteId, count: 1, at: this.now().toISOString() });
  }

  setConnection(id: string, endpoint: string | null, credentialId: string | null, fingerprint: string | null): void {
    this.db
      .prepare('UPDATE devices SET endpoint = ?, credential_id = ?, fingerprint = ?, updated_at = ? WHERE id = ?')
      .run(endpoint, credentialId, fingerprint, this.now().toISOString(), id);
  }

  /** The site's device connected at this endpoint, if any. */
  deviceAt(siteId: string, endpoint: string): { id: string; credentialId: string | null; fingerprint: string | null } | null {
    const row = this.db
      .prepare('SELECT d.id, d.credential_id, d.fingerprint FROM devices d JOIN cabinets c ON c.id = d.cabinet_id WHERE c.site_id = ? AND d.endpoint = ? LIMIT 1')
      .get(siteId, endpoint) as { id: string; credential_id: string | null; fingerprint: string | null } | undefined;
    return row ? { id: row.id, credentialId: row.credential_id, fingerprint: row.fingerprint } : null;
  }
}
