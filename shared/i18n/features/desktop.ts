import { featureCatalog } from './feature-catalog.js';

/** Texts of the desktop host: the notice that the core process stopped and was restarted. */
export const desktopCatalog = featureCatalog(
  'desktop',
  {
    coreStopped: 'The EdgeCab core stopped. Restarting it…',
    coreRestartedOnce: 'The EdgeCab core stopped and was restarted (1 time).',
    coreRestarted: 'The EdgeCab core stopped and was restarted ({{count}} times).',
    coreRestartedHint: 'An action that was running when it stopped may not have finished: check it before trying again.',
    dismiss: 'Dismiss',
  },
  {
    coreStopped: 'EdgeCab 核心已停止，正在重新启动…',
    coreRestartedOnce: 'EdgeCab 核心曾停止并已重新启动（1 次）。',
    coreRestarted: 'EdgeCab 核心曾停止并已重新启动（{{count}} 次）。',
    coreRestartedHint: '停止时正在执行的操作可能没有完成：请先检查，再重试。',
    dismiss: '关闭',
  },
);
