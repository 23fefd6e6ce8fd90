import { studentPageSuite } from './student-page';

studentPageSuite('pglite');
