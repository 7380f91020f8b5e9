import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../main/core/services/cabinets/templates.js';
import { checkPlacement, parseTemplate, TemplateError, type Placement } from '../../../shared/domain/cabinet.js';
import edge42u from '../../../assets/cabinet-templates/edge-42u.json' with { type: 'json' };

const clone = () => JSON.parse(JSON.stringify(edge42u)) as { slots: Record<string, unknown>[]; links: { from: { slot: string } }[] };

describe('cabinet templates', () => {
  it('ships 42U, 24U and 12U models, each with every kind of device and its power and network wiring', () => {
    const templates = loadTemplates();
    expect([...templates.values()].map((template) => template.heightU).sort((a, b) => a - b)).toEqual([12, 24, 42]);
    for (const template of templates.values()) {
      const kinds = new Set(template.slots.map((slot) => slot.kind));
      for (const kind of ['server', 'switch', 'ups', 'pdu', 'cooling', 'environment']) expect(kinds, `${template.id} ${kind}`).toContain(kind);
      expect(template.links.some((link) => link.kind === 'power' && link.from.slot === 'ups')).toBe(true);
      expect(template.links.some((link) => link.kind === 'power' && link.to.slot.startsWith('srv'))).toBe(true);
      expect(template.links.some((link) => link.kind === 'network' && link.to.slot === 'wan')).toBe(true);
      expect(template.slots.some((slot) => slot.face === 'rear' && slot.depth === 'half')).toBe(true);
    }
  });

  it.each([
    ['an overlap', (data: ReturnType<typeof clone>) => (data.slots[5]!.u = 11), /slots\.5 \(srv1\): overlaps Storage \(U10–U11, front\)/],
    ['a device above the top', (data: ReturnType<typeof clone>) => (data.slots[0]!.u = 41), /outside the cabinet \(U1–U42\)/],
    ['a device below U1', (data: ReturnType<typeof clone>) => (data.slots[0]!.u = 0), /outside the cabinet/],
    ['an unknown device kind', (data: ReturnType<typeof clone>) => (data.slots[0]!.kind = 'toaster'), /Unknown device kind "toaster"/],
    ['a link to a slot that does not exist', (data: ReturnType<typeof clone>) => (data.links[0]!.from.slot = 'nowhere'), /unknown slot "nowhere"/],
    ['a duplicate slot id', (data: ReturnType<typeof clone>) => (data.slots[1]!.id = 'ups'), /duplicate slot id "ups"/],
  ])('refuse %s with a clear error', (_label, mutate, message) => {
    const data = clone();
    mutate(data);
    expect(() => parseTemplate(data, 'broken.json')).toThrow(TemplateError);
    expect(() => parseTemplate(data, 'broken.json')).toThrow(message);
  });
});

describe('placement rules', () => {
  const server: Placement = { id: 'a', name: 'Server A', u: 10, heightU: 2, face: 'front', depth: 'full' };
  it('accepts free space and refuses overlap', () => {
    expect(checkPlacement({ name: 'B', u: 12, heightU: 1, face: 'front', depth: 'full' }, [server], 42)).toEqual([]);
    expect(checkPlacement({ name: 'B', u: 11, heightU: 2, face: 'front', depth: 'full' }, [server], 42)).toEqual([
      expect.objectContaining({ code: 'overlap', message: expect.stringContaining('Server A (U10–U11, front)') }),
    ]);
  });
  it('lets half-depth devices share a U on opposite faces, but not with a full-depth one', () => {
    const rearHalf: Placement = { id: 'p', name: 'PDU', u: 20, heightU: 1, face: 'rear', depth: 'half' };
    expect(checkPlacement({ name: 'Front half', u: 20, heightU: 1, face: 'front', depth: 'half' }, [rearHalf], 42)).toEqual([]);
    expect(checkPlacement({ name: 'Rear half', u: 20, heightU: 1, face: 'rear', depth: 'half' }, [rearHalf], 42)).toHaveLength(1);
    expect(checkPlacement({ name: 'Full', u: 20, heightU: 1, face: 'front', depth: 'full' }, [rearHalf], 42)).toHaveLength(1);
  });
  it('keeps devices inside the cabinet, and ignores the device being moved', () => {
    expect(checkPlacement({ name: 'Top', u: 42, heightU: 2, face: 'front', depth: 'full' }, [], 42)).toEqual([expect.objectContaining({ code: 'out_of_range' })]);
    expect(checkPlacement({ ...server, u: 11 }, [server], 42)).toEqual([]);
  });
});
