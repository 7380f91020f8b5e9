import type { TFunction } from 'i18next';
import { catalogText } from '../../components/catalog-text.js';

/** An alarm's text in the UI language; the core's English text when the catalog has no such message. */
export function alarmText(t: TFunction, alarm: { message: string; messageKey: string; params: Record<string, string | number> }): string {
  return catalogText(t, `alarmMessages.${alarm.messageKey}`, alarm.params, alarm.message);
}

/** A sensor's name in the UI language for the readings EdgeCab names itself; device-given names stay as they are. */
export function sensorName(t: TFunction, sensor: { key: string; label: string }): string {
  return catalogText(t, `monitor.sensorNames.${sensor.key}`, {}, sensor.label);
}
