import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import { FirmwareDescription, type DescriptorFormat } from '../../../../shared/domain/firmware-repository.js';

/**
 * Firmware package descriptions as they come: JSON, or XML in the schema's
 * older (1.0) or newer (2.0) version (assets/firmware/edgecab-firmware-*.xsd),
 * alone or many in a vendor catalog. Each reader turns its format into the
 * one FirmwareDescription, or throws a DescriptorError naming the first
 * thing wrong, so that a bad file is refused with one reason.
 */

export class DescriptorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescriptorError';
  }
}

export interface ParsedDescription {
  description: FirmwareDescription;
  format: DescriptorFormat;
}

type XmlNode = { '#text'?: string } & { [key: string]: unknown };

const REPEATED = new Set(['Model', 'Component', 'Note', 'Description', 'FirmwarePackage', 'SupportedModels', 'AppliesTo', 'Notes', 'File', 'Image', 'Identity', 'Signature', 'Vendor', 'Version', 'ReleaseDate']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Every element an array, so that one given twice is caught rather than silently the last one kept.
  isArray: (name) => REPEATED.has(name),
});

/** A description file: JSON when it starts with "{", else XML. */
export function parseDescription(text: string): ParsedDescription {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseJsonDescription(trimmed);
  const root = parseXml(trimmed, 'description');
  const packages = root.FirmwarePackage as XmlNode[] | undefined;
  if (root.FirmwareCatalog) throw new DescriptorError('This is a catalog of many packages (FirmwareCatalog): import it as a catalog');
  if (!packages || packages.length !== 1) throw new DescriptorError('The XML holds no FirmwarePackage element at its root');
  return fromXmlPackage(packages[0]!, null, 'the package');
}

/** A vendor catalog: many packages in one XML file, all checked before any is taken. */
export function parseCatalog(text: string): { format: DescriptorFormat; packages: FirmwareDescription[] } {
  const root = parseXml(text.replace(/^\uFEFF/, '').trimStart(), 'catalog');
  const catalogs = root.FirmwareCatalog as XmlNode | XmlNode[] | undefined;
  const catalog = Array.isArray(catalogs) ? catalogs[0] : catalogs;
  if (!catalog) throw new DescriptorError(root.FirmwarePackage ? 'This is one package, not a catalog: upload it with its image' : 'The XML holds no FirmwareCatalog element at its root');
  const version = schemaVersionOf(catalog, 'The catalog');
  const packages = (catalog.FirmwarePackage as XmlNode[] | undefined) ?? [];
  if (packages.length === 0) throw new DescriptorError('The catalog lists no FirmwarePackage');
  if (packages.length > 5000) throw new DescriptorError(`The catalog lists ${packages.length} packages; at most 5,000 are taken in one import`);
  const parsed = packages.map((item, index) => fromXmlPackage(item, version, `package ${index + 1} of the catalog`).description);
  return { format: version === '1.0' ? 'xml-1.0' : 'xml-2.0', packages: parsed };
}

