import { currentTransport } from './client.js';
import { csrfToken, sessionEnded } from '../features/auth/session.js';

/** The connection broke before the server answered. */
export class UploadInterrupted extends Error {
  constructor() {
    super('upload interrupted');
    this.name = 'UploadInterrupted';
  }
}

export type UploadProgress = { phase: 'sending'; sent: number; total: number } | { phase: 'checking' };

/**
 * Uploads files to a REST route that takes multipart. In server mode
 * through XMLHttpRequest, whose upload events give a real progress bar
 * (fetch has none); on desktop the files go to the core over its port
 * (`desktop`), where progress is the core's checking.
 */
export function uploadMultipart<T>(restPath: string, files: Record<string, File>, onProgress: (progress: UploadProgress) => void, desktop: () => Promise<T>): Promise<T> {
  if (currentTransport() === 'desktop') {
    onProgress({ phase: 'checking' });
    return desktop();
  }
  const total = Object.values(files).reduce((sum, file) => sum + file.size, 0);
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', new URL(`/api/v1${restPath}`, window.location.origin).href);
    const token = csrfToken();
    if (token) request.setRequestHeader('x-edgecab-csrf', token);
    request.upload.onprogress = (event) => onProgress({ phase: 'sending', sent: event.loaded, total: event.lengthComputable ? event.total : total });
    request.upload.onload = () => onProgress({ phase: 'checking' });
    request.onerror = () => reject(new UploadInterrupted());
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 201 || request.status === 200) return resolve(body as T);
      if (request.status === 401) sessionEnded();
      const problem = (body ?? {}) as { detail?: string; errors?: { message?: string }[] };
      reject(new Error(problem.errors?.[0]?.message ?? problem.detail ?? `HTTP ${request.status}`));
    };
    const form = new FormData();
    for (const [name, file] of Object.entries(files)) form.append(name, file);
    request.send(form);
  });
}
