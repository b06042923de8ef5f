// Dilated ResNet-101 DeepLabV3 (zoo, seeded random weights) at 513x513, output stride 16: ms per forward
// and the GFLOP/s that means (2 FLOPs per multiply-add of the convolutions).
//   npx tsx bench/zoo.ts
import { zoo } from '../lib/index';
import { medianMs, row } from './util';

export async function benchZoo(): Promise<void> {
  const net = zoo.deeplabV3({ backbone: 'resnet101', outputStride: 16, inputSize: [513, 513] }).initRandom(7);
  const { madds } = net.stats();
  const model = await net.compile({ threads: 2 });
  const input = new Float32Array(513 * 513 * 3).map((_, i) => Math.sin(i) * 0.5);
  const ms = await medianMs(() => model.run(input), 10, 2);
  const gflops = (2 * madds) / (ms / 1000) / 1e9;
  console.log(row(['DeepLabV3 ResNet-101 OS16 513x513 (zoo, random weights)', `atrous ${ms.toFixed(1)} ms`, `${(madds / 1e9).toFixed(1)} GMAC`, `${gflops.toFixed(1)} GFLOP/s`]));
  model.dispose();
}

if (require.main === module) benchZoo().catch((e) => { console.error(e); process.exit(1); });
