import { firstMember, patchWithEtag } from './actions.js';
import { RedfishError, type JsonObject, type RedfishClient } from './client.js';

const ROOT = '/redfish/v1';

/** A server's power limit as its BMC declares it: through a Control (ControlType Power) or the legacy Power resource's PowerControl. */
export type PowerLimitState =
  | { supported: true; via: 'Control' | 'PowerControl'; uri: string; limitWatts: number | null; consumedWatts: number | null; capacityWatts: number | null; minWatts: number | null; maxWatts: number | null }
  | { supported: false; reason: string };

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const obj = (value: unknown): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {});
const link = (value: unknown): string | null => (typeof obj(value)['@odata.id'] === 'string' ? (obj(value)['@odata.id'] as string) : null);

/**
 * Reads where and how the server's power is limited. The Control resource
 * (Redfish 2021.2 on) comes first; the legacy PowerControl only where it
 * carries a PowerLimit. A BMC that declares neither does not limit power:
 * that is an answer (supported: false), not a failure.
 */
export async function readPowerLimit(client: RedfishClient): Promise<PowerLimitState> {
  const chassisUri = await firstMember(client, `${ROOT}/Chassis`);
  if (!chassisUri) return { supported: false, reason: 'the BMC lists no chassis' };
  const chassis = await client.get(chassisUri);
  const controls = link(chassis.Controls);
  if (controls) {
    const members = (await client.get(controls)).Members;
    for (const member of Array.isArray(members) ? members : []) {
      const uri = link(member);
      if (!uri) continue;
      const control = await client.get(uri);
      if (control.ControlType !== 'Power') continue;
      const disabled = control.ControlMode === 'Disabled';
      return {
        supported: true,
        via: 'Control',
        uri,
        limitWatts: disabled ? null : num(control.SetPoint),
        consumedWatts: num(obj(control.Sensor).Reading),
        capacityWatts: num(control.AllowableMax),
        minWatts: num(control.AllowableMin) ?? num(control.SettingMin),
        maxWatts: num(control.AllowableMax) ?? num(control.SettingMax),
      };
    }
  }
  const powerUri = link(chassis.Power);
  if (!powerUri) return { supported: false, reason: 'the BMC declares no power limit (no Power control, no PowerControl)' };
  const power = await client.get(powerUri);
  const control = Array.isArray(power.PowerControl) ? obj(power.PowerControl[0]) : null;
  if (!control || !('PowerLimit' in control)) return { supported: false, reason: 'the BMC declares no power limit (its PowerControl has no PowerLimit)' };
  return {
    supported: true,
    via: 'PowerControl',
    uri: powerUri,
    limitWatts: num(obj(control.PowerLimit).LimitInWatts),
    consumedWatts: num(control.PowerConsumedWatts),
    capacityWatts: num(control.PowerCapacityWatts),
    minWatts: null,
    maxWatts: num(control.PowerCapacityWatts),
  };
}

/**
 * Sets (a number of watts) or clears (null) the power limit, then reads it
 * back: the limit is what the BMC shows afterwards, never what was asked.
 * A BMC that does not limit power, or a limit outside what it allows, is
 * refused with the reason before anything is sent.
 */
export async function setPowerLimit(client: RedfishClient, watts: number | null): Promise<Extract<PowerLimitState, { supported: true }>> {
  const state = await readPowerLimit(client);
  if (!state.supported) throw new RedfishError('not_supported', `${client.url}: ${state.reason}`);
  if (watts !== null && ((state.minWatts !== null && watts < state.minWatts) || (state.maxWatts !== null && watts > state.maxWatts))) {
    throw new RedfishError('not_allowed', `${client.url}: ${watts} W is outside what the BMC allows (${state.minWatts ?? 0}–${state.maxWatts ?? '?'} W)`);
  }
  if (state.via === 'Control') await patchWithEtag(client, state.uri, watts === null ? { ControlMode: 'Disabled' } : { ControlMode: 'Automatic', SetPoint: watts });
  else await patchWithEtag(client, state.uri, { PowerControl: [{ PowerLimit: { LimitInWatts: watts, LimitException: 'LogEventOnly' } }] });
  const after = await readPowerLimit(client);
  if (!after.supported || after.limitWatts !== watts) {
    throw new RedfishError('http', `${client.url}: the BMC accepted the power limit but shows ${after.supported ? `${after.limitWatts ?? 'none'}` : 'no limit support'} afterwards, not ${watts ?? 'none'}`);
  }
  return after;
}
