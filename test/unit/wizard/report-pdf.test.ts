/**
 * The acceptance report's PDF prints Chinese on a machine without system
 * fonts: it embeds the CJK font that ships with EdgeCab through npm
 * (Noto Sans SC), not a standard PDF font that has no Chinese glyphs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { reportPdf, type ReportData } from '../../../main/core/services/wizard/report.js';

const SAMPLE: ReportData = {
  site: { name: '苏州工业园区网点', code: 'JS-SZ-SIP', address: '星湖街 328 号', contact: '李伟', latitude: 31.3, longitude: 120.7 },
  cabinet: 'edge-12u',
  startedAt: '2026-12-02T01:00:00Z',
  finishedAt: '2026-12-02T01:40:00Z',
  steps: [{ step: 1, seconds: 60 }],
  devices: [{ slot: 'ups1', name: '不间断电源', kind: 'ups', endpoint: '10.0.0.5:161', vendor: null, model: null, serial: null, firmware: null, status: 'ok' }],
  changes: [],
  findings: [],
  openAlarms: [],
};

describe('the acceptance report as PDF', () => {
  it('embeds Noto Sans SC (a subset of it, as a TrueType font file) and maps the Chinese names to its glyphs', async () => {
    const pdf = await reportPdf(SAMPLE);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/);
    expect(text).toContain('/FontFile2');
    // The font's ToUnicode map covers the site's name: every one of its characters is a glyph of the embedded font.
    const streams = [...text.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((match) => {
      try {
        return inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1');
      } catch {
        return '';
      }
    });
    const toUnicode = streams.find((stream) => stream.includes('beginbfrange') || stream.includes('beginbfchar')) ?? '';
    for (const char of '苏州工业园区网点') expect(toUnicode.toLowerCase(), char).toContain(char.codePointAt(0)!.toString(16).padStart(4, '0'));
  });

  it('embeds it too when bundled as CommonJS, as the desktop core is (where import.meta is empty)', async () => {
    // Inside the project, so the bundle finds the font's package as the desktop core does.
    const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.report-cjs-'));
    try {
      const outfile = join(dir, 'report.cjs');
      await build({ entryPoints: ['main/core/services/wizard/report.ts'], bundle: true, platform: 'node', format: 'cjs', outfile, external: ['pdfkit'], logLevel: 'silent' });
      const bundled = createRequire(import.meta.url)(outfile) as { reportPdf: typeof reportPdf };
      const text = (await bundled.reportPdf(SAMPLE)).toString('latin1');
      expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
