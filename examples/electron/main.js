// Electron main process: atrous runs here (or in a utilityProcess), the renderer asks over IPC.
// The addon is context-aware and allocates no external ArrayBuffers, so it is safe in Electron.
//   npm install electron atrous && npx electron examples/electron
const { app, BrowserWindow, ipcMain } = require('electron');
const path = require('node:path');
const atrous = require('atrous');

let model; // loaded once, reused for every request

ipcMain.handle('segment', async (_event, imageBytes) => {
  model ??= await atrous.load(process.env.ATROUS_MODEL || 'mobilenetv2-dm05-voc-257');
  const result = await model.segment(Buffer.from(imageBytes));
  // PNG bytes and the legend are plain data: they cross IPC by structured clone.
  return { png: await result.toPNG({ mode: 'overlay' }), legend: result.legend() };
});

app.whenReady().then(() => {
  const win = new BrowserWindow({
    width: 900,
    height: 700,
    webPreferences: { preload: path.join(__dirname, 'preload.js'), contextIsolation: true, sandbox: true },
  });
  win.loadFile(path.join(__dirname, 'index.html'));
});

app.on('window-all-closed', () => {
  model?.dispose();
  app.quit();
});
