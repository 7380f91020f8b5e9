import { createHash } from 'node:crypto';
import snmp from 'net-snmp';
import { LabSnmpAgent, type LabAgentOptions, type LabScalar, type LabTable, type LabValue } from './agent.js';

const T = snmp.ObjectType;

/** Deterministic pseudo-random numbers, so a seeded lab behaves the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LabDeviceOptions extends LabAgentOptions {
  name: string;
  seed?: number;
}

function systemScalars(descr: string, objectId: string, name: string, services: number): LabScalar[] {
  return [
    { name: 'sysDescr', oid: '1.3.6.1.2.1.1.1.0', type: T.OctetString, value: descr },
    { name: 'sysObjectID', oid: '1.3.6.1.2.1.1.2.0', type: T.OID, value: objectId },
    { name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3.0', type: T.TimeTicks, value: 0 },
    { name: 'sysContact', oid: '1.3.6.1.2.1.1.4.0', type: T.OctetString, value: 'branch-it@example.invalid' },
    { name: 'sysName', oid: '1.3.6.1.2.1.1.5.0', type: T.OctetString, value: name },
    { name: 'sysLocation', oid: '1.3.6.1.2.1.1.6.0', type: T.OctetString, value: 'EdgeCab lab cabinet' },
    { name: 'sysServices', oid: '1.3.6.1.2.1.1.7.0', type: T.Integer, value: services },
  ];
}

const IF_COLUMNS = [
  { number: 1, name: 'ifIndex', type: T.Integer },
  { number: 2, name: 'ifDescr', type: T.OctetString },
  { number: 3, name: 'ifType', type: T.Integer },
  { number: 4, name: 'ifMtu', type: T.Integer },
  { number: 5, name: 'ifSpeed', type: T.Gauge },
  { number: 6, name: 'ifPhysAddress', type: T.OctetString },
  { number: 7, name: 'ifAdminStatus', type: T.Integer },
  { number: 8, name: 'ifOperStatus', type: T.Integer },
  { number: 9, name: 'ifLastChange', type: T.TimeTicks },
  { number: 10, name: 'ifInOctets', type: T.Counter },
  { number: 13, name: 'ifInDiscards', type: T.Counter },
  { number: 14, name: 'ifInErrors', type: T.Counter },
  { number: 16, name: 'ifOutOctets', type: T.Counter },
  { number: 19, name: 'ifOutDiscards', type: T.Counter },
  { number: 20, name: 'ifOutErrors', type: T.Counter },
];
const IFX_COLUMNS = [
  { number: 1, name: 'ifName', type: T.OctetString },
  { number: 6, name: 'ifHCInOctets', type: T.Counter64 },
  { number: 10, name: 'ifHCOutOctets', type: T.Counter64 },
  { number: 15, name: 'ifHighSpeed', type: T.Gauge },
  { number: 18, name: 'ifAlias', type: T.OctetString },
];

/** Shared by every lab device: an agent, an uptime clock, and a seeded random source. */
abstract class LabDevice {
  readonly agent: LabSnmpAgent;
  protected readonly random: () => number;
  private readonly startedAt = Date.now();

  constructor(readonly options: LabDeviceOptions) {
    this.agent = new LabSnmpAgent(options);
    // Without a seed, the port (or, for a free port picked at start, the name) keeps devices apart.
    this.random = seededRandom(options.seed ?? (options.port || createHash('sha256').update(options.name).digest().readUInt32BE(0)));
  }

  get port(): number {
    return this.agent.port;
  }

  protected uptimeTicks(): number {
    return Math.floor((Date.now() - this.startedAt) / 10);
  }

  protected abstract scalars(): LabScalar[];
  protected abstract tables(): LabTable[];

  async start(): Promise<this> {
    await this.agent.start(this.scalars(), this.tables());
    return this;
  }

  /** Moves the readings on by `seconds`, plausibly. */
  tick(_seconds: number): void {
    this.agent.setScalar('sysUpTime', T.TimeTicks, this.uptimeTicks());
  }

  stop(): Promise<void> {
    return this.agent.stop();
  }
}

interface PortState {
  up: boolean;
  inOctets: bigint;
  outOctets: bigint;
  lastChange: number;
  utilization: number;
}

