import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @electron/fuses finds the fuse wire after this marker in the Electron binary. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's defaults, one byte per fuse ('1' on, '0' off): RunAsNode, cookie encryption, NODE_OPTIONS, inspect, asar integrity, asar only, V8 snapshot, file protocol, wasm traps. */
const DEFAULT_WIRE = '101100011';

/**
 * A FAKE Electron distribution for electron-builder's `electronDist`: the real binary cannot be
 * downloaded on this machine. It is not an executable; it only carries a fuse wire laid out as
 * Electron's is, so the fuses electron-builder flips can be read back with @electron/fuses.
 */
export function writeFakeElectronDist(dir: string, version: string): string {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE)]);
  const binary = Buffer.concat([Buffer.from('#!/bin/sh\necho "fake electron for packaging tests"\nexit 1\n'), Buffer.alloc(4096), wire, Buffer.alloc(4096)]);
  writeFileSync(join(dir, 'electron'), binary);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), version);
  writeFileSync(join(dir, 'LICENSE'), 'fake');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>fake</p>');
  return dir;
}
