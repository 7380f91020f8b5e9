import type { PushResult } from '../../../shared/domain/apps.js';
import type { EdgecabClient } from '../../../shared/contract/index.js';
import { uploadMultipart, type UploadProgress } from '../../api/multipart-upload.js';

export { UploadInterrupted, type UploadProgress } from '../../api/multipart-upload.js';

/** Uploads a release bundle, with progress in server mode. */
export function uploadRelease(client: EdgecabClient, file: File, onProgress: (progress: UploadProgress) => void): Promise<PushResult> {
  return uploadMultipart('/apps/releases', { file }, onProgress, () => client.apps.push({ file }));
}