/** A 1 GbE access switch: IF-MIB ports whose traffic counters move, BRIDGE-MIB port count, linkDown/linkUp traps. */
export class LabSwitch extends LabDevice {
  private readonly ports: PortState[];

  constructor(options: LabDeviceOptions & { portCount?: number }) {
    super(options);
    this.ports = Array.from({ length: options.portCount ?? 24 }, () => ({
      up: true,
      inOctets: BigInt(Math.floor(this.random() * 1e9)),
      outOctets: BigInt(Math.floor(this.random() * 1e9)),
      lastChange: 0,
      utilization: 0.02 + this.random() * 0.2,
    }));
  }

  protected scalars(): LabScalar[] {
    return [
      ...systemScalars(`EdgeCab lab switch, ${this.ports.length} x 1GbE`, '1.3.6.1.4.1.8072.3.2.10', this.options.name, 2),
      { name: 'ifNumber', oid: '1.3.6.1.2.1.2.1.0', type: T.Integer, value: this.ports.length },
      { name: 'dot1dBaseNumPorts', oid: '1.3.6.1.2.1.17.1.2.0', type: T.Integer, value: this.ports.length },
    ];
  }

  protected tables(): LabTable[] {
    // Locally administered MACs, told apart by the device's name (its port may be a free one picked at start).
    const id = createHash('sha256').update(this.options.name).digest();
    const mac = (index: number) => Buffer.from([0x02, 0xec, 0xab, id[0]!, id[1]!, index]);
    return [
      {
        name: 'ifTable',
        entry: '1.3.6.1.2.1.2.2.1',
        columns: IF_COLUMNS,
        rows: this.ports.map((port, position) => {
          const index = position + 1;
          return [index, `GigabitEthernet0/0/${index}`, 6, 1500, 1_000_000_000, mac(index), 1, port.up ? 1 : 2, 0, port.inOctets, 0, 0, port.outOctets, 0, 0];
        }),
      },
      {
        name: 'ifXTable',
        entry: '1.3.6.1.2.1.31.1.1.1',
        columns: IFX_COLUMNS,
        augments: 'ifTable',
        rows: this.ports.map((port, position) => [position + 1, `GE0/0/${position + 1}`, port.inOctets, port.outOctets, 1000, position === 0 ? 'uplink to WAN' : '']),
      },
    ];
  }

  override tick(seconds: number): void {
    super.tick(seconds);
    this.ports.forEach((port, position) => {
      if (!port.up) return;
      const index = position + 1;
      const bytes = (rate: number) => BigInt(Math.floor((1e9 / 8) * rate * seconds * (0.8 + this.random() * 0.4)));
      port.inOctets += bytes(port.utilization);
      port.outOctets += bytes(port.utilization * 0.7);
      this.agent.setCell('ifTable', 10, index, port.inOctets);
      this.agent.setCell('ifTable', 16, index, port.outOctets);
      this.agent.setCell('ifXTable', 6, index, port.inOctets);
      this.agent.setCell('ifXTable', 10, index, port.outOctets);
    });
  }

  /** A port goes down or comes back: ifOperStatus changes and linkDown/linkUp is sent. */
  async setLink(index: number, up: boolean): Promise<void> {
    const port = this.ports[index - 1];
    if (!port) throw new Error(`lab switch has no port ${index}`);
    port.up = up;
    port.lastChange = this.uptimeTicks();
    this.agent.setCell('ifTable', 8, index, up ? 1 : 2);
    this.agent.setCell('ifTable', 9, index, port.lastChange);
    await this.agent.trap(up ? '1.3.6.1.6.3.1.1.5.4' : '1.3.6.1.6.3.1.1.5.3', [
      { oid: `1.3.6.1.2.1.2.2.1.1.${index}`, type: T.Integer, value: index },
      { oid: `1.3.6.1.2.1.2.2.1.7.${index}`, type: T.Integer, value: 1 },
      { oid: `1.3.6.1.2.1.2.2.1.8.${index}`, type: T.Integer, value: up ? 1 : 2 },
      { oid: `1.3.6.1.2.1.2.2.1.2.${index}`, type: T.OctetString, value: `GigabitEthernet0/0/${index}` },
    ]);
  }
}

