import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { ComplianceOverview } from '../../../shared/domain/firmware-repository.js';
import { useApi, useLiveEvents } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { FIRMWARE_COLOUR_PARAM, firmwareColouring, type FirmwareColouring } from './firmware-colours.js';

/** Inventory reads come hourly per device; once a minute follows them closely enough. */
const REFRESH_MS = 60_000;

export interface FirmwareMapColouring {
  active: boolean;
  select: () => void;
  colouring: FirmwareColouring | null;
  error: string | null;
}

/** The map's "Firmware compliance" colouring, read when chosen, every REFRESH_MS and when the connection comes back. */
export function useFirmwareColouring(): FirmwareMapColouring {
  const { client } = useApi();
  const [searchParams, setSearchParams] = useSearchParams();
  const active = searchParams.get('colour') === FIRMWARE_COLOUR_PARAM;
  const [overview, setOverview] = useState<ComplianceOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [readAgain, setReadAgain] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'connection.restored') setReadAgain((count) => count + 1);
  });

  useEffect(() => {
    if (!active) return;
    let disposed = false;
    const read = () =>
      client.firmware.compliance().then(
        (answer) => {
          if (disposed) return;
          setOverview(answer);
          setError(null);
        },
        (cause: unknown) => {
          if (!disposed) setError(toUiError(cause).message);
        },
      );
    void read();
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => {
      disposed = true;
      clearInterval(timer);
    };
  }, [client, active, readAgain]);

  const select = useCallback(
    () =>
      setSearchParams(
        (current) => {
          const params = new URLSearchParams(current);
          params.set('colour', FIRMWARE_COLOUR_PARAM);
          return params;
        },
        { replace: true },
      ),
    [setSearchParams],
  );
  const colouring = useMemo(() => (active && overview ? firmwareColouring(overview.sites) : null), [active, overview]);
  return { active, select, colouring, error: active ? error : null };
}
