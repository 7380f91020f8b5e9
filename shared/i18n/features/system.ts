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
        monitor_schedule: 'Planning polls',
        monitor_requests: 'Starting the polls asked for',
        outbox_retry: 'Retrying queued remote actions',
        rollouts_advance: 'Advancing rollouts',
        apps_drift: 'Looking at deployed apps',
        energy_rollup: 'Counting energy per hour',
        energy_emergency: 'Capping servers while a UPS is on battery',
        energy_tariff: 'Reading a region\'s tariff',
        process_uncaughtException: 'An error nothing caught',
        process_unhandledRejection: 'A failed task nobody waited for',
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
        monitor_schedule: '安排轮询',
        monitor_requests: '启动请求的轮询',
        outbox_retry: '重试排队的远程操作',
        rollouts_advance: '推进批量部署',
        apps_drift: '检查已部署的应用',
        energy_rollup: '按小时统计电能',
        energy_emergency: 'UPS 电池供电时限制服务器功率',
        energy_tariff: '读取区域的电价',
        process_uncaughtException: '未被捕获的错误',
        process_unhandledRejection: '无人等待的失败任务',
      },
    },
  },
);
