import { StrictMode, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { createEdgecabClient, currentTransport } from './api/client.js';
import { LiveConnection } from './api/connection.js';
import { initI18n } from './i18n/index.js';
import { prefetchMapSites } from './features/map/prefetch.js';
import { SetupPage } from './features/auth/SetupPage.js';
import { SignInPage } from './features/auth/SignInPage.js';
import { currentSession, loadSession, onSessionChange } from './features/auth/session.js';
import './app/styles.css';

/** The app with its client and live connection, made when it mounts and stopped when it goes (signing out). */
function ConnectedApp() {
  const client = useMemo(() => createEdgecabClient(), []);
  const connection = useMemo(() => new LiveConnection(client), [client]);
  useEffect(() => {
    prefetchMapSites(client);
    connection.start();
    return () => connection.stop();
  }, [client, connection]);
  return <App client={client} connection={connection} />;
}

function setupTokenInHash(): string | null {
  const match = /^#\/setup\?(.*)$/.exec(window.location.hash);
  return match ? new URLSearchParams(match[1]).get('token') : null;
}

/** Server mode: the app once signed in; the setup or sign-in screen before. */
function ServerRoot() {
  const session = useSyncExternalStore(onSessionChange, currentSession);
  const [setupToken, setSetupToken] = useState(setupTokenInHash);
  const [wasSignedIn, setWasSignedIn] = useState(false);
  useEffect(() => {
    if (session?.signedIn) setWasSignedIn(true);
  }, [session?.signedIn]);
  if (session?.signedIn) return <ConnectedApp key={session.user?.id ?? 'user'} />;
  if (setupToken && (session?.setupRequired ?? true)) {
    return (
      <SetupPage
        token={setupToken}
        onDone={() => {
          setSetupToken(null);
          window.location.hash = '#/map';
        }}
      />
    );
  }
  return <SignInPage ended={wasSignedIn} setupRequired={session?.setupRequired ?? false} />;
}

async function boot(): Promise<void> {
  const server = currentTransport() === 'server';
  // The session is asked for first: the app's own requests need its CSRF token.
  const session = server ? loadSession().catch(() => null) : null;
  await initI18n();
  await session;
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root element');
  createRoot(root).render(<StrictMode>{server ? <ServerRoot /> : <ConnectedApp />}</StrictMode>);
}

void boot();
