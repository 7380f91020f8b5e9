import { describe, expect, it } from 'vitest';
import { devicePermissionAllowed, permissionCheckAllowed, permissionRequestAllowed } from '../../../main/electron/security/permissions.js';

/** Electron security checklist 5: handle session permission requests. */
describe('permission requests', () => {
  const everyPermission = [
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'fullscreen',
    'geolocation',
    'idle-detection',
    'media',
    'mediaKeySystem',
    'midi',
    'midiSysex',
    'pointerLock',
    'keyboardLock',
    'openExternal',
    'speaker-selection',
    'storage-access',
    'top-level-storage-access',
    'window-management',
    'unknown',
    'fileSystem',
    'hid',
    'serial',
    'usb',
  ];

  it.each(everyPermission)('deny %s, even to the app itself', (permission) => {
    expect(permissionRequestAllowed(permission, 'app://edgecab/index.html', true)).toBe(false);
    expect(permissionCheckAllowed(permission, 'app://edgecab')).toBe(false);
  });

  it('grant only desktop notifications (critical alarms), only to the app page in its main frame', () => {
    expect(permissionRequestAllowed('notifications', 'app://edgecab/index.html#/alarms', true)).toBe(true);
    expect(permissionCheckAllowed('notifications', 'app://edgecab')).toBe(true);
    expect(permissionRequestAllowed('notifications', 'app://edgecab/index.html', false)).toBe(false);
    expect(permissionRequestAllowed('notifications', 'https://example.com/', true)).toBe(false);
    expect(permissionRequestAllowed('notifications', 'app://edgecab.evil/', true)).toBe(false);
    expect(permissionCheckAllowed('notifications', 'https://example.com')).toBe(false);
    expect(permissionCheckAllowed('notifications', 'null')).toBe(false);
  });

  it('hand no HID, USB or serial device to the page', () => {
    expect(devicePermissionAllowed()).toBe(false);
  });
});
