import type { DeviceStatus } from '../../../../shared/domain/cabinet.js';
import type { AlarmSeverity, Condition, SensorKind, SensorState } from '../../../../shared/domain/monitoring.js';
import type { Health } from '../../../../shared/domain/redfish.js';
import { counterRate, upsOnBattery, type SnmpDevice } from '../../../../shared/domain/snmp.js';
import type { RedfishVitals } from '../../protocols/redfish/inventory.js';

/** What one poll made of a device: its state, its readings (valid or not, with why), and the problems it has. */
export interface Observation {
  status: DeviceStatus;
  observedAt: string;
  sensors: Omit<SensorState, 'observedAt'>[];
  /** Sensor keys whose values go into metric history. */
  metricKeys: readonly string[];
  conditions: Condition[];
}

/** Counter values from the previous poll of a device, to turn octet counters into rates. */
export interface CounterMemory {
  at: number;
  uptimeSeconds: number | null;
  counters: Map<string, { value: string; bits: 32 | 64 }>;
}

/** Physically possible ranges: a reading outside is a broken sensor or a bad answer, never an alarm. */
const PLAUSIBLE: Partial<Record<SensorKind, [number, number]>> = {
  temperature: [-40, 125],
  humidity: [0, 100],
  power: [0, 100_000],
  load: [0, 300],
  charge: [0, 100],
  runtime: [0, 100_000],
  voltage: [0, 1000],
  fan: [0, 100_000],
  // An energy counter (kWh): the largest an unsigned 32-bit counter of tenths can show.
  energy: [0, 429_496_730],
};

interface Thresholds {
  warnAbove?: number;
  criticalAbove?: number;
  warnBelow?: number;
}

export const ENVIRONMENT_THRESHOLDS = { temperature: { warnAbove: 32, criticalAbove: 40 }, humidity: { warnBelow: 20, warnAbove: 80 } } as const;

class ObservationBuilder {
  readonly sensors: Observation['sensors'] = [];
  readonly metricKeys: string[] = [];
  readonly conditions: Condition[] = [];

  /** Records a reading; validates it; returns the value when it is valid, else null. */
  reading(key: string, kind: SensorKind, label: string, raw: number | null | undefined, unit: string, options: { metric?: boolean; thresholds?: Thresholds } = {}): number | null {
    let invalidReason: string | null = null;
    let value: number | null = raw ?? null;
    if (raw === null || raw === undefined) {
      invalidReason = 'no reading';
    } else if (!Number.isFinite(raw)) {
      invalidReason = `not a number (${String(raw)})`;
      value = null;
    } else {
      const range = PLAUSIBLE[kind];
      if (range && (raw < range[0] || raw > range[1])) invalidReason = `${raw} ${unit} is outside what a ${kind} sensor can read (${range[0]} to ${range[1]} ${unit})`;
    }
    let state: SensorState['state'] = invalidReason ? 'invalid' : 'ok';
    const thresholds = options.thresholds;
    if (!invalidReason && value !== null && thresholds) {
      if (thresholds.criticalAbove !== undefined && value >= thresholds.criticalAbove) state = 'critical';
      else if ((thresholds.warnAbove !== undefined && value >= thresholds.warnAbove) || (thresholds.warnBelow !== undefined && value <= thresholds.warnBelow)) state = 'warning';
    }
    this.sensors.push({ key, kind, label, value, unit, state, invalidReason });
    if (options.metric && !invalidReason) this.metricKeys.push(key);
    if (state === 'warning' || state === 'critical') {
      const limit = state === 'critical' ? thresholds?.criticalAbove : value! <= (thresholds?.warnBelow ?? -Infinity) ? thresholds?.warnBelow : thresholds?.warnAbove;
      this.condition({
        key: `${kind}:${key}`,
        category: kind === 'temperature' || kind === 'humidity' ? 'thermal' : 'power',
        severity: state === 'critical' ? 'critical' : 'warning',
        message: `${label} reads ${round(value!)} ${unit} (limit ${limit} ${unit})`,
        messageKey: 'thresholdExceeded',
        params: { label, value: round(value!), unit, limit: limit ?? '' },
      });
    }
    return invalidReason ? null : value;
  }

