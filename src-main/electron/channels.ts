/** IPC channel names, shared by the main process and the preload. */
export const IPC_CALL = 'lixiao:call';
export const IPC_CHANGE = 'lixiao:change';
export const IPC_SAVE_PDF = 'lixiao:save-pdf';
