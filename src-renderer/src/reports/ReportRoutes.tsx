import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import './report.css';
import { ReportPage } from './ReportPage';
import type { ReportRoute } from './route';
import { SlipPage } from './SlipPage';

/** The printable pages: the daily report and the 离校单, in place of the counter screen. */
export function ReportRoutes({ route }: { route: ReportRoute }) {
  if (route.page === 'slip') return <SlipPage studentNo={route.studentNo} />;
  return <ReportPage params={route.params} />;
}
