import { APP_ORIGIN, isAppUrl } from '../app-origin.js';

/**
 * Web permissions the app itself uses. Only desktop notifications (the
 * critical-alarm notices of the alarm console), and only for the app's own
 * page; camera, microphone, geolocation, clipboard, HID/USB/serial, screen
 * capture, openExternal… are refused, and so is everything for any other
 * origin.
 */
const GRANTED = new Set(['notifications']);

/** setPermissionRequestHandler: may this page be given this permission? */
export function permissionRequestAllowed(permission: string, requestingUrl: string, isMainFrame: boolean): boolean {
  return GRANTED.has(permission) && isMainFrame && isAppUrl(requestingUrl);
}

/** setPermissionCheckHandler: does this origin hold this permission? (Electron passes an origin here, not a URL.) */
export function permissionCheckAllowed(permission: string, requestingOrigin: string): boolean {
  return GRANTED.has(permission) && requestingOrigin === APP_ORIGIN;
}

/** setDevicePermissionHandler: no HID, USB or serial device is ever handed to the page. */
export function devicePermissionAllowed(): boolean {
  return false;
}
