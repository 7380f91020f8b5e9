/**
 * The firmware repository and compliance against a real lab BMC (Redfish
 * over HTTPS, the DMTF rackmount1 mockup: a "3500" whose BMC runs
 * 1.45.455b66-rev4): packages taken in JSON and in both XML schema versions,
 * a vendor catalog registering many at once, every bad upload refused with
 * one reason and nothing kept; baselines attached to a cabinet model, a
 * region and a site; compliance per device, site, region and fleet that
 * follows each inventory read without a refresh.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { ConflictError, InvalidInputError } from '../../main/core/errors.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { parseCatalog, parseDescription } from '../../main/core/services/firmware/descriptors.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempCore } from '../support/core.js';
import { catalogXml, descriptionJson, packageXml1, packageXml2, testImage, testPackage, type TestPackage } from '../support/firmware-packages.js';

const MOCKUP = 'assets/lab/redfish-rackmount1';
const BMC_FIRMWARE = '/redfish/v1/UpdateService/FirmwareInventory/BMC';

const file = (content: string | Buffer, name: string) => new File([typeof content === 'string' ? content : new Uint8Array(content)], name);

describe('firmware repository and compliance', () => {
  let clock = Date.parse('2026-12-04T08:00:00Z');
  let core: Core;
  let dataDir: string;
  let cleanup: () => void;
  let bmc: LabBmc;
  const publisher = newPublisherKeys();
  const ids = { east: 0, eastSub: 0, west: 0, siteA: '', siteB: '', serverA: '', serverB: '', upsA: '' };
  let bmcNew: TestPackage;

  const blobs = () => (existsSync(join(dataDir, 'firmware', 'blobs', 'sha256')) ? readdirSync(join(dataDir, 'firmware', 'blobs', 'sha256')).sort() : []);
  const staging = () => readdirSync(join(dataDir, 'firmware', 'staging'));
  async function refusal(work: Promise<unknown>): Promise<InvalidInputError> {
    const before = { blobs: blobs(), packages: core.services.firmwarePackages.list().length };
    const error = await work.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    // Nothing kept: no package, no image, nothing left in staging.
    expect(blobs()).toEqual(before.blobs);
    expect(core.services.firmwarePackages.list()).toHaveLength(before.packages);
    expect(staging()).toEqual([]);
    return error as InvalidInputError;
  }

  beforeAll(async () => {
    ({ core, dataDir, cleanup } = tempCore(() => new Date(clock)));
    bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
    const client = core.client('test');
    core.services.apps.trust({ name: 'Contoso firmware', publicKey: publisher.publicKey }, 'admin');
    ids.east = (await client.regions.create({ name: 'East', parentId: null })).id;
    ids.eastSub = (await client.regions.create({ name: 'East coast', parentId: ids.east })).id;
    ids.west = (await client.regions.create({ name: 'West', parentId: null })).id;
    const siteA = await client.sites.create({ name: 'Ningbo branch', code: 'FWR-A', latitude: 29.9, longitude: 121.5, regionId: ids.eastSub });
    const siteB = await client.sites.create({ name: 'Chengdu branch', code: 'FWR-B', latitude: 30.6, longitude: 104, regionId: ids.west });
    ids.siteA = siteA.id;
    ids.siteB = siteB.id;
    const cabinetA = await client.cabinets.create({ siteId: siteA.id, templateId: 'edge-12u' });
    const cabinetB = await client.cabinets.create({ siteId: siteB.id, templateId: 'edge-12u' });
    ids.serverA = cabinetA.devices.find((device) => device.kind === 'server')!.id;
    ids.upsA = cabinetA.devices.find((device) => device.kind === 'ups')!.id;
    ids.serverB = cabinetB.devices.find((device) => device.kind === 'server')!.id;
    await client.devices.connect({ id: ids.serverA, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
    bmcNew = testPackage({ version: '1.46.0', models: ['3500', 'PowerEdge R650'], components: ['BMC'], privateKeyPem: publisher.privateKey });
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await bmc?.stop();
    cleanup?.();
  });

  it('reads one package alike from JSON, XML 1.0 and XML 2.0, and a catalog in either version', () => {
    const { description } = bmcNew;
    expect(parseDescription(descriptionJson(description))).toEqual({ description, format: 'json' });
    expect(parseDescription(packageXml2(description))).toEqual({ description, format: 'xml-2.0' });
    expect(parseDescription(packageXml1(description))).toEqual({ description, format: 'xml-1.0' });
    const others = [testPackage({ component: 'BIOS', version: 'P79 v1.50', models: ['3500'] }).description, testPackage({ component: 'NIC', version: '22.31.6', models: ['3500'] }).description];
    expect(parseCatalog(catalogXml('1.0', [description, ...others]))).toEqual({ format: 'xml-1.0', packages: [description, ...others] });
    expect(parseCatalog(catalogXml('2.0', [description, ...others]))).toEqual({ format: 'xml-2.0', packages: [description, ...others] });
  });

  it('refuses, with one reason and nothing kept: a tampered image, a wrong size, a changed description, an untrusted signer, no model, bad XML, a DOCTYPE, an unknown schema version', async () => {
    const repository = core.services.firmwarePackages;
    const tampered = Buffer.from(bmcNew.image);
    tampered[100] = tampered[100]! ^ 0xff;
    expect((await refusal(repository.upload({ description: file(packageXml2(bmcNew.description), 'd.xml'), image: file(tampered, 'bmc.bin') }, 'alice'))).issues[0]).toMatchObject({ code: 'sha256_mismatch' });
    expect((await refusal(repository.upload({ description: file(packageXml2(bmcNew.description), 'd.xml'), image: file(bmcNew.image.subarray(0, 4000), 'bmc.bin') }, 'alice'))).issues[0]).toMatchObject({ code: 'size_mismatch' });
    // Signed for 3500 and R650; someone added a model afterwards.
    const widened = { ...bmcNew.description, appliesTo: { ...bmcNew.description.appliesTo, models: [...bmcNew.description.appliesTo.models, 'PowerEdge R750'] } };
    expect((await refusal(repository.upload({ description: file(packageXml2(widened), 'd.xml'), image: file(bmcNew.image, 'bmc.bin') }, 'alice'))).issues[0]).toMatchObject({ code: 'signature_invalid' });
    const stranger = testPackage({ version: '1.46.0', models: ['3500'], privateKeyPem: newPublisherKeys().privateKey });
    expect((await refusal(repository.upload({ description: file(descriptionJson(stranger.description), 'd.json'), image: file(stranger.image, 'bmc.bin') }, 'alice'))).issues[0]).toMatchObject({ code: 'signer_untrusted' });
    const noModel = testPackage({ version: '1.47.0', models: ['x'] });
    const noModelXml = packageXml2(noModel.description).replace(/ *<Model>x<\/Model>\n/, '');
    const refusedNoModel = await refusal(repository.upload({ description: file(noModelXml, 'd.xml'), image: file(noModel.image, 'bmc.bin') }, 'alice'));
    expect(refusedNoModel.message).toMatch(/names no model/);
    expect((await refusal(repository.upload({ description: file(packageXml2(bmcNew.description).replace('</AppliesTo>', '</Applies>'), 'd.xml'), image: file(bmcNew.image, 'b') }, 'alice'))).message).toMatch(/not well-formed XML: line \d+, column \d+/);
    expect((await refusal(repository.upload({ description: file(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${packageXml2(bmcNew.description).replace(/^<\?xml[^>]*>/, '')}`, 'd.xml'), image: file(bmcNew.image, 'b') }, 'alice'))).message).toMatch(/DOCTYPE/);
    expect((await refusal(repository.upload({ description: file(packageXml2(bmcNew.description).replace('schemaVersion="2.0"', 'schemaVersion="3.0"'), 'd.xml'), image: file(bmcNew.image, 'b') }, 'alice'))).message).toMatch(/schemaVersion "3.0" is not known/);
    // An image alone that no description names.
    expect((await refusal(repository.upload({ image: file(testImage('9.9.9'), 'x.bin') }, 'alice'))).issues[0]).toMatchObject({ code: 'not_described' });
  });

  it('keeps a good package once, under its SHA-256, signed by its publisher; the same upload again stores nothing new', async () => {
    const repository = core.services.firmwarePackages;
    const first = await repository.upload({ description: file(packageXml2(bmcNew.description), 'd.xml'), image: file(bmcNew.image, 'bmc.bin') }, 'alice');
    expect(first).toMatchObject({ stored: true, package: { id: `fw-${bmcNew.description.image.sha256.slice(0, 16)}`, format: 'xml-2.0', imageStored: true, signer: { name: 'Contoso firmware', trusted: true }, addedBy: 'alice' } });
    expect(blobs()).toEqual([bmcNew.description.image.sha256]);
    const again = await repository.upload({ description: file(descriptionJson(bmcNew.description), 'd.json'), image: file(bmcNew.image, 'bmc.bin') }, 'bob');
    expect(again.stored).toBe(false);
    expect(repository.list()).toHaveLength(1);
  });

  it('registers a whole catalog in one import, all or nothing; an image uploaded alone then completes its package', async () => {
    const repository = core.services.firmwarePackages;
    const bios = testPackage({ component: 'BIOS', version: 'P79 v1.50', models: ['3500'] });
    const nic = testPackage({ component: 'NIC', version: '22.31.6', models: ['3500'] });
    const bad = { ...testPackage({ component: 'RAID', version: '5.0', models: ['3500'] }).description, releaseDate: 'last Tuesday' };
    const refused = await repository.importCatalog(file(catalogXml('1.0', [bios.description, bad]), 'catalog.xml'), 'alice').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as Error).message).toMatch(/Package 2 of the catalog: The release date is not a date/);
    expect(repository.list()).toHaveLength(1);
    const imported = await repository.importCatalog(file(catalogXml('1.0', [bios.description, nic.description, bmcNew.description]), 'catalog.xml'), 'alice');
    expect(imported).toMatchObject({ format: 'xml-1.0', alreadyKnown: 1 });
    expect(imported.registered.map((item) => [item.description.component, item.imageStored])).toEqual([
      ['BIOS', false],
      ['NIC', false],
    ]);
    const completed = await repository.upload({ image: file(bios.image, 'bios.bin') }, 'alice');
    expect(completed).toMatchObject({ stored: true, package: { description: { component: 'BIOS', version: 'P79 v1.50' }, imageStored: true, format: 'xml-1.0' } });
    expect(blobs()).toHaveLength(2);
  });

  it('a baseline on the cabinet model: a device never read is unknown; after the monitor’s inventory read the BMC is behind, the BIOS behind', async () => {
    const client = core.client('test');
    const packages = core.services.firmwarePackages.list();
    const byComponent = (component: string) => packages.find((item) => item.description.component === component)!.id;
    const baseline = await client.firmware.createBaseline({ name: 'Contoso 3500, autumn 2026', packageIds: [byComponent('BMC'), byComponent('BIOS')], targets: [{ scope: 'template', id: 'edge-12u' }] });
    expect(baseline.targets).toEqual([{ scope: 'template', id: 'edge-12u', name: expect.any(String) }]);
    // Before any read the device's model is the layout's ("1U server"), which no package lists.
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).state).toBeNull();
    await core.services.monitor.pollSite(ids.siteA, 'inventory');
    const device = await client.firmware.deviceCompliance({ id: ids.serverA });
    expect(device).toMatchObject({ model: '3500', baseline: { id: baseline.id, scope: 'template' }, state: 'behind' });
    expect(device.components.map((component) => [component.component, component.current, component.target, component.state])).toEqual([
      ['BMC', '1.45.455b66-rev4', '1.46.0', 'behind'],
      ['BIOS', 'P79 v1.45', 'P79 v1.50', 'behind'],
    ]);
    const overview = await client.firmware.compliance();
    expect(overview.fleet).toMatchObject({ behind: 1, compliant: 0 });
    expect(overview.sites.find((site) => site.siteId === ids.siteA)!.counts).toMatchObject({ behind: 1 });
    // The region counts its sub-region's site.
    expect(overview.regions.find((region) => region.regionId === ids.east)!.counts).toMatchObject({ behind: 1 });
    expect(overview.regions.find((region) => region.regionId === ids.west)!.counts).toMatchObject({ behind: 0, compliant: 0 });
  });

  it('follows the upgrade without a refresh: the BMC upgraded and read again is compliant, a newer one is ahead', async () => {
    const client = core.client('test');
    bmc.resource(BMC_FIRMWARE)!.Version = '1.46.0';
    clock += 3_600_000;
    await core.services.monitor.pollSite(ids.siteA, 'inventory');
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).components[0]).toMatchObject({ component: 'BMC', current: '1.46.0', state: 'compliant' });
    bmc.resource(BMC_FIRMWARE)!.Version = '1.46.10';
    clock += 3_600_000;
    await client.devices.refresh({ id: ids.serverA });
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).components[0]).toMatchObject({ current: '1.46.10', state: 'ahead' });
    // Behind (the BIOS) outranks ahead for the device.
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).state).toBe('behind');
  });

  it('a region’s baseline outranks the cabinet model’s, a site’s outranks the region’s; a target has one baseline, a baseline one version per model and component', async () => {
    const client = core.client('test');
    const bmcId = core.services.firmwarePackages.list().find((item) => item.description.component === 'BMC')!.id;
    const regional = await client.firmware.createBaseline({ name: 'East BMC only', packageIds: [bmcId], targets: [{ scope: 'region', id: String(ids.east) }] });
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).baseline).toEqual({ id: regional.id, name: 'East BMC only', scope: 'region' });
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).state).toBe('ahead');
    const older = testPackage({ version: '1.40.0', models: ['3500'] });
    const olderId = (await core.services.firmwarePackages.upload({ description: file(descriptionJson(older.description), 'd.json'), image: file(older.image, 'b.bin') }, 'alice')).package.id;
    await expect(client.firmware.createBaseline({ name: 'Mixed', packageIds: [bmcId, olderId], targets: [] })).rejects.toThrow(/different versions \(1\.46\.0 and 1\.40\.0\)/);
    expect(() => core.services.firmwareBaselines.create({ name: 'Twice', packageIds: [olderId], targets: [{ scope: 'region', id: String(ids.east) }] }, 'alice')).toThrow(ConflictError);
    const pinned = await client.firmware.createBaseline({ name: 'Ningbo pinned', packageIds: [olderId], targets: [{ scope: 'site', id: ids.siteA }] });
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).baseline).toMatchObject({ id: pinned.id, scope: 'site' });
    expect((await client.firmware.siteCompliance({ siteId: ids.siteA })).counts).toMatchObject({ ahead: 1 });
    // A package in a baseline is not removed; the baseline gone, the region's applies again.
    await expect(client.firmware.removePackage({ id: olderId })).rejects.toThrow(/Ningbo pinned/);
    await client.firmware.removeBaseline({ id: pinned.id });
    expect((await client.firmware.deviceCompliance({ id: ids.serverA })).baseline).toMatchObject({ id: regional.id });
    await client.firmware.removePackage({ id: olderId });
    expect(blobs()).not.toContain(older.description.image.sha256);
  });
});
