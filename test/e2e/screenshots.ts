// Takes the screenshots in docs/ from the real app in browser mode: `npx tsx test/e2e/screenshots.ts`.
// Trains a few short runs (the book's learning-rate comparison, shortened) so the charts have curves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultHyperparams } from '../../src/engine/hyperparams';
import { PRESETS } from '../../src/shared/experiments';
import { validateSweepSpec } from '../../src/shared/sweep';
import { openLab } from './lab';

const docs = join(import.meta.dirname, '../../docs');
const strokes = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/strokes.json'), 'utf8')) as Record<string, number[][][]>;

async function main() {
  for (const scheme of ['light', 'dark'] as const) {
    const lab = await openLab({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    const { page, api } = lab;
    if (scheme === 'light') {
      for (const id of ['ch3-eta-0.025', 'ch3-eta-0.25', 'ch3-eta-2.5']) {
        const p = PRESETS.find((x) => x.id === id)!;
        await api.startRun(
          {
            ...p.hyperparams,
            epochs: 12,
            trainSize: 10_000,
            monitor: { evalAccuracy: true, evalCost: false, trainAccuracy: true, trainCost: true, inside: true },
          },
          p.name,
          p.id,
        );
      }
      const long = PRESETS.find((x) => x.id === 'ch3-ce-30')!;
      await api.startRun({ ...long.hyperparams, epochs: 30 }, long.name, long.id);
      // Let the three short runs finish and the long one get going.
      for (let i = 0; i < 240; i++) {
        const runs = await api.listRuns();
        if (runs.filter((r) => r.state === 'finished').length >= 3 && runs.some((r) => r.state === 'running' && r.epochsDone >= 2)) break;
        await page.waitForTimeout(500);
      }
      await page.waitForTimeout(600);
      await page.screenshot({ path: join(docs, 'train.png') });
      const running = (await api.listRuns()).find((r) => r.state === 'running');
      if (running) await api.stopRun(running.id);
    } else {
      await api.startRun(
        {
          ...defaultHyperparams(),
          epochs: 5,
          trainSize: 10_000,
          monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: true, trainCost: true, inside: true },
        },
        'dark mode demo',
      );
      for (let i = 0; i < 120 && !(await api.listRuns()).some((r) => r.state === 'finished'); i++) await page.waitForTimeout(500);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(docs, 'train-dark.png') });
      await lab.close();
      continue;
    }

    await page.getByRole('tab', { name: 'Draw' }).click();
    const pad = page.getByRole('img', { name: 'Drawing pad' });
    const box = (await pad.boundingBox())!;
    const s = (box.width - 4) / 280;
    for (const stroke of strokes['7']) {
      await page.mouse.move(box.x + 2 + stroke[0][0] * s, box.y + 2 + stroke[0][1] * s);
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(box.x + 2 + p[0] * s, box.y + 2 + p[1] * s);
      await page.mouse.up();
    }
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(docs, 'draw.png') });

    await page.getByRole('tab', { name: 'Analyse' }).click();
    await page.getByRole('button', { name: 'Compute' }).click();
    await page.getByText(/accuracy \d+\.\d+% on 10,000 images/).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /images of 4 predicted as 9/ }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(docs, 'analyse.png') });

    // Backpropagation step by step, on a misclassified test image from the gallery above.
    await page
      .getByRole('button', { name: /^Step through backpropagation on image \d+$/ })
      .first()
      .click();
    await page.getByText('Check the gradient').waitFor();
    await page.getByRole('group', { name: 'δ of layer 2' }).locator('rect[data-index="37"]').click();
    await page.getByRole('button', { name: 'Check 20 random parameters' }).click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(docs, 'backprop.png'), fullPage: true });

    // Inside the network: the book's two initializations, shortened.
    for (const id of ['ch3-init-old', 'ch3-init-new']) {
      const p = PRESETS.find((x) => x.id === id)!;
      await api.startRun({ ...p.hyperparams, epochs: 8, trainSize: 10_000 }, p.name, p.id);
    }
    for (let i = 0; i < 240 && (await api.listRuns()).filter((r) => r.presetId?.startsWith('ch3-init') && r.state === 'finished').length < 2; i++)
      await page.waitForTimeout(500);
    await page.getByRole('tab', { name: 'Inside' }).click();
    await page.getByRole('slider', { name: 'Epoch of the histograms' }).fill('0');
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(docs, 'inside.png') });

    // Sweeps: the book's λ recipe, shortened, with 3 seeds a point.
    await api.startSweep(
      validateSweepSpec({
        name: 'λ on a log scale (10,000 images, 5 epochs)',
        base: { presetId: 'ch3-ce-30', hyperparams: { epochs: 5, trainSize: 10_000, evalSet: 'validation' } },
        axes: [{ param: 'lambda', range: { scale: 'log', from: 0.01, to: 100, count: 5 } }],
        seeds: 3,
      }),
    );
    for (let i = 0; i < 600 && (await api.listSweeps()).some((s) => s.state !== 'finished'); i++) await page.waitForTimeout(500);
    await page.getByRole('tab', { name: 'Sweeps' }).click();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(docs, 'sweeps.png') });

    await page.getByRole('tab', { name: 'Ch. 3 demos' }).click();
    await page.getByRole('button', { name: 'Start at w = 2, b = 2 (output 0.98)' }).click();
    await page.waitForTimeout(6000);
    await page.screenshot({ path: join(docs, 'neuron.png'), fullPage: true });
    if (lab.errors.length) console.error('console errors:', lab.errors);
    await lab.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
