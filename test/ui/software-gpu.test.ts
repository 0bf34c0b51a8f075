import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from '../../src/ui/software-gpu.ts';

describe('isSoftwareAdapter', () => {
  it.each([
    { name: 'SwiftShader as headless Chromium reports it, not flagged', gpu: { fallback: false, adapter: { vendor: 'google', architecture: 'swiftshader' } }, expected: true },
    { name: 'flagged fallback adapter', gpu: { fallback: true, adapter: {} }, expected: true },
    { name: 'llvmpipe (Mesa)', gpu: { fallback: false, adapter: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' } }, expected: true },
    { name: 'an NVIDIA GPU', gpu: { fallback: false, adapter: { vendor: 'nvidia', architecture: 'ampere' } }, expected: false },
    { name: 'an Apple GPU', gpu: { fallback: false, adapter: { vendor: 'apple', architecture: 'metal-3' } }, expected: false },
    { name: 'nothing disclosed', gpu: { fallback: false, adapter: {} }, expected: false },
  ])('$name: $expected', ({ gpu, expected }) => {
    expect(isSoftwareAdapter(gpu)).toBe(expected);
  });
});
