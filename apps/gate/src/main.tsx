/**
 * Start: the camera's decoder (so its WebAssembly loads while the network is there), the app,
 * and the service worker that keeps the app's files for offline starts. index.html carries a
 * plain fallback inside #root.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { startDecoder } from './camera.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

startDecoder();

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    // The terminal works without it; it just cannot start with no network.
    console.warn('the service worker did not register', error);
  });
}
