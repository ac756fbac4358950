import { escapeControls } from './page/format.js';

/** Escape text for HTML element content and quoted attribute values: every shown value is input. */
export function escapeHtml(value: unknown): string {
  // Controls are escaped first: their escapes hold no character that the HTML escapes touch.
  return escapeControls(String(value ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
