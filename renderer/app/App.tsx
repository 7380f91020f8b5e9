import { useMemo } from 'react';
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

/** One entry per feature screen; the navigation grows as features land. */
const SCREENS = [
  { path: '/map', label: 'nav.map', element: <MapPage /> },
  { path: '/alarms', label: 'nav.alarms', element: <AlarmConsole /> },
  { path: '/sites', label: 'nav.sites', element: <SitesPage /> },
  { path: '/wizard', label: 'nav.wizard', element: <WizardStart /> },
  { path: '/regions', label: 'nav.regions', element: <RegionsPage /> },
  { path: '/probe', label: 'nav.probe', element: <ProbePage /> },
  { path: '/lab', label: 'nav.lab', element: <LabPage /> },
  { path: '/audit', label: 'nav.audit', element: <AuditPage /> },
] as const;

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
              <NavLink key={screen.path} to={screen.path} className={({ isActive }) => (isActive ? 'nav-item active' : 'nav-item')}>
                {t(screen.label)}
              </NavLink>
            ))}
          </nav>
          <main className="shell-main">
            <CoreRestartBanner />
            <OfflineBanner />
            <AlarmNotifications />
            <Routes>
              {SCREENS.map((screen) => (
                <Route key={screen.path} path={screen.path} element={screen.element} />
              ))}
              <Route path="/sites/:siteId" element={<SitePage />} />
              <Route path="/devices/:deviceId" element={<DevicePage />} />
              <Route path="/wizard/:runId" element={<WizardPage />} />
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
