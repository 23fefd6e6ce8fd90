export const STUDENT_NO_INPUT_ID = 'search-student-no';

/** F2, Esc and page load all bring the operator back to the 学号 field. */
export function focusStudentNoInput(): void {
  const input = document.getElementById(STUDENT_NO_INPUT_ID);
  if (input instanceof HTMLInputElement) {
    input.focus();
    input.select();
  }
}
