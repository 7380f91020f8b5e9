import { createHash, createPrivateKey, sign } from 'node:crypto';
import { firmwareSignedStatement, type FirmwareDescription } from '../../shared/domain/firmware-repository.js';

/**
 * Firmware packages as vendors ship them, for tests and benchmarks: an image
 * (bytes the lab BMC reads its new version from: "VERSION=<v>"), and its
 * description in JSON or in either version of the XML schema, signed or not.
 */

export interface TestPackage {
  image: Buffer;
  description: FirmwareDescription;
}

export function testImage(version: string, sizeBytes = 4096): Buffer {
  const head = Buffer.from(`EDGECAB-LAB-FIRMWARE VERSION=${version}\n`);
  const image = Buffer.alloc(Math.max(sizeBytes, head.length), 0x5a);
  head.copy(image);
  return image;
}

export function testPackage(options: { vendor?: string; component?: string; version: string; models: string[]; components?: string[]; image?: Buffer; privateKeyPem?: string }): TestPackage {
  const image = options.image ?? testImage(options.version);
  const description: FirmwareDescription = {
    vendor: options.vendor ?? 'Contoso',
    component: options.component ?? 'BMC',
    version: options.version,
    releaseDate: '2026-10-15',
    appliesTo: { models: options.models, components: options.components ?? [options.component ?? 'BMC'] },
    notes: { en: `Fixes for ${options.version}`, 'zh-CN': `${options.version} 修复` },
    image: { fileName: `${options.component ?? 'bmc'}-${options.version}.bin`.toLowerCase(), sizeBytes: image.length, sha256: createHash('sha256').update(image).digest('hex') },
    signature: null,
  };
  if (options.privateKeyPem) description.signature = signDescription(description, options.privateKeyPem);
  return { image, description };
}

export function signDescription(description: FirmwareDescription, privateKeyPem: string): FirmwareDescription['signature'] {
  const key = createPrivateKey(privateKeyPem);
  const publicRaw = Buffer.from((key.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
  return { keyId: createHash('sha256').update(publicRaw).digest('hex'), signature: sign(null, Buffer.from(firmwareSignedStatement(description)), key).toString('base64') };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function descriptionJson(description: FirmwareDescription): string {
  return JSON.stringify({ schemaVersion: '2.0', ...description }, null, 2);
}

/** Schema 1.0's package element (without the XML declaration when inside a catalog). */
export function packageXml1(description: FirmwareDescription, inCatalog = false): string {
  const lines = [
    inCatalog ? '  <FirmwarePackage>' : '<FirmwarePackage schemaVersion="1.0">',
    `    <Vendor>${escape(description.vendor)}</Vendor>`,
    `    <Component>${escape(description.component)}</Component>`,
    `    <Version>${escape(description.version)}</Version>`,
    `    <ReleaseDate>${description.releaseDate}</ReleaseDate>`,
    '    <SupportedModels>',
    ...description.appliesTo.models.map((model) => `      <Model>${escape(model)}</Model>`),
    '    </SupportedModels>',
    `    <Description lang="en">${escape(description.notes.en)}</Description>`,
    `    <Description lang="zh-CN">${escape(description.notes['zh-CN'])}</Description>`,
    `    <File name="${escape(description.image.fileName)}" size="${description.image.sizeBytes}" sha256="${description.image.sha256}"/>`,
    ...(description.signature ? [`    <Signature keyId="${description.signature.keyId}">${description.signature.signature}</Signature>`] : []),
    '  </FirmwarePackage>',
  ];
  return inCatalog ? lines.join('\n') : `<?xml version="1.0" encoding="UTF-8"?>\n${lines.join('\n')}\n`;
}

/** Schema 2.0's package element. */
export function packageXml2(description: FirmwareDescription, inCatalog = false): string {
  const lines = [
    inCatalog ? '  <FirmwarePackage>' : '<FirmwarePackage xmlns="urn:edgecab:firmware-package:2" schemaVersion="2.0">',
    `    <Identity vendor="${escape(description.vendor)}" component="${escape(description.component)}" version="${escape(description.version)}" releaseDate="${description.releaseDate}"/>`,
    '    <AppliesTo>',
    ...description.appliesTo.models.map((model) => `      <Model>${escape(model)}</Model>`),
    ...description.appliesTo.components.map((component) => `      <Component>${escape(component)}</Component>`),
    '    </AppliesTo>',
    '    <Notes>',
    `      <Note xml:lang="en">${escape(description.notes.en)}</Note>`,
    `      <Note xml:lang="zh-CN">${escape(description.notes['zh-CN'])}</Note>`,
    '    </Notes>',
    `    <Image fileName="${escape(description.image.fileName)}" sizeBytes="${description.image.sizeBytes}" sha256="${description.image.sha256}"/>`,
    ...(description.signature ? [`    <Signature keyId="${description.signature.keyId}" algorithm="Ed25519">${description.signature.signature}</Signature>`] : []),
    '  </FirmwarePackage>',
  ];
  return inCatalog ? lines.join('\n') : `<?xml version="1.0" encoding="UTF-8"?>\n${lines.join('\n')}\n`;
}

export function catalogXml(version: '1.0' | '2.0', descriptions: readonly FirmwareDescription[]): string {
  const open = version === '1.0' ? '<FirmwareCatalog schemaVersion="1.0">' : '<FirmwareCatalog xmlns="urn:edgecab:firmware-package:2" schemaVersion="2.0">';
  const body = descriptions.map((description) => (version === '1.0' ? packageXml1(description, true) : packageXml2(description, true)));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}\n${body.join('\n')}\n</FirmwareCatalog>\n`;
}
