import { useMemo, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { HashRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import type { EdgecabClient } from '../../shared/contract/index.js';
import type { LiveConnection } from '../api/connection.js';
import { ApiProvider } from '../api/context.js';
import { ConnectionIndicator } from '../components/ConnectionIndicator.js';
import { CoreRestartBanner } from '../components/CoreRestartBanner.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { AuditPage } from '../features/audit/AuditPage.js';
import { MapPage } from '../features/map/MapPage.js';
import { ProbePage } from '../features/probe/ProbePage.js';
import { RegionsPage } from '../features/regions/RegionsPage.js';
import { DevicePage } from '../features/device/DevicePage.js';
import { SitePage } from '../features/site/SitePage.js';
import { SitesPage } from '../features/sites/SitesPage.js';
import { AlarmConsole } from '../features/alarms/AlarmConsole.js';
import { useCriticalNotifications } from '../features/alarms/notifications.js';
import { LabPage } from '../features/lab/LabPage.js';
import { OfflineBanner } from '../features/monitor/OfflineBanner.js';
import { WizardPage, WizardStart } from '../features/wizard/WizardPage.js';
import { AccessProvider } from '../features/auth/access.js';
import { AccountMenu } from '../features/auth/AccountMenu.js';
import { Allowed, RequireRole, type Needs } from '../features/auth/RequireRole.js';
import { UsersPage } from '../features/users/UsersPage.js';
import { TokensPage } from '../features/tokens/TokensPage.js';
import { IntegrityPage } from '../features/security/IntegrityPage.js';
import { AppsPage } from '../features/apps/AppsPage.js';
import { RolloutsPage } from '../features/rollouts/RolloutsPage.js';
import { EnergyPage } from '../features/energy/EnergyPage.js';
import { FirmwarePage } from '../features/firmware/FirmwarePage.js';

const ADMIN_SOMEWHERE: Needs = { role: 'administrator', where: 'anywhere' };
const ADMIN_EVERYWHERE: Needs = { role: 'administrator', where: 'everywhere' };

/** One entry per feature screen; the navigation grows as features land. `needs`: the role without which the entry is hidden. */
const SCREENS: readonly { path: string; label: string; element: ReactElement; needs?: Needs }[] = [
  { path: '/map', label: 'nav.map', element: <MapPage /> },
  { path: '/alarms', label: 'nav.alarms', element: <AlarmConsole /> },
  { path: '/sites', label: 'nav.sites', element: <SitesPage /> },
  { path: '/wizard', label: 'nav.wizard', element: <WizardStart />, needs: ADMIN_SOMEWHERE },
  { path: '/regions', label: 'nav.regions', element: <RegionsPage /> },
  { path: '/integrity', label: 'security.nav', element: <IntegrityPage /> },
  { path: '/apps', label: 'apps.nav', element: <AppsPage /> },
  { path: '/rollouts', label: 'rollouts.nav', element: <RolloutsPage /> },
  { path: '/energy', label: 'energy.nav', element: <EnergyPage /> },
  { path: '/firmware', label: 'firmwareRepo.nav', element: <FirmwarePage /> },
  { path: '/probe', label: 'nav.probe', element: <ProbePage />, needs: ADMIN_EVERYWHERE },
  { path: '/lab', label: 'nav.lab', element: <LabPage />, needs: ADMIN_EVERYWHERE },
  { path: '/audit', label: 'nav.audit', element: <AuditPage />, needs: ADMIN_EVERYWHERE },
  { path: '/users', label: 'auth.nav.users', element: <UsersPage />, needs: ADMIN_EVERYWHERE },
  { path: '/tokens', label: 'auth.nav.tokens', element: <TokensPage />, needs: { role: 'viewer', where: 'anywhere', user: true } },
];

export function App({ client, connection }: { client: EdgecabClient; connection: LiveConnection }) {
  const { t } = useTranslation();
  const api = useMemo(() => ({ client, connection }), [client, connection]);
  return (
    <ApiProvider value={api}>
      <AccessProvider>
      <HashRouter>
        <div className="shell">
          <header className="shell-header">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true" />
              <span className="brand-name">{t('app.title')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </div>
            <div className="header-tools">
              <ConnectionIndicator />
              <LanguageSwitch />
              <AccountMenu />
            </div>
          </header>
          <nav className="shell-nav" aria-label="main">
            {SCREENS.map((screen) => (
              <Allowed key={screen.path} needs={screen.needs}>
                <NavLink to={screen.path} className={({ isActive }) => (isActive ? 'nav-item active' : 'nav-item')}>
                  {t(screen.label)}
                </NavLink>
              </Allowed>
            ))}
          </nav>
          <main className="shell-main">
            <CoreRestartBanner />
            <OfflineBanner />
            <AlarmNotifications />
            <Routes>
              {SCREENS.map((screen) => (
                <Route key={screen.path} path={screen.path} element={<RequireRole needs={screen.needs}>{screen.element}</RequireRole>} />
              ))}
              <Route path="/sites/:siteId" element={<SitePage />} />
              <Route path="/devices/:deviceId" element={<DevicePage />} />
              <Route path="/wizard/:runId" element={<RequireRole needs={ADMIN_SOMEWHERE}><WizardPage /></RequireRole>} />
              <Route path="*" element={<Navigate to="/map" replace />} />
            </Routes>
          </main>
        </div>
      </HashRouter>
      </AccessProvider>
    </ApiProvider>
  );
}

function AlarmNotifications() {
  useCriticalNotifications();
  return null;
}
