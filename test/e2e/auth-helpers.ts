import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { Grant } from '../../shared/domain/access.js';
import { api, apiPost, expect } from './fixtures.js';

/** Only loopback, as the fixture does for its own contexts: the app must work with no network at all. */
const EXTERNAL = /^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/;

/** A browser context of its own (no cookie of the fixture's administrator), loopback only. */
export async function freshContext(browser: Browser, url: string, locale = 'en-US'): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: url, locale, viewport: { width: 1360, height: 820 } });
  await context.route(EXTERNAL, (route) => route.abort());
  return context;
}

/** Fills the sign-in screen and waits for the app's header to name the user. */
export async function signInThroughUi(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(user.name);
}

/** A new context signed in as `user` through the sign-in screen. */
export async function signedInPage(browser: Browser, url: string, user: { name: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await freshContext(browser, url);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in to EdgeCab' })).toBeVisible();
  await signInThroughUi(page, user);
  return { context, page };
}

async function json<T>(response: Response, status: number): Promise<T> {
  const body = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${body}`);
  return JSON.parse(body) as T;
}

export async function createRegion(url: string, name: string): Promise<number> {
  return (await json<{ id: number }>(await apiPost(url, '/regions', { name, parentId: null }), 201)).id;
}

export async function createSite(url: string, site: { name: string; code: string; regionId: number; latitude: number; longitude: number }): Promise<string> {
  return (await json<{ id: string }>(await apiPost(url, '/sites', site), 201)).id;
}

export async function createUser(url: string, name: string, password: string, grants: Grant[]): Promise<string> {
  return (await json<{ id: string }>(await apiPost(url, '/users', { name, displayName: null, password, grants }), 201)).id;
}

/** Moves a site into a region (the lab's sites start in none). */
export async function moveSite(url: string, siteId: string, regionId: number): Promise<void> {
  await json(await api(url, `/sites/${siteId}`, { method: 'PATCH', body: JSON.stringify({ regionId }) }), 200);
}

/** A REST call with someone else's bearer token (the fixture's helpers carry the administrator's). */
export function withToken(url: string, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${url}api/v1${path}`, { ...init, headers });
}
