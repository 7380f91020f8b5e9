import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { createEdgecabClient } from './api/client.js';
import { LiveConnection } from './api/connection.js';
import { initI18n } from './i18n/index.js';
import { prefetchMapSites } from './features/map/prefetch.js';
import './app/styles.css';

async function boot(): Promise<void> {
  const client = createEdgecabClient();
  prefetchMapSites(client);
  await initI18n();
  const connection = new LiveConnection(client);
  connection.start();
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root element');
  createRoot(root).render(
    <StrictMode>
      <App client={client} connection={connection} />
    </StrictMode>,
  );
}

void boot();
