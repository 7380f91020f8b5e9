export * from './audit.js';
export * from './events.js';
export * from './region.js';
export * from './site.js';
export * from './validation.js';
