import type { FeatureCatalog } from './feature-catalog.js';
import { wiringCatalog } from './wiring.js';
import { desktopCatalog } from './desktop.js';
import { authCatalog } from './auth.js';
import { usersCatalog } from './users.js';
import { securityCatalog } from './security.js';
import { systemCatalog } from './system.js';
import { wizardFieldCatalog } from './wizard-field.js';
import { engineCatalog } from './engine.js';
import { appsCatalog } from './apps.js';
import { rolloutsCatalog } from './rollouts.js';
import { energyCatalog } from './energy.js';
import { firmwareCatalog } from './firmware.js';
import { firmwareRepositoryCatalog } from './firmware-repository.js';

/** Every feature catalog; a new feature adds its file here. */
export const FEATURE_CATALOGS: readonly FeatureCatalog[] = [wiringCatalog, desktopCatalog, authCatalog, usersCatalog, securityCatalog, systemCatalog, wizardFieldCatalog, engineCatalog, appsCatalog, rolloutsCatalog, energyCatalog, firmwareCatalog, firmwareRepositoryCatalog];
