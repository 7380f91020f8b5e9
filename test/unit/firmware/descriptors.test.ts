/**
 * Firmware descriptions: what the tests and vendors write validates against
 * the published schemas (assets/firmware/*.xsd, checked by libxml2's
 * xmllint), both versions read into the same description, and version order
 * and compliance as a technician reads them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFirmwareVersions, complianceOf, worstCompliance } from '../../../shared/domain/firmware-repository.js';
import { DescriptorError, parseCatalog, parseDescription } from '../../../main/core/services/firmware/descriptors.js';
import { firmwareSlot } from '../../../renderer/features/map/firmware-colours.js';
import { tempDir } from '../../support/core.js';
import { catalogXml, packageXml1, packageXml2, testPackage } from '../../support/firmware-packages.js';

const work = tempDir();
afterAll(() => work.cleanup());

function xmllint(schema: string, xml: string): string {
  const path = join(work.dir, `doc-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(path, xml);
  try {
    return execFileSync('xmllint', ['--noout', '--nonet', '--schema', `assets/firmware/${schema}`, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(String((error as { stderr?: string }).stderr ?? error));
  }
}

describe('firmware descriptions', () => {
  const { description } = testPackage({ version: '3.10.2', models: ['2288H V5', '1288H V5'], vendor: 'Huawei', components: ['BMC'] });

  it('validate against their schema, 1.0 and 2.0, package and catalog; a document of one version fails the other', () => {
    expect(() => xmllint('edgecab-firmware-1.0.xsd', packageXml1(description))).not.toThrow();
    expect(() => xmllint('edgecab-firmware-2.0.xsd', packageXml2(description))).not.toThrow();
    expect(() => xmllint('edgecab-firmware-1.0.xsd', catalogXml('1.0', [description, description]))).not.toThrow();
    expect(() => xmllint('edgecab-firmware-2.0.xsd', catalogXml('2.0', [description]))).not.toThrow();
    expect(() => xmllint('edgecab-firmware-1.0.xsd', packageXml2(description))).toThrow(/fails to validate|not expected/);
    expect(() => xmllint('edgecab-firmware-2.0.xsd', packageXml1(description))).toThrow(/fails to validate|No matching global declaration/);
  });

  it('says the first thing wrong, in words: a missing field, a repeated element, a note in another language, an unknown algorithm', () => {
    const reason = (xml: string) => {
      try {
        parseDescription(xml);
      } catch (error) {
        expect(error).toBeInstanceOf(DescriptorError);
        return (error as Error).message;
      }
      throw new Error('parsed');
    };
    expect(reason(packageXml1(description).replace(/ *<Version>.*<\/Version>\n/, ''))).toMatch(/The version is missing/);
    expect(reason(packageXml2(description).replace('<Notes>', '<Notes></Notes><Notes>'))).toMatch(/gives Notes 2 times/);
    expect(reason(packageXml2(description).replace('xml:lang="en"', 'xml:lang="fr"'))).toMatch(/language "fr"/);
    expect(reason(packageXml2({ ...description, signature: { keyId: 'a'.repeat(64), signature: `${'A'.repeat(86)}==` } }).replace('algorithm="Ed25519"', 'algorithm="RSA"'))).toMatch(/algorithm RSA/);
    expect(reason(packageXml1(description).replace('size="4096"', 'size="lots"'))).toMatch(/image size is not a number/);
    expect(reason('{"vendor": 1}')).toMatch(/vendor/);
    expect(() => parseCatalog(packageXml2(description))).toThrow(/one package, not a catalog/);
    expect(() => parseDescription(catalogXml('2.0', [description]))).toThrow(/import it as a catalog/);
  });
});

describe('firmware versions and compliance', () => {
  it('orders versions as vendors number them', () => {
    expect(compareFirmwareVersions('2.10', '2.9')).toBeGreaterThan(0);
    expect(compareFirmwareVersions('1.45.455b66-rev4', '1.46.0')).toBeLessThan(0);
    expect(compareFirmwareVersions('P79 v1.45', 'P79 v1.50')).toBeLessThan(0);
    expect(compareFirmwareVersions('U30 v2.10', 'u30 V2.10')).toBe(0);
    expect(compareFirmwareVersions(' 3.10.2 ', '3.10.2')).toBe(0);
    expect(compareFirmwareVersions('5.10.00.00', '5.9.99.99')).toBeGreaterThan(0);
  });

  it('a component is compliant, behind, ahead or unknown; a device takes the one needing most attention; the map colours a site by it', () => {
    expect([complianceOf('1.0', '1.0'), complianceOf('0.9', '1.0'), complianceOf('1.1', '1.0'), complianceOf(null, '1.0')]).toEqual(['compliant', 'behind', 'ahead', 'unknown']);
    expect(worstCompliance(['compliant', 'unknown', 'ahead'])).toBe('ahead');
    expect(worstCompliance(['ahead', 'behind'])).toBe('behind');
    expect(worstCompliance(['compliant', 'unknown'])).toBe('unknown');
    expect(worstCompliance([])).toBeNull();
    const counts = { devices: 4, compliant: 1, behind: 0, ahead: 0, unknown: 0, noBaseline: 3 };
    expect(firmwareSlot(counts)).toBe('ok');
    expect(firmwareSlot({ ...counts, unknown: 1 })).toBe('stale');
    expect(firmwareSlot({ ...counts, ahead: 1, unknown: 1 })).toBe('warning');
    expect(firmwareSlot({ ...counts, behind: 1, ahead: 1 })).toBe('critical');
    expect(firmwareSlot({ ...counts, compliant: 0 })).toBe('unknown');
  });
});
