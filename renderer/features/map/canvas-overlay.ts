import L from 'leaflet';

/**
 * Sizes a full-map canvas overlay to the map at the screen's pixel density,
 * pins it to the map's top-left corner and clears it; drawing is then in CSS
 * pixels of the map container. Null when the canvas has no 2D context.
 */
export function prepareOverlay(map: L.Map, canvas: HTMLCanvasElement): { context: CanvasRenderingContext2D; size: L.Point; ratio: number } | null {
  const size = map.getSize();
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size.x * ratio;
  canvas.height = size.y * ratio;
  canvas.style.width = `${size.x}px`;
  canvas.style.height = `${size.y}px`;
  L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, size.x, size.y);
  return { context, size, ratio };
}
