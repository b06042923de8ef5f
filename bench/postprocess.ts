// Post-processing of one run's logits to labels at the original size: tight JS (lib/segment/merge.ts)
// vs a native graph (resizeBilinear with the composed mapping as explicit scales + argmax), as ratios.
// Run: npx tsx bench/postprocess.ts
import { Graph } from '../lib/graph/builder';
import { compile } from '../lib/model';
import { labelsFromLogits } from '../lib/segment/merge';
import { planRuns } from '../lib/segment/policies';

async function main(): Promise<void> {
  const cases: [number, number, number, number][] = [[257, 21, 375, 500], [65, 21, 375, 500], [257, 21, 1080, 1920]];
  for (const [L, C, h0, w0] of cases) {
    const inputSize: [number, number] = [L === 65 ? 513 : 257, L === 65 ? 513 : 257];
    const [run] = planRuns(h0, w0, { inputSize, resize: 'pad' }, { scales: [1], flip: false, overlap: undefined });
    if (!run) throw new Error('no run');
    const data = new Float32Array(L * L * C).map(() => Math.random() * 10);
    const logits = { data, height: L, width: L, channels: C };
    const ky = ((run.size[0] - 1) * (L - 1)) / ((h0 - 1) * (inputSize[0] - 1));
    const kx = ((run.size[1] - 1) * (L - 1)) / ((w0 - 1) * (inputSize[1] - 1));
    const g = new Graph();
    const x = g.input('logits', [1, L, L, C]);
    g.output('labels', g.argmax(g.resizeBilinear(x, { size: [h0, w0], coordinateMode: 'asymmetric', scales: [1 / ky, 1 / kx] })));
    let t = performance.now();
    const model = await compile(g, undefined, {});
    const compileMs = performance.now() - t;
    const time = async (fn: () => unknown): Promise<number> => {
      const ms: number[] = [];
      for (let i = 0; i < 7; i++) {
        t = performance.now();
        await fn();
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b)[3] as number;
    };
    const js = await time(() => labelsFromLogits(run, logits, h0, w0, inputSize));
    const nat = await time(() => model.run(data));
    const a = labelsFromLogits(run, logits, h0, w0, inputSize);
    const b = (await model.run(data)).labels?.data as Int32Array;
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    console.log(`${L}x${L}x${C} -> ${h0}x${w0}: js ${js.toFixed(1)} ms, native ${nat.toFixed(1)} ms (compile ${compileMs.toFixed(1)} ms), js/native ${(js / nat).toFixed(2)}, labels agree ${((100 * same) / a.length).toFixed(3)}%`);
    model.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
