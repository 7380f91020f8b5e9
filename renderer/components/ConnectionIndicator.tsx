import { useTranslation } from 'react-i18next';
import { currentTransport } from '../api/client.js';
import { useConnectionState } from '../api/connection.js';
import { useApi } from '../api/context.js';

export function ConnectionIndicator() {
  const { t } = useTranslation();
  const { connection } = useApi();
  const state = useConnectionState(connection);
  return (
    <div className={`connection connection-${state}`} role="status" data-testid="connection" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      <span>{t(`connection.${state}`)}</span>
      <span className="connection-host">· {t(`connection.${currentTransport()}`)}</span>
    </div>
  );
}
