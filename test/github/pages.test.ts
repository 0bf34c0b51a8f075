// The Pages workflow publishes what `npm run build` writes, with the permissions deploy-pages needs, and the site's
// URLs stay relative so it works from https://USER.github.io/REPO/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const workflow = readFileSync(new URL('../../.github/workflows/pages.yml', import.meta.url), 'utf8');
const viteConfig = readFileSync(new URL('../../vite.config.ts', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('GitHub Pages deploy', () => {
  it.each([
    ['checks out the code', /uses: actions\/checkout@v\d/],
    ['uses Node 20', /uses: actions\/setup-node@v\d[\s\S]*node-version: 20/],
    ['installs from the lockfile', /run: npm ci/],
    ['builds the site', /run: npm run build/],
    ['uploads dist as the Pages artifact', /uses: actions\/upload-pages-artifact@v\d[\s\S]*path: dist/],
    ['deploys it', /uses: actions\/deploy-pages@v\d/],
    ['may write Pages', /pages: write/],
    ['may get an OIDC token', /id-token: write/],
    ['runs on pushes to main and by hand', /push:\s*\n\s*branches: \[main\][\s\S]*workflow_dispatch/],
  ])('%s', (_what, pattern) => {
    expect(workflow).toMatch(pattern);
  });

  // Older majors run on Node 20, which GitHub Actions no longer runs; these are the first on Node 24.
  it.each([
    ['actions/checkout', 5],
    ['actions/setup-node', 5],
    ['actions/configure-pages', 6],
    ['actions/upload-pages-artifact', 5],
    ['actions/deploy-pages', 5],
  ])('uses %s at v%i or later', (action, minimum) => {
    const used = [...workflow.matchAll(new RegExp(`uses: ${action}@v(\\d+)`, 'g'))].map((m) => Number(m[1]));
    expect(used.length).toBeGreaterThan(0);
    for (const major of used) expect(major).toBeGreaterThanOrEqual(minimum);
  });

  it('deploys after the build job', () => {
    expect(workflow).toMatch(/deploy:\s*\n\s*needs: build/);
  });

  it('builds with relative asset URLs (vite base "./") into dist', () => {
    expect(viteConfig).toMatch(/base: '\.\/'/);
    expect(viteConfig).not.toMatch(/outDir:/);
    expect(pkg.scripts.build).toMatch(/vite build/);
  });
});