const UPS_ON_BATTERY_ALARM = '1.3.6.1.2.1.33.1.6.3.2';

/** An online UPS (UPS-MIB): on mains or on battery, draining while on battery, with alarm rows and traps. */
/** The lab UPS's rating and efficiency (a 10 kVA online unit, as a 42U edge cabinet with two PDUs needs). */
const UPS_RATED_WATTS = 10_000;
const UPS_EFFICIENCY = 0.94;

export class LabUps extends LabDevice {
  private onBattery = false;
  /** What the cabinet draws through it; 1,650 W until the fleet says otherwise. */
  private loadWatts = 1650;
  private secondsOnBattery = 0;
  private charge = 100;
  private nextAlarmId = 1;
  private onBatteryAlarmId: number | null = null;

  protected scalars(): LabScalar[] {
    return [
      ...systemScalars('EdgeCab lab UPS 3 kVA', '1.3.6.1.2.1.33', this.options.name, 72),
      { name: 'upsIdentManufacturer', oid: '1.3.6.1.2.1.33.1.1.1.0', type: T.OctetString, value: 'EdgeCab Lab' },
      { name: 'upsIdentModel', oid: '1.3.6.1.2.1.33.1.1.2.0', type: T.OctetString, value: 'LAB-UPS-3K' },
      { name: 'upsIdentUPSSoftwareVersion', oid: '1.3.6.1.2.1.33.1.1.3.0', type: T.OctetString, value: '1.4.2' },
      { name: 'upsBatteryStatus', oid: '1.3.6.1.2.1.33.1.2.1.0', type: T.Integer, value: 2 },
      { name: 'upsSecondsOnBattery', oid: '1.3.6.1.2.1.33.1.2.2.0', type: T.Integer, value: 0 },
      { name: 'upsEstimatedMinutesRemaining', oid: '1.3.6.1.2.1.33.1.2.3.0', type: T.Integer, value: 45 },
      { name: 'upsEstimatedChargeRemaining', oid: '1.3.6.1.2.1.33.1.2.4.0', type: T.Integer, value: 100 },
      { name: 'upsBatteryVoltage', oid: '1.3.6.1.2.1.33.1.2.5.0', type: T.Integer, value: 545 },
      { name: 'upsBatteryCurrent', oid: '1.3.6.1.2.1.33.1.2.6.0', type: T.Integer, value: 0 },
      { name: 'upsBatteryTemperature', oid: '1.3.6.1.2.1.33.1.2.7.0', type: T.Integer, value: 26 },
      { name: 'upsInputNumLines', oid: '1.3.6.1.2.1.33.1.3.2.0', type: T.Integer, value: 1 },
      { name: 'upsOutputSource', oid: '1.3.6.1.2.1.33.1.4.1.0', type: T.Integer, value: 3 },
      { name: 'upsOutputFrequency', oid: '1.3.6.1.2.1.33.1.4.2.0', type: T.Integer, value: 500 },
      { name: 'upsOutputNumLines', oid: '1.3.6.1.2.1.33.1.4.3.0', type: T.Integer, value: 1 },
      { name: 'upsBypassFrequency', oid: '1.3.6.1.2.1.33.1.5.1.0', type: T.Integer, value: 500 },
      { name: 'upsBypassNumLines', oid: '1.3.6.1.2.1.33.1.5.2.0', type: T.Integer, value: 1 },
      { name: 'upsAlarmsPresent', oid: '1.3.6.1.2.1.33.1.6.1.0', type: T.Gauge, value: 0 },
    ];
  }

