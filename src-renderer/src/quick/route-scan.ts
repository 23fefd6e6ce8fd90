import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { notify } from '../feedback/notify';
import { lookupScan } from '../scan/lookup-scan';
import { quickScan } from './actions';
import { useQuickStore } from './state';

/** Every scan, from the wedge reader or the camera, comes through here. */
export function routeScan(text: string): void {
  const { step, picking } = useQuickStore.getState();
  // Half-way into quick mode a scan must neither pass with no step chosen nor open a student behind the dialog.
  if (picking) notify('info', quickZhCN.picker.pickFirst);
  else if (step) void quickScan(text);
  else void lookupScan(text);
}
