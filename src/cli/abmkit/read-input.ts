import { readFile, stat } from 'node:fs/promises';
import { CliFailure, UsageError } from './exit.js';

/** Reads a local file of at most `limit` bytes (usage error when it cannot be read). */
export async function readLocal(file: string, limit = 16 * 1024 * 1024): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (info.size > limit)
      throw new CliFailure(`${file} is larger than ${limit} bytes`, 'INPUT_TOO_LARGE');
    return await readFile(file);
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as { code?: string }).code ?? 'error'}`);
  }
}

/** Reads and parses a JSON file (a one-line error naming the file when it is not JSON). */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = (await readLocal(file, 4 * 1024 * 1024)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliFailure(
      `${file} is not valid JSON: ${(error as Error).message}`,
      'INVALID_ARGUMENT',
    );
  }
}
