// The stylesheets in cascade order: styles.css (tokens, buttons, fields) first, compact.css last (the
// compact view refines the rules before it).
import './styles.css';
import './frame.css';
import './classes.css';
import './rows.css';
import './notices.css';
import './pickup.css';
import './dialog.css';
import './compact.css';
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
