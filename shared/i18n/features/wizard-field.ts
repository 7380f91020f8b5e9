import { featureCatalog } from './feature-catalog.js';

/** The wizard's texts for securing devices on site: generated SNMPv3 users, certificates trusted before credentials are sent, events pushed to EdgeCab. */
export const wizardFieldCatalog = featureCatalog(
  'wizardField',
  {
    discover: {
      untrustedIntro: 'These BMCs did not open with a factory credential. Your own credential is sent only to a BMC whose certificate you compared and trust:',
      trustToTry: 'I compared it: try my credential on {{endpoint}}',
      tryAgain: 'Search these again with my credential',
    },
    secure: {
      generated: "EdgeCab creates the site's SNMPv3 user on every SNMP device (its keys are generated and kept in EdgeCab's credential store), points the devices' traps and informs at EdgeCab, turns their factory communities off and removes their factory admin user. A device that cannot be secured this way is listed as a finding.",
      kept: 'The site user "{{user}}" from the last run is kept.',
      useOwn: 'Use an SNMPv3 user of my own instead of a generated one',
    },
    configure: {
      eventsAuto: 'EdgeCab subscribes every BMC to its own event receiver, on the address this computer uses toward that BMC, and SNMP devices already send their traps to EdgeCab (set in step 3).',
      eventsOverride: 'EdgeCab as the cabinet sees it (optional)',
      eventsOverrideHint: 'Only when the cabinet reaches EdgeCab another way (NAT): https://address:port',
    },
  },
  {
    discover: {
      untrustedIntro: '以下 BMC 无法用出厂凭据登录。只有在您核对并信任其证书之后，才会向其发送您提供的凭据：',
      trustToTry: '已核对：在 {{endpoint}} 上尝试我的凭据',
      tryAgain: '用我的凭据重新搜索这些设备',
    },
    secure: {
      generated: 'EdgeCab 会在每台 SNMP 设备上创建站点的 SNMPv3 用户（密钥自动生成并保存在 EdgeCab 的凭据库中），将设备的 Trap 和 Inform 指向 EdgeCab，关闭出厂团体名并删除出厂管理用户。无法以此方式加固的设备会列为发现项。',
      kept: '沿用上次运行的站点用户“{{user}}”。',
      useOwn: '使用我自己的 SNMPv3 用户，而不是自动生成的用户',
    },
    configure: {
      eventsAuto: 'EdgeCab 会为每台 BMC 订阅其事件接收器，地址为本机通往该 BMC 所用的地址；SNMP 设备已在第 3 步设置为向 EdgeCab 发送 Trap。',
      eventsOverride: '机柜所见的 EdgeCab 地址（可选）',
      eventsOverrideHint: '仅当机柜通过其他方式（如 NAT）访问 EdgeCab 时填写：https://地址:端口',
    },
  },
);
