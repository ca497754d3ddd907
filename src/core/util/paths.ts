// Root-relative index paths ('lib/bdev/bdev.c'): always '/'-separated, whatever the host's separator.

/** The folder part of a root-relative path: 'lib/bdev/bdev.c' → 'lib/bdev'; a file at the root → ''. */
export function dirOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/** How many leading characters two strings share ('bdev_nvme_rpc.c' and 'bdev_nvme.c' share 10). */
export function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
