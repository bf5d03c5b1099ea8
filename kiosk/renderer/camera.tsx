import { useEffect, useRef, useState } from 'react';
import { QrFrameDeduper, decodeQr, rgbaToLuminance } from '../../hardware/qr-decode.ts';
import { UI_TEST_IDS, type GenkanKioskApi } from '../common/ui-api.ts';
import type { Messages } from './messages.ts';

/** One decode attempt per this many ms: quick enough for a pass held up briefly, light on the CPU. */
const SCAN_INTERVAL_MS = 120;
/** After a camera failure (unplugged, busy), try again this often. */
const RETRY_MS = 15_000;

type CameraState = 'starting' | 'on' | 'failed';

function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/**
 * The camera QR scanner and its small live preview. It stays mounted (and scanning) while a result
 * shows, since the next parent may already hold up a code; `hidden` only hides the preview.
 */
export function CameraView({
  api,
  connected,
  hidden,
  large = false,
  m,
}: {
  api: GenkanKioskApi;
  /** The agent is reachable: (re)tell it the camera state, e.g. after it restarted. */
  connected: boolean;
  hidden: boolean;
  /** The big preview of the pairing screen, instead of the small one in the corner. */
  large?: boolean;
  m: Messages;
}) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>('starting');

  useEffect(() => {
    const video = videoRef.current;
    let stopped = false;
    // A function, not the variable: TypeScript would narrow it to false across the awaits below.
    const isStopped = (): boolean => stopped;
    let stream: MediaStream | null = null;
    let scanTimer: number | undefined;
    let retryTimer: number | undefined;
    let context: OffscreenCanvasRenderingContext2D | null = null;
    const deduper = new QrFrameDeduper();

    const scan = (): void => {
      // A hidden kiosk page (screen off, another tab) spends no CPU on frames nobody holds a code to.
      if (video === null || document.hidden || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (width === 0 || height === 0) return;
      if (context?.canvas.width !== width || context.canvas.height !== height) {
        context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
        if (context === null) return;
      }
      context.drawImage(video, 0, 0, width, height);
      const image = context.getImageData(0, 0, width, height);
      const payload = decodeQr(rgbaToLuminance(image.data, width, height), width, height);
      const scanned = deduper.push(payload, performance.now());
      // The payload is a credential: sent to the agent, never logged here.
      if (scanned !== undefined) void api.submitQr(scanned);
    };

    const fail = (): void => {
      stopStream(stream);
      stream = null;
      window.clearInterval(scanTimer);
      setState('failed');
      retryTimer = window.setTimeout(() => {
        void start();
      }, RETRY_MS);
    };

    const start = async (): Promise<void> => {
      try {
        const media = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
          audio: false,
        });
        if (isStopped()) {
          stopStream(media);
          return;
        }
        stream = media;
        for (const track of media.getVideoTracks()) track.addEventListener('ended', fail, { once: true });
        if (video !== null) {
          video.srcObject = media;
          await video.play();
        }
        if (isStopped()) return;
        deduper.reset();
        setState('on');
        scanTimer = window.setInterval(scan, SCAN_INTERVAL_MS);
      } catch {
        if (!isStopped()) fail();
      }
    };

    void start();
    return () => {
      stopped = true;
      window.clearInterval(scanTimer);
      window.clearTimeout(retryTimer);
      stopStream(stream);
      if (video !== null) video.srcObject = null;
      // A failed report changes nothing on screen: nothing to handle.
      void api.cameraStatus('off');
    };
  }, [api]);

  useEffect(() => {
    if (connected && state !== 'starting') void api.cameraStatus(state);
  }, [api, connected, state]);

  return (
    <div
      className={`camera${large ? ' camera--large' : ''}${hidden ? ' camera--hidden' : ''}${state === 'failed' ? ' camera--failed' : ''}`}
      data-testid={UI_TEST_IDS.cameraView}
      data-camera={state}
      aria-hidden={hidden}
    >
      <video ref={videoRef} className="camera__video" muted playsInline autoPlay />
      <span className="camera__label">{state === 'failed' ? m.cameraFailed : m.camera}</span>
    </div>
  );
}