  protected tables(): LabTable[] {
    return [
      {
        name: 'upsInputTable',
        entry: '1.3.6.1.2.1.33.1.3.3.1',
        columns: [
          { number: 1, name: 'upsInputLineIndex', type: T.Integer },
          { number: 2, name: 'upsInputFrequency', type: T.Integer },
          { number: 3, name: 'upsInputVoltage', type: T.Integer },
          { number: 4, name: 'upsInputCurrent', type: T.Integer },
          { number: 5, name: 'upsInputTruePower', type: T.Integer },
        ],
        rows: [[1, 500, 220, 82, 1700]],
      },
      {
        name: 'upsOutputTable',
        entry: '1.3.6.1.2.1.33.1.4.4.1',
        columns: [
          { number: 1, name: 'upsOutputLineIndex', type: T.Integer },
          { number: 2, name: 'upsOutputVoltage', type: T.Integer },
          { number: 3, name: 'upsOutputCurrent', type: T.Integer },
          { number: 4, name: 'upsOutputPower', type: T.Integer },
          { number: 5, name: 'upsOutputPercentLoad', type: T.Integer },
        ],
        rows: [[1, 220, 77, 1650, 55]],
      },
      {
        name: 'upsBypassTable',
        entry: '1.3.6.1.2.1.33.1.5.3.1',
        columns: [
          { number: 1, name: 'upsBypassLineIndex', type: T.Integer },
          { number: 2, name: 'upsBypassVoltage', type: T.Integer },
          { number: 3, name: 'upsBypassCurrent', type: T.Integer },
          { number: 4, name: 'upsBypassPower', type: T.Integer },
        ],
        rows: [[1, 221, 0, 0]],
      },
      {
        name: 'upsAlarmTable',
        entry: '1.3.6.1.2.1.33.1.6.2.1',
        columns: [
          { number: 1, name: 'upsAlarmId', type: T.Integer },
          { number: 2, name: 'upsAlarmDescr', type: T.OID },
          { number: 3, name: 'upsAlarmTime', type: T.TimeTicks },
        ],
        rows: [],
      },
    ];
  }

  override tick(seconds: number): void {
    super.tick(seconds);
    if (!this.onBattery) return;
    this.secondsOnBattery += seconds;
    this.charge = Math.max(0, this.charge - seconds / 27);
    this.agent.setScalar('upsSecondsOnBattery', T.Integer, Math.round(this.secondsOnBattery));
    this.agent.setScalar('upsEstimatedChargeRemaining', T.Integer, Math.round(this.charge));
    this.agent.setScalar('upsEstimatedMinutesRemaining', T.Integer, Math.round((this.charge / 100) * 45));
    this.agent.setScalar('upsBatteryStatus', T.Integer, this.charge < 20 ? 3 : 2);
  }

  /**
   * The cabinet's load on the UPS (W): output power, current and percent
   * load follow it, and the input power with the UPS's own losses (about
   * 6 %), nothing while on battery.
   */
  setLoad(watts: number): void {
    this.loadWatts = Math.max(0, Math.round(watts));
    this.publishLoad();
  }

  private publishLoad(): void {
    const watts = this.loadWatts;
    this.agent.setCell('upsOutputTable', 3, 1, Math.round((watts / 220) * 10));
    this.agent.setCell('upsOutputTable', 4, 1, watts);
    this.agent.setCell('upsOutputTable', 5, 1, Math.min(150, Math.round((watts / UPS_RATED_WATTS) * 100)));
    const input = this.onBattery ? 0 : Math.round(watts / UPS_EFFICIENCY);
    this.agent.setCell('upsInputTable', 4, 1, Math.round((input / 220) * 10));
    this.agent.setCell('upsInputTable', 5, 1, input);
  }

