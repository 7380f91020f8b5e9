import type { FeatureCatalog } from './feature-catalog.js';

/** Every feature catalog; a new feature adds its file here. */
export const FEATURE_CATALOGS: readonly FeatureCatalog[] = [];
