import { contextBridge, ipcRenderer } from 'electron';
import { createKioskApi } from './api.ts';

// The sandboxed preload of the kiosk window (bundled to preload.cjs). Only the API object crosses the
// context bridge; ipcRenderer itself never reaches the page.
contextBridge.exposeInMainWorld('genkan', createKioskApi(ipcRenderer));
