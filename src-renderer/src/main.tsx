// Dev only (empty in builds): starts React Refresh from a module, since the CSP blocks the inline preamble.
import '@vitejs/plugin-react/preamble';
import './zod-without-eval';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles/palette.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/panels.css';
import './styles/student.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
