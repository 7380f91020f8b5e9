import { featureCatalog } from './feature-catalog.js';

/** Firmware: the device page's firmware card (versions per component, what each ran when). */
export const firmwareCatalog = featureCatalog(
  'firmware',
  {
    title: 'Firmware',
    intro: 'What each part of this device runs, as its last inventory read showed it. EdgeCab reads it every hour and on Read now, and keeps what each part ran when.',
    readAt: 'Read {{time}}',
    never: 'No firmware read yet. It is read with the device’s first inventory, within an hour of connecting it, or at once with Read now.',
    component: 'Component',
    version: 'Version',
    since: 'Since',
    source: 'Read from',
    sources: {
      redfish: 'Redfish firmware inventory',
      entity: 'ENTITY-MIB',
      ups: 'UPS-MIB',
      identity: 'Vendor identity',
    },
    names: {
      ups: 'UPS agent',
      device: 'Device',
      software: '{{name}} (software)',
    },
    history: {
      title: 'History',
      hint: 'Each version a component was seen running, from the first read that showed it to the last.',
      from: 'From',
      to: 'Until',
      now: 'now',
    },
  },
  {
    title: '固件',
    intro: '本设备各部件正在运行的固件版本，以最近一次资产读取为准。EdgeCab 每小时以及点击“立即读取”时读取，并保留各部件在什么时间运行过什么版本。',
    readAt: '读取于 {{time}}',
    never: '尚未读取到固件。设备连接后一小时内首次资产读取时读取，或点击“立即读取”马上读取。',
    component: '部件',
    version: '版本',
    since: '起始',
    source: '读取来源',
    sources: {
      redfish: 'Redfish 固件清单',
      entity: 'ENTITY-MIB',
      ups: 'UPS-MIB',
      identity: '厂商标识',
    },
    names: {
      ups: 'UPS 代理',
      device: '设备',
      software: '{{name}}（软件）',
    },
    history: {
      title: '历史',
      hint: '部件运行过的每个版本，从首次读到该版本起，到最后一次读到为止。',
      from: '起',
      to: '止',
      now: '至今',
    },
  },
);
