import { studentPageSuite } from './student-page';

studentPageSuite('postgres');
