import { z } from 'zod';

export const RegionName = z
  .string()
  .trim()
  .min(1, { error: 'Name is required' })
  .max(80, { error: 'At most 80 characters' })
  .refine((name) => !name.includes('/'), { error: 'A region name cannot contain "/"' });

export const Region = z.object({
  id: z.number().int(),
  parentId: z.number().int().nullable(),
  name: z.string(),
  /** Names from the root down to this region, joined by "/". */
  path: z.string(),
  depth: z.number().int(),
  siteCount: z.number().int(),
});
export type Region = z.infer<typeof Region>;

export const RegionCreate = z.object({
  name: RegionName,
  parentId: z.number().int().positive().nullable().optional(),
});

export const RegionUpdate = z.object({
  id: z.coerce.number().int().positive(),
  name: RegionName.optional(),
  parentId: z.number().int().positive().nullable().optional(),
});

export interface RegionNode extends Region {
  children: RegionNode[];
}

/** Builds the tree from the flat list the API returns, children sorted by name. */
export function buildRegionTree(regions: readonly Region[]): RegionNode[] {
  const nodes = new Map<number, RegionNode>();
  for (const region of regions) nodes.set(region.id, { ...region, children: [] });
  const roots: RegionNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    (parent ? parent.children : roots).push(node);
  }
  const byName = (a: RegionNode, b: RegionNode) => a.name.localeCompare(b.name);
  const sortDeep = (list: RegionNode[]) => {
    list.sort(byName);
    for (const node of list) sortDeep(node.children);
  };
  sortDeep(roots);
  return roots;
}
