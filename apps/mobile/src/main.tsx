/**
 * Start: render the app, and register the service worker that keeps the app's files for offline
 * starts (@tessera/web-kit/sw). index.html carries a plain fallback inside #root, so even a script that
 * fails to run leaves a message rather than a blank page.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './install.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// A new version replaced the files a screen wanted to load: reload onto the new version.
window.addEventListener('vite:preloadError', (event) => {
  event.preventDefault();
  location.reload();
});

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    // The app works without it; it just cannot start offline.
    console.warn('the service worker did not register', error);
  });
}
