// The registry: real files in the shared models folder match the registry's sha256, resolution order,
// the offline/no-network message, and downloading (from a local HTTP server, never the network).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { AtrousError } from '../lib/errors';
import { load } from '../lib/load';
import { cacheDir, downloadFile, findLocal, registryEntry, REGISTRY, resolveRegistryModel } from '../lib/registry';
import { sharedPath } from './helpers/data';

const VARS = ['ATROUS_MODELS', 'ATROUS_HOME', 'ATROUS_OFFLINE'];
let saved: Record<string, string | undefined> = {};
/** Sets the registry's environment for one test (every test runs offline); restored after it. */
function env(vars: Record<string, string | undefined>): void {
  for (const k of VARS) delete process.env[k];
  for (const [k, v] of Object.entries({ ATROUS_OFFLINE: '1', ...vars })) if (v !== undefined) process.env[k] = v;
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'atrous-reg-'));

test.before.each(() => {
  saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
});
test.after.each(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

test('every registry model is in the shared models folder with the sha256 the registry pins', () => {
  const models = sharedPath('models');
  env({ ATROUS_MODELS: models, ATROUS_HOME: tmp() });
  for (const e of REGISTRY) {
    const where = findLocal(e);
    assert.is(where, path.join(models, e.main), e.name);
    for (const f of e.files) assert.is(fs.statSync(path.join(models, f.path)).size, f.size, f.path);
  }
  assert.is(registryEntry('mobilenetv2-voc')?.name, 'mobilenetv2-dm05-voc-257', 'alias');
});

test('ATROUS_HOME sets the cache folder; a file there is found when ATROUS_MODELS lacks it', async () => {
  const home = tmp();
  env({ ATROUS_HOME: home, ATROUS_MODELS: tmp() });
  assert.is(cacheDir(), home);
  const entry = registryEntry('mobilenetv2-dm05-voc-513-uint8');
  assert.ok(entry);
  fs.mkdirSync(path.join(home, 'models'));
  fs.copyFileSync(sharedPath('models', entry.main), path.join(home, 'models', entry.main));
  assert.is(await resolveRegistryModel(entry), path.join(home, 'models', entry.main));
});

test('offline, a missing model fails with NOT_FOUND saying which file to put where', async () => {
  const home = tmp();
  env({ ATROUS_HOME: home, ATROUS_MODELS: tmp(), ATROUS_OFFLINE: '1' });
  try {
    await load('mobilenetv2-voc');
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, AtrousError);
    assert.is((e as AtrousError).code, 'NOT_FOUND');
    const msg = (e as Error).message;
    assert.ok(msg.includes(path.join(home, 'models', 'deeplabv3_mnv2_dm05_voc_257.tflite')), msg);
    assert.ok(msg.includes('68a539782c2c6a72f8aac3724600124a85ed977162b44e84cbae5db717c933c6'), msg);
    assert.ok(msg.includes('ATROUS_MODELS'), msg);
  }
});

test('a file whose sha256 differs from the registry is refused; unknown names fail with NOT_FOUND', async () => {
  const dir = tmp();
  env({ ATROUS_HOME: tmp(), ATROUS_MODELS: dir, ATROUS_OFFLINE: '1' });
  fs.writeFileSync(path.join(dir, 'deeplabv3_mnv2_dm05_voc_257.tflite'), 'not the model');
  try {
    await load('mobilenetv2-dm05-voc-257');
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as AtrousError).code, 'PARSE_ERROR', (e as Error).message);
    assert.ok((e as Error).message.includes('sha256'));
  }
  try {
    await load('no-such-model');
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as AtrousError).code, 'NOT_FOUND');
    assert.ok((e as Error).message.includes('mobilenetv2-dm05-voc-257'), 'lists the registry names');
  }
});

test('downloadFile fetches, checks the sha256, and leaves nothing behind on a mismatch (local server)', async () => {
  const body = crypto.randomBytes(5000);
  const server = http.createServer((req, res) => {
    if (req.url === '/model.bin') res.end(body);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const dir = tmp();
    const good = crypto.createHash('sha256').update(body).digest('hex');
    await downloadFile(`http://127.0.0.1:${port}/model.bin`, path.join(dir, 'sub', 'model.bin'), good);
    assert.ok(fs.readFileSync(path.join(dir, 'sub', 'model.bin')).equals(body));
    await downloadFile(`http://127.0.0.1:${port}/model.bin`, path.join(dir, 'bad.bin'), '0'.repeat(64)).then(
      () => assert.unreachable('sha mismatch must throw'),
      (e: Error) => assert.match(e.message, /sha256/),
    );
    await downloadFile(`http://127.0.0.1:${port}/missing`, path.join(dir, 'missing.bin'), good).then(
      () => assert.unreachable('404 must throw'),
      (e: Error) => assert.match(e.message, /404/),
    );
    assert.equal(fs.readdirSync(dir).sort(), ['sub']);
  } finally {
    server.close();
  }
});

test.run();
