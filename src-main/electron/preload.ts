import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_CHANGE, IPC_SAVE_PDF } from './channels';

/**
 * The only surface the renderer sees: a call and a change feed. No Node, no ipcRenderer;
 * the main process validates every input and checks the sender.
 */
contextBridge.exposeInMainWorld('lixiaoBridge', {
  call: (method: string, input: unknown) => ipcRenderer.invoke(IPC_CALL, method, input),
  onChange: (listener: (event: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_CHANGE, handler);
    return () => ipcRenderer.removeListener(IPC_CHANGE, handler);
  },
  savePdf: (suggestedName: string) => ipcRenderer.invoke(IPC_SAVE_PDF, suggestedName),
});
