import type { Migration } from '../migrate.js';
import { sitesAndRegions } from './001-sites-and-regions.js';
import { auditLog } from './002-audit-log.js';
import { cabinetsAndDevices } from './003-cabinets-and-devices.js';
import { tilePackages } from './004-tile-packages.js';
import { onlineTileCache } from './005-online-tile-cache.js';
import { pmtilesPackages } from './006-pmtiles.js';
import { monitoring } from './007-monitoring.js';
import { wizard } from './008-wizard.js';
import { sealedSecrets } from './009-sealed-secrets.js';
import { identity } from './010-identity.js';
import { eventSubscriptions } from './011-event-subscriptions.js';
import { coreProblems } from './012-core-problems.js';
import { nodeIdentities } from './013-node-identities.js';
import { integrity } from './014-integrity.js';
import { loginBudget } from './015-login-budget.js';
import { subscriptionDestinations } from './016-subscription-destinations.js';
import { rotationCandidates } from './017-rotation-candidates.js';
import { appRepository } from './018-app-repository.js';
import { engineDevices } from './019-engine-devices.js';
import { outbox } from './020-outbox.js';
import { rollouts } from './021-rollouts.js';
import { rolloutMessages } from './022-rollout-messages.js';
import { parkedCredentials } from './023-parked-credentials.js';
import { appIntegrity } from './024-app-integrity.js';
import { energy } from './025-energy.js';

/** Every schema change, in order. Append only: a released migration never changes. */
export const migrations: readonly Migration[] = [sitesAndRegions, auditLog, cabinetsAndDevices, tilePackages, onlineTileCache, pmtilesPackages, monitoring, wizard, sealedSecrets, identity, eventSubscriptions, coreProblems, nodeIdentities, integrity, loginBudget, subscriptionDestinations, rotationCandidates, appRepository, engineDevices, outbox, rollouts, rolloutMessages, parkedCredentials, appIntegrity, energy];
