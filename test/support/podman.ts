/** Tests start their engines the way the lab does: a real `podman system service` of their own, stopped by PID. */
export { startPodman, type PodmanService } from '../../main/lab/podman.js';
