import type { TFunction } from 'i18next';

/** An alarm's text in the UI language; the core's English text when the catalog has no such message. */
export function alarmText(t: TFunction, alarm: { message: string; messageKey: string; params: Record<string, string | number> }): string {
  const key = `alarmMessages.${alarm.messageKey}`;
  const text = t(key, alarm.params);
  return text === key ? alarm.message : text;
}

/** A sensor's name in the UI language for the readings EdgeCab names itself; device-given names stay as they are. */
export function sensorName(t: TFunction, sensor: { key: string; label: string }): string {
  const key = `monitor.sensorNames.${sensor.key}`;
  const text = t(key);
  return text === key ? sensor.label : text;
}
