import type { ActivityLog, ActivityLogEntry } from './types.js';

const SERIAL_COLS = new Set(['serialnumber', 'serial', 'deviceid', 'serialno', 'id']);
const STATUS_COLS = new Set(['status', 'result', 'outcome', 'state']);
const REASON_COLS = new Set(['reason', 'message', 'error', 'errormessage', 'details', 'detail']);
const OK = /^(success|succeeded|completed|ok|assigned|unassigned|released|done)/i;

const norm = (cell: string): string =>
  cell
    .trim()
    .replace(/^"|"$/g, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === delimiter && !quoted) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out;
}

function fromJson(raw: string): ActivityLogEntry[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const list = Array.isArray(value) ? value : (value as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) return undefined;
  const out: ActivityLogEntry[] = [];
  for (const item of list) {
    const o = item as Record<string, unknown>;
    const serial = o['serialNumber'] ?? o['serial'] ?? o['id'];
    const status = o['status'] ?? o['result'];
    if (typeof serial !== 'string' || typeof status !== 'string') return undefined;
    const reason = o['reason'] ?? o['message'] ?? o['error'];
    out.push({
      serialNumber: serial.toUpperCase(),
      ok: OK.test(status),
      status,
      ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
    });
  }
  return out;
}

/**
 * Reads an activity log. Its format is unconfirmed: a CSV (`,`, `;` or tab) whose header names a
 * serial column and a status column (optionally a reason column), or JSON (an array of
 * `{serialNumber, status, reason?}`), yields per-serial entries; anything else keeps only `raw`.
 * @internal
 */
export function parseActivityLog(raw: string): ActivityLog {
  const trimmed = raw.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    return { raw, entries: fromJson(trimmed) };
  }
  const lines = trimmed.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  const headerLine = lines[0];
  if (headerLine === undefined) return { raw, entries: undefined };
  const delimiter = [',', ';', '\t'].find((d) => headerLine.includes(d)) ?? ',';
  const header = splitLine(headerLine, delimiter).map(norm);
  const si = header.findIndex((h) => SERIAL_COLS.has(h));
  const st = header.findIndex((h) => STATUS_COLS.has(h));
  const re = header.findIndex((h) => REASON_COLS.has(h));
  if (si < 0 || st < 0) return { raw, entries: undefined };
  const entries: ActivityLogEntry[] = [];
  for (const line of lines.slice(1)) {
    const cells = splitLine(line, delimiter);
    const serial = cells[si];
    const status = cells[st] ?? '';
    if (!serial) continue;
    const reason = re >= 0 ? cells[re] : undefined;
    entries.push({
      serialNumber: serial.toUpperCase(),
      ok: OK.test(status),
      status,
      ...(reason ? { reason } : {}),
    });
  }
  return { raw, entries };
}
