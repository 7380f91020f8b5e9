import { createRequire } from 'node:module';
import { STEP_ESTIMATE_SECONDS, WIZARD_BUDGET_SECONDS, type WizardStep } from '../../../../shared/domain/wizard.js';

export interface ReportDevice {
  slot: string;
  name: string;
  kind: string;
  endpoint: string | null;
  vendor: string | null;
  model: string | null;
  serial: string | null;
  firmware: string | null;
  status: string;
}

export interface ReportData {
  site: { name: string; code: string; address: string | null; contact: string | null; latitude: number; longitude: number };
  cabinet: string;
  startedAt: string;
  finishedAt: string;
  steps: { step: number; seconds: number }[];
  devices: ReportDevice[];
  changes: string[];
  findings: string[];
  openAlarms: string[];
}

const STEP_NAMES: Record<number, string> = { 1: 'Site and cabinet', 2: 'Connect and discover', 3: 'Secure', 4: 'Configure', 5: 'Verify and hand over' };

const escapeHtml = (value: string | null | undefined) =>
  (value ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

export function minutes(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** The acceptance report as a self-contained HTML page (no scripts, no external resources). */
export function reportHtml(data: ReportData): string {
  const total = data.steps.reduce((sum, step) => sum + step.seconds, 0);
  const rows = (cells: (string | null)[][]) => cells.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  const list = (items: string[], empty: string) => (items.length ? `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : `<p>${escapeHtml(empty)}</p>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acceptance report — ${escapeHtml(data.site.name)}</title>
<style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:32px;color:#1c2430}table{border-collapse:collapse;width:100%;margin:8px 0 16px}td,th{border:1px solid #ccd3dc;padding:4px 8px;text-align:left;font-size:13px}th{background:#eef1f5}h1{margin-bottom:0}.muted{color:#5d6b7e}</style>
</head><body>
<h1>Acceptance report — ${escapeHtml(data.site.name)} (${escapeHtml(data.site.code)})</h1>
<p class="muted">EdgeCab first-boot wizard · ${escapeHtml(data.cabinet)} · started ${escapeHtml(data.startedAt)} · finished ${escapeHtml(data.finishedAt)}</p>
<p>Address: ${escapeHtml(data.site.address ?? '—')} · Contact: ${escapeHtml(data.site.contact ?? '—')} · Location: ${data.site.latitude.toFixed(5)}, ${data.site.longitude.toFixed(5)}</p>
<h2>Time</h2>
<table><tr><th>Step</th><th>Took</th><th>Planned</th></tr>
${rows(data.steps.map((step) => [`${step.step}. ${STEP_NAMES[step.step]}`, minutes(step.seconds), minutes(STEP_ESTIMATE_SECONDS[step.step as WizardStep])]))}
<tr><th>Total</th><th>${minutes(total)}</th><th>budget ${minutes(WIZARD_BUDGET_SECONDS)}</th></tr></table>
<h2>Devices</h2>
<table><tr><th>Slot</th><th>Device</th><th>Kind</th><th>Address</th><th>Vendor / model</th><th>Serial</th><th>Firmware</th><th>State</th></tr>
${rows(data.devices.map((device) => [device.slot, device.name, device.kind, device.endpoint, [device.vendor, device.model].filter(Boolean).join(' '), device.serial, device.firmware, device.status]))}</table>
<h2>What was changed</h2>${list(data.changes, 'Nothing.')}
<h2>Findings</h2>${list(data.findings, 'None.')}
<h2>Open alarms at hand-over</h2>${list(data.openAlarms, 'None.')}
</body></html>`;
}

/**
 * Noto Sans SC (SIL Open Font License), shipped with EdgeCab through npm, so
 * Chinese prints on a machine without any system font. Resolved from the
 * installed package at run time (the font stays outside the bundle).
 */
function cjkFont(): string {
  // The desktop core is bundled as CommonJS, where import.meta is empty and require is the module's own; the server bundle defines require too.
  const resolver = typeof require === 'function' ? require : createRequire(import.meta.url);
  try {
    return resolver.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
  } catch (error) {
    throw new Error(`the Chinese font EdgeCab prints reports with is missing (npm package @expo-google-fonts/noto-sans-sc); reinstall EdgeCab: ${(error as Error).message}`);
  }
}

/** The same report as PDF (A4), in a CJK font that ships with EdgeCab, so Chinese names print anywhere. */
export async function reportPdf(data: ReportData): Promise<Buffer> {
  // Loaded when a report is made, not at every start: pdfkit and its font tables cost a tenth of a second.
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `Acceptance report — ${data.site.name}`, Author: 'EdgeCab' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font(cjkFont());
    const heading = (text: string) => doc.moveDown(0.8).fontSize(13).text(text).moveDown(0.3).fontSize(9.5);
    doc.fontSize(18).text(`Acceptance report — ${data.site.name} (${data.site.code})`);
    doc.fontSize(9.5).fillColor('#5d6b7e').text(`EdgeCab first-boot wizard · ${data.cabinet} · started ${data.startedAt} · finished ${data.finishedAt}`).fillColor('#1c2430');
    doc.text(`Address: ${data.site.address ?? '—'} · Contact: ${data.site.contact ?? '—'} · Location: ${data.site.latitude.toFixed(5)}, ${data.site.longitude.toFixed(5)}`);
    heading('Time');
    for (const step of data.steps) doc.text(`${step.step}. ${STEP_NAMES[step.step]}: ${minutes(step.seconds)} (planned ${minutes(STEP_ESTIMATE_SECONDS[step.step as WizardStep])})`);
    doc.text(`Total: ${minutes(data.steps.reduce((sum, step) => sum + step.seconds, 0))} of a ${minutes(WIZARD_BUDGET_SECONDS)} budget`);
    heading('Devices');
    for (const device of data.devices) {
      doc.text(`${device.slot} · ${device.name} (${device.kind}) · ${device.endpoint ?? 'not connected'} · ${[device.vendor, device.model].filter(Boolean).join(' ') || '—'} · serial ${device.serial ?? '—'} · firmware ${device.firmware ?? '—'} · ${device.status}`);
    }
    heading('What was changed');
    for (const change of data.changes.length ? data.changes : ['Nothing.']) doc.text(`• ${change}`);
    heading('Findings');
    for (const finding of data.findings.length ? data.findings : ['None.']) doc.text(`• ${finding}`);
    heading('Open alarms at hand-over');
    for (const alarm of data.openAlarms.length ? data.openAlarms : ['None.']) doc.text(`• ${alarm}`);
    doc.end();
  });
}