function parseJsonDescription(text: string): ParsedDescription {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DescriptorError(`The description is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DescriptorError('The JSON description is not an object');
  const { schemaVersion, ...rest } = value as Record<string, unknown>;
  if (schemaVersion !== undefined && schemaVersion !== '2.0') throw new DescriptorError(`The JSON description's schemaVersion ${JSON.stringify(schemaVersion)} is not known: EdgeCab reads 2.0`);
  return { description: checked({ signature: null, notes: { en: '', 'zh-CN': '' }, ...rest }, 'the description'), format: 'json' };
}

function parseXml(text: string, what: string): XmlNode {
  // No document type: its entities are how XML files blow up (a billion laughs) or reach outside themselves.
  if (/<!DOCTYPE/i.test(text)) throw new DescriptorError(`The ${what} declares a DOCTYPE; firmware descriptions may not (entities are refused)`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DescriptorError(`The ${what} is not well-formed XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  return parser.parse(text) as XmlNode;
}

function schemaVersionOf(node: XmlNode, what: string): '1.0' | '2.0' {
  const version = node['@_schemaVersion'];
  if (version === '1.0' || version === '2.0') return version;
  if (version === undefined) throw new DescriptorError(`${what} has no schemaVersion attribute (1.0 or 2.0)`);
  throw new DescriptorError(`${what}'s schemaVersion "${String(version)}" is not known: EdgeCab reads 1.0 and 2.0`);
}

function fromXmlPackage(node: XmlNode, catalogVersion: '1.0' | '2.0' | null, what: string): ParsedDescription {
  const own = node['@_schemaVersion'];
  const version = own === undefined && catalogVersion ? catalogVersion : schemaVersionOf(node, capitalized(what));
  if (catalogVersion && version !== catalogVersion) throw new DescriptorError(`${capitalized(what)} says schemaVersion ${version}, its catalog ${catalogVersion}`);
  const description = version === '1.0' ? fromVersion1(node, what) : fromVersion2(node, what);
  return { description: checked(description, what), format: version === '1.0' ? 'xml-1.0' : 'xml-2.0' };
}

/** Schema 1.0: one element per field, the file as attributes of File, notes as Description elements with a lang attribute. */
function fromVersion1(node: XmlNode, what: string): Record<string, unknown> {
  const file = single(node, 'File', what);
  const component = text(single(node, 'Component', what));
  const models = (single(node, 'SupportedModels', what)?.Model as XmlNode[] | undefined) ?? [];
  return {
    vendor: text(single(node, 'Vendor', what)),
    component,
    version: text(single(node, 'Version', what)),
    releaseDate: text(single(node, 'ReleaseDate', what)),
    appliesTo: { models: models.map(text), components: component === undefined ? [] : [component] },
    notes: notesOf((node.Description as XmlNode[] | undefined) ?? []),
    image: { fileName: attribute(file, 'name'), sizeBytes: numberOf(attribute(file, 'size')), sha256: attribute(file, 'sha256') },
    signature: signatureOf(single(node, 'Signature', what)),
  };
}

/** Schema 2.0: Identity's attributes, AppliesTo with models and components, Notes with xml:lang, Image. */
function fromVersion2(node: XmlNode, what: string): Record<string, unknown> {
  const identity = single(node, 'Identity', what);
  const appliesTo = single(node, 'AppliesTo', what);
  const image = single(node, 'Image', what);
  const notes = single(node, 'Notes', what);
  return {
    vendor: attribute(identity, 'vendor'),
    component: attribute(identity, 'component'),
    version: attribute(identity, 'version'),
    releaseDate: attribute(identity, 'releaseDate'),
    appliesTo: { models: ((appliesTo?.Model as XmlNode[] | undefined) ?? []).map(text), components: ((appliesTo?.Component as XmlNode[] | undefined) ?? []).map(text) },
    notes: notesOf((notes?.Note as XmlNode[] | undefined) ?? []),
    image: { fileName: attribute(image, 'fileName'), sizeBytes: numberOf(attribute(image, 'sizeBytes')), sha256: attribute(image, 'sha256') },
    signature: signatureOf(single(node, 'Signature', what)),
  };
}

function single(node: XmlNode, name: string, what: string): XmlNode | undefined {
  const list = node[name] as XmlNode[] | undefined;
  if (list && list.length > 1) throw new DescriptorError(`${capitalized(what)} gives ${name} ${list.length} times; it is given once`);
  return list?.[0];
}

const text = (node: XmlNode | undefined): string | undefined => (node ? (node['#text'] ?? '') : undefined);
const attribute = (node: XmlNode | undefined, name: string): string | undefined => {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
};
const numberOf = (value: string | undefined): number | string | undefined => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value);

function notesOf(nodes: XmlNode[]): { en: string; 'zh-CN': string } {
  const notes = { en: '', 'zh-CN': '' };
  for (const node of nodes) {
    const lang = attribute(node, 'lang');
    if (lang === 'en' || lang === 'zh-CN') notes[lang] = text(node) ?? '';
    else throw new DescriptorError(`A note in language "${lang ?? '(none)'}" is not taken: notes are in en or zh-CN`);
  }
  return notes;
}

function signatureOf(node: XmlNode | undefined): { keyId: string | undefined; signature: string | undefined } | null {
  if (!node) return null;
  const algorithm = attribute(node, 'algorithm');
  if (algorithm !== undefined && algorithm !== 'Ed25519') throw new DescriptorError(`The signature's algorithm ${algorithm} is not taken: packages are signed with Ed25519`);
  return { keyId: attribute(node, 'keyId'), signature: text(node)?.replace(/\s+/g, '') };
}

function checked(value: unknown, what: string): FirmwareDescription {
  const result = FirmwareDescription.safeParse(value);
  if (result.success) return result.data;
  throw new DescriptorError(`${capitalized(what)}: ${issueText(result.error.issues[0]!)}`);
}

function issueText(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  // A field that is not there at all reads better by its name than by zod's "expected string, received undefined".
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${path || 'a field'} is missing`;
  return path ? `${issue.message} (${path})` : issue.message;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