  /** Mains fails or returns: output source, battery readings, the onBattery alarm row, and the UPS-MIB traps. */
  async setOnBattery(onBattery: boolean): Promise<void> {
    if (onBattery === this.onBattery) return;
    this.onBattery = onBattery;
    this.agent.setScalar('upsOutputSource', T.Integer, onBattery ? 5 : 3);
    this.agent.setScalar('upsBatteryCurrent', T.Integer, onBattery ? 310 : 0);
    this.agent.setCell('upsInputTable', 3, 1, onBattery ? 0 : 220);
    // On battery nothing comes in; back on mains, the load and the UPS's losses do.
    const input = onBattery ? 0 : Math.round(this.loadWatts / UPS_EFFICIENCY);
    this.agent.setCell('upsInputTable', 4, 1, Math.round((input / 220) * 10));
    this.agent.setCell('upsInputTable', 5, 1, input);
    if (!onBattery) {
      this.secondsOnBattery = 0;
      this.agent.setScalar('upsSecondsOnBattery', T.Integer, 0);
    }
    if (onBattery) {
      const id = this.nextAlarmId++;
      this.onBatteryAlarmId = id;
      this.agent.addRow('upsAlarmTable', [id, UPS_ON_BATTERY_ALARM, this.uptimeTicks()]);
      this.agent.setScalar('upsAlarmsPresent', T.Gauge, 1);
      await this.agent.trap('1.3.6.1.2.1.33.2.1', [
        { oid: '1.3.6.1.2.1.33.1.2.3.0', type: T.Integer, value: Math.round((this.charge / 100) * 45) },
        { oid: '1.3.6.1.2.1.33.1.2.2.0', type: T.Integer, value: 0 },
      ]);
      await this.agent.trap('1.3.6.1.2.1.33.2.3', [
        { oid: `1.3.6.1.2.1.33.1.6.2.1.1.${id}`, type: T.Integer, value: id },
        { oid: `1.3.6.1.2.1.33.1.6.2.1.2.${id}`, type: T.OID, value: UPS_ON_BATTERY_ALARM },
      ]);
    } else if (this.onBatteryAlarmId !== null) {
      const id = this.onBatteryAlarmId;
      this.onBatteryAlarmId = null;
      this.agent.deleteRow('upsAlarmTable', id);
      this.agent.setScalar('upsAlarmsPresent', T.Gauge, 0);
      await this.agent.trap('1.3.6.1.2.1.33.2.4', [
        { oid: `1.3.6.1.2.1.33.1.6.2.1.1.${id}`, type: T.Integer, value: id },
        { oid: `1.3.6.1.2.1.33.1.6.2.1.2.${id}`, type: T.OID, value: UPS_ON_BATTERY_ALARM },
      ]);
    }
  }
}

interface OutletState {
  name: string;
  on: boolean;
  watts: number;
  energyTenthsKwh: number;
}

/** A switched, metered-by-outlet rack PDU modelled on APC's Rack PDU 2G (PowerNet-MIB rPDU2). */
export class LabPdu extends LabDevice {
  private readonly outlets: OutletState[];
  /** What the device counter showed when the lab started, besides its outlets' own counters. */
  private energyBaseTenths = 10_000;

  constructor(options: LabDeviceOptions & { outletNames?: string[] }) {
    super(options);
    const names = options.outletNames ?? Array.from({ length: 8 }, (_, index) => `outlet-${index + 1}`);
    this.outlets = names.map((name) => ({ name, on: true, watts: Math.round(80 + this.random() * 300), energyTenthsKwh: Math.round(this.random() * 5000) }));
  }

  /** What the PDU's outlets draw now (W). */
  totalWatts(): number {
    return this.outlets.reduce((sum, outlet) => sum + (outlet.on ? outlet.watts : 0), 0);
  }

  protected scalars(): LabScalar[] {
    return systemScalars('EdgeCab lab rack PDU, 8 switched metered outlets', '1.3.6.1.4.1.318.1.3.4.6', this.options.name, 72);
  }

