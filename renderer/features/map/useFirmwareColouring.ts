import { useMemo } from 'react';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { useColouringAnswer } from './useColouringAnswer.js';
import { FIRMWARE_COLOUR_PARAM, firmwareColouring, type FirmwareColouring } from './firmware-colours.js';

/** Inventory reads come hourly per device; once a minute follows them closely enough. */
const REFRESH_MS = 60_000;

export interface FirmwareMapColouring {
  active: boolean;
  select: () => void;
  colouring: FirmwareColouring | null;
  error: string | null;
}

const readCompliance = (client: EdgecabClient) => client.firmware.compliance();

/** The map's "Firmware compliance" colouring, read when chosen, every REFRESH_MS and when the connection comes back. */
export function useFirmwareColouring(): FirmwareMapColouring {
  const { active, select, answer, error } = useColouringAnswer(FIRMWARE_COLOUR_PARAM, readCompliance, REFRESH_MS);
  const colouring = useMemo(() => (active && answer ? firmwareColouring(answer.sites) : null), [active, answer]);
  return { active, select, colouring, error };
}
