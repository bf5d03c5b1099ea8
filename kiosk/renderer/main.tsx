import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { GenkanKioskApi } from '../common/ui-api.ts';
import { App } from './App.tsx';
import { agentSocketUrl, createWsTransport, electronTransport } from './bridge-ws.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    genkan?: GenkanKioskApi;
  }
}

const transport =
  window.genkan !== undefined
    ? electronTransport(window.genkan)
    : createWsTransport(agentSocketUrl(window.location.href));

// A kiosk, not a document: a long press must not open a menu over the screen.
document.addEventListener('contextmenu', (e) => {
  e.preventDefault();
});

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App transport={transport} />
    </StrictMode>,
  );
}
