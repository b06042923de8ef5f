// Exposes one function to the renderer; the renderer never touches Node or the addon.
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld('atrous', {
  segment: (bytes) => ipcRenderer.invoke('segment', bytes),
});
