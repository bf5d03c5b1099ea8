import { loadWebApp, type WebBundle } from '../../common/web-bundle.ts';

/** The screen as files a browser loads: index.html, app.js, app.css. */
export type RendererBundle = WebBundle;

/** The kiosk screen (React): as built, or bundled from its sources; see loadWebApp. */
export function loadRenderer(): Promise<RendererBundle> {
  return loadWebApp('kiosk');
}
