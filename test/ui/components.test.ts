// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import ContentWarning from '../../src/ui/components/ContentWarning.svelte';
import ProgressBar from '../../src/ui/components/ProgressBar.svelte';

afterEach(() => cleanup());

describe('ContentWarning', () => {
  const text = 'a <b>rude</b> comment';

  it('blurs a sensitive text until the reader asks to see it, always as text', async () => {
    const { container } = render(ContentWarning, { text, sensitive: true });
    expect(container.querySelector('.blurred')?.textContent).toBe(text);
    expect(container.querySelector('.blurred')?.getAttribute('aria-hidden')).toBe('true');
    expect(container.querySelector('b')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: /Content warning/ }));
    expect(container.querySelector('.blurred')).toBeNull();
    expect(container.querySelector('.plain')?.textContent).toBe(text);
  });

  it.each([
    [false, false, false],
    [true, true, false],
    [true, false, true],
  ])('sensitive=%s revealAll=%s blurred=%s', (sensitive, revealAll, blurred) => {
    const { container } = render(ContentWarning, { text, sensitive, revealAll });
    expect(container.querySelector('.blurred') !== null).toBe(blurred);
  });
});

describe('ProgressBar', () => {
  it.each([
    [0, 0, '0.0%', 0],
    [60, 240, '25.0%', 60],
    [240, 240, '100.0%', 240],
    [300, 240, '100.0%', 240],
  ])('%i of %i reads %s (aria-valuenow %i)', (value, max, text, now) => {
    render(ProgressBar, { value, max, label: 'Responses stored' });
    const bar = screen.getByRole('progressbar', { name: 'Responses stored' });
    expect(bar.getAttribute('aria-valuenow')).toBe(String(now));
    expect(bar.textContent).toContain(text);
  });
});
