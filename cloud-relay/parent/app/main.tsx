import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// Installable: the service worker keeps the app shell (never an API answer) for a phone that is offline.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/parent/sw.js', { scope: '/parent/' }).catch(() => {
    // No worker (a private window, an old browser): the app works the same, online.
  });
}
