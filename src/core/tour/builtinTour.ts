// The tour that ships with SPDK Lens: the book's landmark path through SPDK, as a JSON file under media/tours.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BUILTIN_TOUR_FILE = 'media/tours/spdk-landmarks.tour.json';

/** The shipped tour file, looked up from this module's folder (dist/ when bundled, src/core/tour under tests). */
export function findBuiltinTour(from: string = __dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, BUILTIN_TOUR_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
