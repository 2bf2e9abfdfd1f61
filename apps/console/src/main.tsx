/** Start: render the console. index.html carries a plain fallback inside #root. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
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
