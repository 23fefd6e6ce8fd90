import { createHmac, randomBytes, scryptSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCounterService } from '../../src-main/counter/service';
import { createReplica } from '../../src-main/db';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { demoSession, loadDemoBatch } from '../../src-main/demo/demo-replica';
import { generateRoster } from '../../src-shared/demo/roster';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import { candidatesFor, keyCandidates, readStoredIds, rebuildIds, rewriteAsPreviousRelease, type AttackerKnowledge } from '../integration/id-card-attack';
import { report, seconds, timeEach } from './stats';

const STUDENTS = 20_000;
/**
 * The space an attacker without other knowledge searches per student: county-level region codes
 * that appear in numbers of people now studying (about 2,850 today plus those renamed or merged
 * since 2000: ~3,500, an estimate), and ten birth years of graduates.
 */
const REGIONS_IN_USE = 3_500;
const BIRTH_YEARS = 10;
/** Check digits (0-9, X): a guess fits the stored last digit 1 time in 11. */
const CHECK_DIGITS = 11;
/** Hash digit kept per student: 4 bits. */
const HASH_VALUES = 16;

const micro = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
const duration = (ms: number) => (ms < 120_000 ? seconds(ms) : ms < 2 * 3_600_000 ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** Median time of one HMAC-SHA256 of a candidate number, the attacker's unit of work when the key is known. */
function hmacPerCandidate(): number {
  const key = randomBytes(32);
  const rounds = 200_000;
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) {
      const first17 = `43010220${String(i % 100_000).padStart(9, '0')}`;
      createHmac('sha256', key).update(first17 + idCardCheckDigit(first17)).digest('hex');
    }
    runs.push((performance.now() - t0) / rounds);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

/** `npm run bench -- id-card`: what a desk lookup costs, and what rebuilding the numbers of a stolen replica costs. */
export function benchIdCard(): void {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-bench-id-'));
  try {
    const batch = loadDemoBatch();
    const { students, initial } = generateRoster(batch, { seed: 14, size: STUDENTS });
    const path = join(dir, 'counter.db');
    const replica = createReplica(path, batch, students, initial, demoSession(batch));
    const service = createCounterService(replica);
    const sample = students.filter((_, i) => i % 20 === 0);
    for (const s of sample.slice(0, 20)) service.call('students.lookup', { text: s.idCard });
    report('desk: full 身份证号 (students.lookup)', timeEach(sample, (s) => service.call('students.lookup', { text: s.idCard })), 1);
    report('desk: last 6 (students.lookup)', timeEach(sample, (s) => service.call('students.lookup', { text: s.idCard.slice(-6) })), 1);
    replica.close();

    const perCandidate = hmacPerCandidate();
    const scrypt = timeEach(Array.from({ length: 10 }, (_, i) => i), (i) => scryptSync(`43010220040101123${i}`, 'salt', 32, { N: 2 ** 14, r: 8, p: 1 }));
    const scryptMs = scrypt.sort((a, b) => a - b)[5]!;
    console.log(`  one candidate (check digit + HMAC-SHA256)                ${micro(perCandidate).padStart(12)}`);
    console.log(`  for comparison, scrypt N=2^14 r=8 per candidate           ${`${scryptMs.toFixed(1)} ms`.padStart(12)}  (a roster import of ${STUDENTS} would take ${duration(scryptMs * STUDENTS)} on one core)`);

    const rows = readStoredIds(path);
    const generous: AttackerKnowledge = {
      regions: [...new Set(students.map((s) => s.idCard.slice(0, 6)))],
      years: [...new Set(students.map((s) => Number(s.idCard.slice(6, 10))))].sort(),
    };
    const key = readFileSync(`${path}.idkey`, 'utf8');

    const previous = join(dir, 'previous.db');
    copyFileSync(path, previous);
    copyFileSync(`${path}.idkey`, `${previous}.idkey`);
    rewriteAsPreviousRelease(previous, students, Math.max(...MIGRATIONS.map((m) => m.version).filter((v) => v < 7)));
    let t0 = performance.now();
    const old = rebuildIds(readStoredIds(previous), generous, keyCandidates(previous));
    console.log(`  previous layout, file alone: ${old.rebuilt.size} of ${STUDENTS} numbers rebuilt in ${seconds(performance.now() - t0)} (key found in the file: ${old.key === key})`);

    t0 = performance.now();
    const alone = rebuildIds(rows, generous, keyCandidates(path));
    const aloneMs = performance.now() - t0;
    const fits = rows.slice(0, 200).map((r) => candidatesFor(r, generous).length);
    console.log(
      `  this layout, file alone: ${alone.rebuilt.size} rebuilt (${keyCandidates(path).length} key-like strings in the file; nothing confirms a guess), ` +
        `~${Math.round(fits.reduce((a, b) => a + b, 0) / fits.length)} numbers fit each student even knowing the roster's ${generous.regions.length} regions and ${generous.years.length} birth years (${seconds(aloneMs)})`,
    );

    t0 = performance.now();
    const withKey = rebuildIds(rows, generous, [], key);
    const withKeyMs = performance.now() - t0;
    const left = [...withKey.remaining].sort((a, b) => a - b);
    console.log(
      `  this layout + the key (stolen keyring), same knowledge: ${withKey.rebuilt.size} rebuilt in ${seconds(withKeyMs)}; ` +
        `numbers left per student: min ${left[0]}, median ${left[Math.floor(left.length / 2)]}`,
    );

    const space = (REGIONS_IN_USE * BIRTH_YEARS * 12) / CHECK_DIGITS;
    console.log(
      `  whole space without roster knowledge (${REGIONS_IN_USE} regions × ${BIRTH_YEARS} years × 12 months / ${CHECK_DIGITS}): ~${Math.round(space)} candidates per student; ` +
        `with the key ${duration(space * perCandidate)} per student, ${duration(space * perCandidate * STUDENTS)} for all ${STUDENTS}, leaving ~${Math.round(space / HASH_VALUES)} per student; ` +
        'without the key no candidate can be confirmed (the key is 256 random bits)',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