  invalid(key: string, kind: SensorKind, label: string, unit: string, reason: string): void {
    this.sensors.push({ key, kind, label, value: null, unit, state: 'invalid', invalidReason: reason });
  }

  condition(condition: Condition): void {
    this.conditions.push(condition);
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The sum of the lines that were read; null when none was (three-phase power is the sum of its phases). */
function sumOf(values: readonly (number | null)[]): number | null {
  const read = values.filter((value): value is number => value !== null);
  return read.length ? read.reduce((sum, value) => sum + value, 0) : null;
}

function statusFrom(conditions: readonly Condition[]): DeviceStatus {
  if (conditions.some((condition) => condition.severity === 'critical')) return 'critical';
  return conditions.length > 0 ? 'warning' : 'ok';
}

/** Traffic rates from octet counters, wrap-safe; a counter that went back without a restart is recorded as invalid. */
function trafficRates(device: SnmpDevice, memory: CounterMemory | null, at: number, builder: ObservationBuilder): CounterMemory {
  const uptime = device.system.uptimeSeconds ?? null;
  const next: CounterMemory = { at, uptimeSeconds: uptime, counters: new Map() };
  const restarted = memory !== null && uptime !== null && memory.uptimeSeconds !== null && uptime < memory.uptimeSeconds;
  for (const direction of ['in', 'out'] as const) {
    let total = 0;
    let known = false;
    let backwards: string | null = null;
    for (const port of device.interfaces) {
      const value = direction === 'in' ? port.inOctets : port.outOctets;
      if (value === null) continue;
      const bits = port.highCapacity ? 64 : 32;
      next.counters.set(`${direction}:${port.index}`, { value, bits });
      const before = memory?.counters.get(`${direction}:${port.index}`);
      if (!before || restarted || before.bits !== bits) continue;
      const rate = counterRate(before.value, value, (at - memory!.at) / 1000, bits);
      if (rate === null) {
        backwards ??= `port ${port.name ?? port.index}: counter went backwards from ${before.value} to ${value} without a restart`;
        continue;
      }
      total += rate * 8;
      known = true;
    }
    const key = `traffic-${direction}`;
    const label = direction === 'in' ? 'Traffic in' : 'Traffic out';
    if (backwards) builder.invalid(key, `traffic-${direction}`, label, 'bit/s', backwards);
    else if (known) builder.reading(key, `traffic-${direction}`, label, total, 'bit/s', { metric: true });
  }
  return next;
}

/** Turns an SNMP read into an observation. `memory` is the previous poll's counters; the new one is returned with it. */
export function observeSnmp(device: SnmpDevice, memory: CounterMemory | null, at: number): { observation: Observation; memory: CounterMemory } {
  const builder = new ObservationBuilder();
  if (device.kind === 'switch' || device.interfaces.length > 2) {
    for (const port of device.interfaces) {
      if (port.adminStatus === 'up' && (port.operStatus === 'down' || port.operStatus === 'lowerLayerDown')) {
        const number = Number(port.index);
        builder.condition({ key: `port:${port.index}`, category: 'network', severity: 'major', message: `Port ${port.name ?? port.descr ?? port.index} is down`, messageKey: 'portDown', params: { port: port.name ?? port.descr ?? port.index }, ...(Number.isInteger(number) ? { port: number } : {}) });
      }
    }
  }
  const nextMemory = trafficRates(device, memory, at, builder);
  const ups = device.ups;
  if (ups) {
    const charge = builder.reading('battery-charge', 'charge', 'Battery charge', ups.battery.chargePercent, '%', { metric: true });
    builder.reading('battery-runtime', 'runtime', 'Runtime left', ups.battery.minutesRemaining, 'min', { metric: true });
    builder.reading('ups-load', 'load', 'UPS load', ups.outputLines[0]?.loadPercent, '%', { metric: true, thresholds: { warnAbove: 80, criticalAbove: 95 } });
    builder.reading('ups-power', 'power', 'Output power', sumOf(ups.outputLines.map((line) => line.powerW)), 'W', { metric: true });
    const inputPower = sumOf(ups.inputLines.map((line) => line.powerW));
    if (inputPower !== null) builder.reading('ups-input-power', 'power', 'Input power', inputPower, 'W', { metric: true });
    builder.reading('battery-temperature', 'temperature', 'Battery temperature', ups.battery.temperatureC, '°C', { thresholds: { warnAbove: 40, criticalAbove: 50 } });
    if (upsOnBattery(ups)) {
      builder.condition({ key: 'power-source:battery', category: 'power', severity: 'major', message: `UPS is on battery${charge !== null ? ` (${Math.round(charge)}% charge, ${ups.battery.minutesRemaining ?? '?'} min left)` : ''}`, messageKey: 'upsOnBattery', params: { charge: charge === null ? '?' : Math.round(charge), minutes: ups.battery.minutesRemaining ?? '?' } });
    }
    if (ups.battery.status === 'low' || ups.battery.status === 'depleted') {
      builder.condition({ key: 'battery:low', category: 'power', severity: 'critical', message: `UPS battery is ${ups.battery.status}`, messageKey: 'batteryLow', params: { status: ups.battery.status } });
    }
  }
  const pdu = device.pdu;
  if (pdu) {
    builder.reading('pdu-power', 'power', 'PDU power', pdu.powerKw === null ? null : pdu.powerKw * 1000, 'W', { metric: true });
    if (pdu.energyKwh !== null) builder.reading('pdu-energy', 'energy', 'PDU energy', pdu.energyKwh, 'kWh', { metric: true });
    const voltage = builder.reading('input-voltage', 'voltage', 'Input voltage', pdu.phases[0]?.voltageV, 'V');
    if (voltage !== null && (voltage < 198 || voltage > 250)) {
      builder.condition({ key: 'input-voltage', category: 'power', severity: 'minor', message: `PDU input voltage ${round(voltage)} V is outside 198–250 V`, messageKey: 'inputVoltage', params: { volts: round(voltage) } });
    }
    if (pdu.loadState === 'overload') builder.condition({ key: 'load:overload', category: 'power', severity: 'critical', message: 'PDU is overloaded', messageKey: 'pduOverload', params: {} });
    else if (pdu.loadState === 'nearOverload') builder.condition({ key: 'load:near-overload', category: 'power', severity: 'warning', message: 'PDU is near overload', messageKey: 'pduNearOverload', params: {} });
  }
  const env = device.environment;
  if (env) {
    for (const sensor of env.temperatures) {
      builder.reading(`temperature-${sensor.index}`, 'temperature', sensor.name ?? `Temperature ${sensor.index}`, sensor.celsius, '°C', { metric: true, thresholds: ENVIRONMENT_THRESHOLDS.temperature });
    }
    for (const sensor of env.humidities) {
      builder.reading(`humidity-${sensor.index}`, 'humidity', sensor.name ?? `Humidity ${sensor.index}`, sensor.percent, '%', { metric: true, thresholds: ENVIRONMENT_THRESHOLDS.humidity });
    }
    if (env.smoke === 'alarm') builder.condition({ key: 'smoke', category: 'environment', severity: 'critical', message: 'Smoke detected in the cabinet', messageKey: 'smoke', params: {} });
    if (env.waterLeak === 'alarm') builder.condition({ key: 'water', category: 'environment', severity: 'critical', message: 'Water leak detected', messageKey: 'water', params: {} });
    if (env.door === 'alarm') builder.condition({ key: 'door', category: 'environment', severity: 'warning', message: 'Cabinet door is open', messageKey: 'door', params: {} });
  }
  for (const sensor of device.sensors) {
    if (sensor.status === 'nonoperational') builder.condition({ key: `sensor:${sensor.index}`, category: 'health', severity: 'warning', message: `Sensor ${sensor.name ?? sensor.index} is not working`, messageKey: 'sensorBroken', params: { sensor: sensor.name ?? sensor.index } });
  }
  return { observation: finish(builder, device.observedAt), memory: nextMemory };
}

const HEALTH_SEVERITY: Partial<Record<Health, AlarmSeverity>> = { Warning: 'warning', Critical: 'critical' };

/** Turns a Redfish vitals read into an observation: components raise alarms; rollups only set the device state. */
export function observeRedfish(vitals: RedfishVitals): Observation {
  const builder = new ObservationBuilder();
  for (const system of vitals.systems) {
    const severity = HEALTH_SEVERITY[system.status.health];
    if (severity) builder.condition({ key: `health:system:${system.id}`, category: 'health', severity, message: `System ${system.id} health is ${system.status.health}`, messageKey: 'systemHealth', params: { system: system.id, health: system.status.health } });
  }
  for (const chassis of vitals.chassisReadings) {
    for (const fan of chassis.fans) {
      const severity = HEALTH_SEVERITY[fan.status.health];
      const label = fan.name ?? fan.id;
      builder.reading(`fan-${chassis.id}-${fan.id}`, 'fan', label, fan.speed, fan.unit === 'Percent' ? '%' : 'RPM');
      if (severity) builder.condition({ key: `fan:${chassis.id}:${fan.id}`, category: 'thermal', severity: severity === 'critical' ? 'major' : 'warning', message: `Fan ${label} has failed (${fan.status.health})`, messageKey: 'fanFailed', params: { fan: label } });
    }
    for (const psu of chassis.powerSupplies) {
      const severity = HEALTH_SEVERITY[psu.status.health];
      if (severity) builder.condition({ key: `psu:${chassis.id}:${psu.id}`, category: 'power', severity: severity === 'critical' ? 'major' : 'minor', message: `Power supply ${psu.name ?? psu.id} reports ${psu.status.health}`, messageKey: 'psuHealth', params: { psu: psu.name ?? psu.id, health: psu.status.health } });
    }
    chassis.temperatures.forEach((sensor, index) => {
      const limit = sensor.upperCritical ?? undefined;
      const metric = index === 0;
      builder.reading(`temperature-${chassis.id}-${sensor.id}`, 'temperature', sensor.name ?? sensor.id, sensor.value, '°C', { metric, ...(limit !== undefined ? { thresholds: { criticalAbove: limit } } : {}) });
    });
    const power = chassis.powerConsumedWatts;
    const rated = chassis.powerCapacityWatts ?? null;
    const label = `${chassis.name ?? chassis.id} power`;
    // Beyond what the chassis is rated for, or nothing drawn while its system runs: a bad reading, never counted as energy.
    if (power !== null && rated !== null && rated > 0 && power > rated * 1.1) builder.invalid(`power-${chassis.id}`, 'power', label, 'W', `${power} W is above what the chassis is rated for (${rated} W)`);
    else if (power === 0 && vitals.systems.some((system) => system.powerState === 'On')) builder.invalid(`power-${chassis.id}`, 'power', label, 'W', 'reads 0 W while its system is on');
    else builder.reading(`power-${chassis.id}`, 'power', label, power, 'W', { metric: true });
    if (chassis.energyKwh !== undefined && chassis.energyKwh !== null) builder.reading(`energy-${chassis.id}`, 'energy', `${chassis.name ?? chassis.id} energy`, chassis.energyKwh, 'kWh', { metric: true });
  }
  vitals.nics.forEach((nic, index) => {
    if (nic.state === 'Enabled' && nic.linkStatus === 'LinkDown') {
      builder.condition({ key: `nic:${index + 1}`, category: 'network', severity: 'major', message: `Network interface ${nic.id} has no link`, messageKey: 'nicDown', params: { nic: nic.id }, port: index + 1 });
    }
  });
  const observation = finish(builder, vitals.observedAt);
  const rollup = vitals.worst === 'Critical' ? 'critical' : vitals.worst === 'Warning' ? 'warning' : 'ok';
  return { ...observation, status: worseStatus(observation.status, rollup) };
}

function worseStatus(a: DeviceStatus, b: DeviceStatus): DeviceStatus {
  const rank: Record<DeviceStatus, number> = { unknown: 0, ok: 1, warning: 2, critical: 3, unreachable: 4 };
  return rank[a] >= rank[b] ? a : b;
}

function finish(builder: ObservationBuilder, observedAt: string): Observation {
  return { status: statusFrom(builder.conditions), observedAt, sensors: builder.sensors, metricKeys: builder.metricKeys, conditions: builder.conditions };
}
