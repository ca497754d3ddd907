// Maps from a key to a list: the index keeps many (name → definitions, target → registrations, ...).

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Removes the values `drop` selects from the key's list, and the key once its list is empty. */
export function pullFrom<K, V>(map: Map<K, V[]>, key: K, drop: (value: V) => boolean): void {
  const list = map.get(key);
  if (!list) return;
  const kept = list.filter((v) => !drop(v));
  if (kept.length > 0) map.set(key, kept);
  else map.delete(key);
}