  protected tables(): LabTable[] {
    const totalWatts = this.totalWatts();
    return [
      {
        name: 'rPDU2DeviceStatusTable',
        entry: '1.3.6.1.4.1.318.1.1.26.4.3.1',
        columns: [
          { number: 1, name: 'rPDU2DeviceStatusIndex', type: T.Integer },
          { number: 3, name: 'rPDU2DeviceStatusName', type: T.OctetString },
          { number: 4, name: 'rPDU2DeviceStatusLoadState', type: T.Integer },
          { number: 5, name: 'rPDU2DeviceStatusPower', type: T.Integer },
          { number: 9, name: 'rPDU2DeviceStatusEnergy', type: T.Integer },
        ],
        rows: [[1, this.options.name, 2, Math.round(totalWatts / 10), Math.round(this.deviceEnergyTenths())]],
      },
      {
        name: 'rPDU2PhaseStatusTable',
        entry: '1.3.6.1.4.1.318.1.1.26.6.3.1',
        columns: [
          { number: 1, name: 'rPDU2PhaseStatusIndex', type: T.Integer },
          { number: 5, name: 'rPDU2PhaseStatusCurrent', type: T.Integer },
          { number: 6, name: 'rPDU2PhaseStatusVoltage', type: T.Integer },
          { number: 7, name: 'rPDU2PhaseStatusPower', type: T.Integer },
        ],
        rows: [[1, Math.round((totalWatts / 220) * 10), 220, Math.round(totalWatts / 10)]],
      },
      {
        name: 'rPDU2OutletMeteredStatusTable',
        entry: '1.3.6.1.4.1.318.1.1.26.9.4.3.1',
        columns: [
          { number: 1, name: 'rPDU2OutletMeteredStatusIndex', type: T.Integer },
          { number: 3, name: 'rPDU2OutletMeteredStatusName', type: T.OctetString },
          { number: 6, name: 'rPDU2OutletMeteredStatusCurrent', type: T.Integer },
          { number: 7, name: 'rPDU2OutletMeteredStatusPower', type: T.Integer },
          { number: 11, name: 'rPDU2OutletMeteredStatusEnergy', type: T.Integer },
        ],
        // Energy accumulates in fractions of a tenth; the agent's column is an integer (rebuilt on every start, e.g. after link-down).
        rows: this.outlets.map((outlet, position) => [position + 1, outlet.name, Math.round((outlet.watts / 220) * 10), outlet.watts, Math.round(outlet.energyTenthsKwh)]),
      },
      {
        name: 'rPDU2OutletSwitchedStatusTable',
        entry: '1.3.6.1.4.1.318.1.1.26.9.2.3.1',
        columns: [
          { number: 1, name: 'rPDU2OutletSwitchedStatusIndex', type: T.Integer },
          { number: 3, name: 'rPDU2OutletSwitchedStatusName', type: T.OctetString },
          { number: 5, name: 'rPDU2OutletSwitchedStatusState', type: T.Integer },
        ],
        rows: this.outlets.map((outlet, position) => [position + 1, outlet.name, outlet.on ? 2 : 1]),
      },
    ];
  }

  private publishPower(): void {
    const totalWatts = this.totalWatts();
    this.outlets.forEach((outlet, position) => {
      const watts = outlet.on ? outlet.watts : 0;
      this.agent.setCell('rPDU2OutletMeteredStatusTable', 6, position + 1, Math.round((watts / 220) * 10));
      this.agent.setCell('rPDU2OutletMeteredStatusTable', 7, position + 1, watts);
      this.agent.setCell('rPDU2OutletMeteredStatusTable', 11, position + 1, Math.round(outlet.energyTenthsKwh));
    });
    this.agent.setCell('rPDU2DeviceStatusTable', 5, 1, Math.round(totalWatts / 10));
    this.agent.setCell('rPDU2DeviceStatusTable', 9, 1, Math.round(this.deviceEnergyTenths()));
    this.agent.setCell('rPDU2PhaseStatusTable', 5, 1, Math.round((totalWatts / 220) * 10));
    this.agent.setCell('rPDU2PhaseStatusTable', 7, 1, Math.round(totalWatts / 10));
  }

  override tick(seconds: number): void {
    super.tick(seconds);
    for (const outlet of this.outlets) {
      if (!outlet.on) continue;
      outlet.watts = Math.max(20, Math.round(outlet.watts * (0.97 + this.random() * 0.06)));
      outlet.energyTenthsKwh += (outlet.watts * seconds) / 360_000;
    }
    this.publishPower();
  }

  /** The PDU's own energy counter (tenths of kWh): what it had counted before the lab started, and what its outlets drew since. */
  private deviceEnergyTenths(): number {
    return this.energyBaseTenths + this.outlets.reduce((sum, outlet) => sum + outlet.energyTenthsKwh, 0);
  }

  /** Clears the device and outlet energy counters, as a PDU's menu does. */
  resetEnergy(): void {
    this.energyBaseTenths = 0;
    for (const outlet of this.outlets) outlet.energyTenthsKwh = 0;
    this.publishPower();
  }

  /** The input voltage the PDU measures, e.g. a sag while the UPS runs on battery. */
  setInputVoltage(volts: number): void {
    this.agent.setCell('rPDU2PhaseStatusTable', 6, 1, Math.round(volts));
  }

  setOutlet(index: number, on: boolean): void {
    const outlet = this.outlets[index - 1];
    if (!outlet) throw new Error(`lab PDU has no outlet ${index}`);
    outlet.on = on;
    this.agent.setCell('rPDU2OutletSwitchedStatusTable', 5, index, on ? 2 : 1);
    this.publishPower();
  }
}

