/**
 * Who may do what in the campus console. 管理员 sets the season up, 领导查询 watches it (read-only,
 * whole school, some colleges or some classes), and every counter operator may sign in to change
 * their own password. The server checks these rules on every console route.
 */
export const CONSOLE_ROLES = ['admin', 'leader', 'operator'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export interface ClassRef {
  college: string;
  className: string;
}

/** What a 领导查询 account may see: the班主任 sees a class, a college's 副书记 the college. */
export type LeaderScope = { kind: 'school' } | { kind: 'colleges'; colleges: string[] } | { kind: 'classes'; classes: ClassRef[] };

/** A route's audience: anyone (sign-in), any signed-in account, admins and leaders, admins only. */
export type RouteAccess = 'public' | 'signedIn' | 'read' | 'admin';

export function mayUse(role: ConsoleRole | null, access: RouteAccess): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'signedIn':
      return role !== null;
    case 'read':
      return role === 'admin' || role === 'leader';
    case 'admin':
      return role === 'admin';
  }
}

/** Admins see the whole school; so does a leader without narrower scope. */
export function scopeIncludes(scope: LeaderScope, student: ClassRef): boolean {
  switch (scope.kind) {
    case 'school':
      return true;
    case 'colleges':
      return scope.colleges.includes(student.college);
    case 'classes':
      return scope.classes.some((c) => c.college === student.college && c.className === student.className);
  }
}

/** The colleges a scope touches; 'all' for the whole school. */
export function scopeColleges(scope: LeaderScope): 'all' | string[] {
  if (scope.kind === 'school') return 'all';
  if (scope.kind === 'colleges') return [...scope.colleges];
  return [...new Set(scope.classes.map((c) => c.college))];
}

/** Pointing a counter at a new server address is a 管理员's decision (the server checks it at the new address). */
export function mayMoveCounterServer(role: ConsoleRole | null): boolean {
  return role === 'admin';
}
