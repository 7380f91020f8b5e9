/** Whether the app opens on the map (its home), judging by the location hash. */
export function opensOnMap(hash: string): boolean {
  const route = hash.replace(/^#/, '');
  return route === '' || route === '/' || route.startsWith('/map');
}
