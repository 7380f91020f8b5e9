import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { EdgecabClient } from '../../shared/contract/index.js';
import type { LiveConnection, LiveEvent } from './connection.js';

export interface ApiContextValue {
  client: EdgecabClient;
  connection: LiveConnection;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ value, children }: { value: ApiContextValue; children: ReactNode }) {
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiProvider');
  return value;
}

/** Calls the handler for every live event; the latest handler is used without resubscribing. */
export function useLiveEvents(handler: (event: LiveEvent) => void): void {
  const { connection } = useApi();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => connection.onEvent((event) => latest.current(event)), [connection]);
}
