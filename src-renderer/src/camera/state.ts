import { create } from 'zustand';

interface CameraState {
  open: boolean;
  toggle(): void;
  close(): void;
}

/** Whether the camera panel is shown; the panel itself owns the stream while it is mounted. */
export const useCameraStore = create<CameraState>((set) => ({
  open: false,
  toggle: () => set((s) => ({ open: !s.open })),
  close: () => set({ open: false }),
}));
