import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../src/http/page/render.js';
import { endpointRow, pageInput, status } from './status-page-fixtures.js';

// The endpoint table shows what each server says about its own load, and says so when it says nothing.

function cell(html: string, endpoint: string): string {
  const row = new RegExp(`<tr data-endpoint="${endpoint}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  return /<td class="server-load"[^>]*>[\s\S]*?<\/td>/.exec(row)?.[0] ?? '';
}

describe('status page: server load per endpoint', () => {
  const html = renderStatusPage(
    pageInput({
      status: status({
        endpoints: [
          endpointRow('vllm', { kind: 'vllm', load: { running: 0, waiting: 3, slots: null } }),
          endpointRow('llama', {
            kind: 'llamacpp',
            load: { running: 2, waiting: null, slots: { busy: 2, idle: 2 } },
          }),
          endpointRow('idle', {
            kind: 'llamacpp',
            load: { running: 0, waiting: null, slots: { busy: 0, idle: 4 } },
          }),
          endpointRow('lms', { kind: 'lmstudio', load: null }),
        ],
      }),
    }),
  );

  it('shows running, waiting and slots as reported, and "not reported" rather than idle when unknown', () => {
    expect(html).toContain('<th scope="col">server load</th>');
    expect(cell(html, 'vllm')).toBe(
      '<td class="server-load" data-busy="yes">0 running, 3 waiting</td>',
    );
    expect(cell(html, 'llama')).toBe(
      '<td class="server-load" data-busy="yes">2 running; slots 2 busy / 2 idle</td>',
    );
    expect(cell(html, 'idle')).toBe(
      '<td class="server-load" data-busy="no">0 running; slots 0 busy / 4 idle</td>',
    );
    expect(cell(html, 'lms')).toBe(
      '<td class="server-load"><span class="sub">not reported</span></td>',
    );
  });
});
