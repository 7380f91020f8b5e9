import type { Region } from '../../../shared/domain/region.js';

/** Regions as <option>s in tree order, indented by depth, for any region picker. */
export function RegionOptions({ regions }: { regions: readonly Region[] }) {
  return (
    <>
      {regions.map((region) => (
        <option key={region.id} value={region.id}>
          {'\u00a0\u00a0'.repeat(region.depth)}
          {region.name}
        </option>
      ))}
    </>
  );
}
