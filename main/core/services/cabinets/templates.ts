import { parseTemplate, type CabinetTemplate } from '../../../../shared/domain/cabinet.js';
import edge12u from '../../../../assets/cabinet-templates/edge-12u.json' with { type: 'json' };
import edge24u from '../../../../assets/cabinet-templates/edge-24u.json' with { type: 'json' };
import edge42u from '../../../../assets/cabinet-templates/edge-42u.json' with { type: 'json' };

const BUNDLED: Record<string, unknown> = { 'edge-42u.json': edge42u, 'edge-24u.json': edge24u, 'edge-12u.json': edge12u };

/** The cabinet models in assets/cabinet-templates, validated at start: a bad template stops the core with every problem named. */
export function loadTemplates(): Map<string, CabinetTemplate> {
  const templates = new Map<string, CabinetTemplate>();
  for (const [file, data] of Object.entries(BUNDLED)) {
    const template = parseTemplate(data, file);
    templates.set(template.id, template);
  }
  return templates;
}
