import type { PushResult } from '../../../shared/domain/apps.js';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { currentTransport } from '../../api/client.js';
import { csrfToken, sessionEnded } from '../auth/session.js';

/** The connection broke before the server answered. */
export class UploadInterrupted extends Error {
  constructor() {
    super('upload interrupted');
    this.name = 'UploadInterrupted';
  }
}

export type UploadProgress = { phase: 'sending'; sent: number; total: number } | { phase: 'checking' };

/**
 * Uploads a release bundle. In server mode through XMLHttpRequest to the
 * REST route, whose upload events give a real progress bar (fetch has
 * none); on desktop the file goes to the core over its port, where
 * progress is the core's checking.
 */
export function uploadRelease(client: EdgecabClient, file: File, onProgress: (progress: UploadProgress) => void): Promise<PushResult> {
  if (currentTransport() === 'desktop') {
    onProgress({ phase: 'checking' });
    return client.apps.push({ file });
  }
  return new Promise<PushResult>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', new URL('/api/v1/apps/releases', window.location.origin).href);
    const token = csrfToken();
    if (token) request.setRequestHeader('x-edgecab-csrf', token);
    request.upload.onprogress = (event) => onProgress({ phase: 'sending', sent: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.upload.onload = () => onProgress({ phase: 'checking' });
    request.onerror = () => reject(new UploadInterrupted());
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 201 || request.status === 200) return resolve(body as PushResult);
      if (request.status === 401) sessionEnded();
      const problem = (body ?? {}) as { detail?: string; errors?: { message?: string }[] };
      reject(new Error(problem.errors?.[0]?.message ?? problem.detail ?? `HTTP ${request.status}`));
    };
    const form = new FormData();
    form.append('file', file);
    request.send(form);
  });
}
