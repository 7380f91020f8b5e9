import { featureCatalog } from './feature-catalog.js';

export const systemCatalog = featureCatalog(
  'system',
  {
    problems: {
      title: 'EdgeCab itself',
      intro: 'Background work of EdgeCab failed. Monitoring goes on; what failed is retried.',
      count: '{{count}} times, last at {{at}}',
      kinds: {
        monitor_writer: 'Writing readings to the database',
        monitor_flush: 'Writing readings to the database',
        monitor_compact: 'Rolling up metric history',
        monitor_targets: 'Reading which devices to monitor',
        monitor_traps: 'The SNMP trap receiver',
      },
    },
  },
  {
    problems: {
      title: 'EdgeCab 自身',
      intro: 'EdgeCab 的后台任务出错。监控仍在继续，出错的任务会自动重试。',
      count: '{{count}} 次，最近一次 {{at}}',
      kinds: {
        monitor_writer: '将读数写入数据库',
        monitor_flush: '将读数写入数据库',
        monitor_compact: '汇总指标历史',
        monitor_targets: '读取需要监控的设备',
        monitor_traps: 'SNMP Trap 接收器',
      },
    },
  },
);