export type ContactKind = 'door' | 'smoke' | 'water';
const CONTACTS: { kind: ContactKind; name: string }[] = [
  { kind: 'door', name: 'Cabinet door' },
  { kind: 'smoke', name: 'Smoke detector' },
  { kind: 'water', name: 'Water leak rope' },
];

/**
 * An environment monitor modelled on a Geist Watchdog (GEIST-V4-MIB): internal
 * temperature and humidity, and contact-closure inputs for door, smoke and water.
 */
export class LabEnvironmentMonitor extends LabDevice {
  private temperature = 24;
  private humidity = 45;
  private readonly contacts = new Map<ContactKind, boolean>(CONTACTS.map((contact) => [contact.kind, false]));

  protected scalars(): LabScalar[] {
    return systemScalars('EdgeCab lab environment monitor', '1.3.6.1.4.1.21239.42.1.31', this.options.name, 72);
  }

  protected tables(): LabTable[] {
    return [
      {
        name: 'internalTable',
        entry: '1.3.6.1.4.1.21239.5.1.2.1',
        columns: [
          { number: 1, name: 'internalIndex', type: T.Integer },
          { number: 3, name: 'internalName', type: T.OctetString },
          { number: 4, name: 'internalAvail', type: T.Gauge },
          { number: 5, name: 'internalTemp', type: T.Integer },
          { number: 6, name: 'internalHumidity', type: T.Integer },
        ],
        rows: [[1, 'Cabinet air', 1, Math.round(this.temperature * 10), Math.round(this.humidity)]],
      },
      {
        name: 'ccatSensorTable',
        entry: '1.3.6.1.4.1.21239.5.1.7.1',
        columns: [
          { number: 1, name: 'ccatSensorIndex', type: T.Integer },
          { number: 3, name: 'ccatSensorName', type: T.OctetString },
          { number: 4, name: 'ccatSensorAvail', type: T.Gauge },
          { number: 5, name: 'ccatSensorValue', type: T.Integer },
          { number: 6, name: 'ccatSensorType', type: T.OctetString },
        ],
        rows: CONTACTS.map((contact, position) => [position + 1, contact.name, 1, 0, `${contact.kind} contact`]),
      },
    ];
  }

  override tick(seconds: number): void {
    super.tick(seconds);
    // A temperature forced outside the natural band (a fault, a broken sensor) stays as forced until the test or fault sets it back;
    // clamping it here would undo the fault between the forcing and the next poll.
    if (this.temperature >= 15 && this.temperature <= 45) {
      this.temperature = Math.min(45, Math.max(15, this.temperature + (this.random() - 0.5) * 0.2 * Math.sqrt(seconds)));
    }
    this.humidity = Math.min(80, Math.max(20, this.humidity + (this.random() - 0.5) * 0.5 * Math.sqrt(seconds)));
    this.publishClimate();
  }

  private publishClimate(): void {
    this.agent.setCell('internalTable', 5, 1, Math.round(this.temperature * 10));
    this.agent.setCell('internalTable', 6, 1, Math.round(this.humidity));
  }

  /** Forces a temperature, e.g. to put a sensor out of range. */
  setTemperature(celsius: number): void {
    this.temperature = celsius;
    this.publishClimate();
  }

  /** A door opens, smoke or water is detected (or clears); sends an ENTITY-SENSOR threshold notification. */
  async setContact(kind: ContactKind, tripped: boolean): Promise<void> {
    const position = CONTACTS.findIndex((contact) => contact.kind === kind);
    this.contacts.set(kind, tripped);
    this.agent.setCell('ccatSensorTable', 5, position + 1, tripped ? 1 : 0);
    const value: LabValue = tripped ? 1 : 0;
    await this.agent.trap('1.3.6.1.4.1.9.9.91.2.0.1', [
      { oid: `1.3.6.1.4.1.9.9.91.1.1.1.1.4.${position + 1}`, type: T.Integer, value },
      { oid: `1.3.6.1.4.1.21239.5.1.7.1.3.${position + 1}`, type: T.OctetString, value: CONTACTS[position]!.name },
    ]);
  }
}

export type AnyLabDevice = LabSwitch | LabUps | LabPdu | LabEnvironmentMonitor;
