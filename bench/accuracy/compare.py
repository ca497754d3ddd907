#!/usr/bin/env python3
"""Recall and precision of SPDK Lens's index against clang_reference.py's facts for the same files.

usage: compare.py <spdk-lens index.json> <reference.json> [dir ...]   (dirs default to lib module app examples)
"""
import json
import sys


def in_scope(path, dirs):
    return path.endswith('.c') and any(path.startswith(d.rstrip('/') + '/') for d in dirs)


def main():
    index = json.load(open(sys.argv[1]))
    ref = json.load(open(sys.argv[2]))
    dirs = sys.argv[3:] or ['lib', 'module', 'app', 'examples']
    ours = {'calls': set(), 'slots': set(), 'complete': set(), 'free': set()}
    for fn in index['functions']:
        for c in fn['contexts']:
            if c.get('inferred') or not in_scope(c['file'], dirs):
                continue
            if 'api' in c:
                ours['calls'].add((fn['name'], c['api'], c['arg']))
            elif c['slot'].startswith(('struct ', 'union ')) and '::' not in c['slot']:
                ours['slots'].add((fn['name'], c['slot']))
        if in_scope(fn['file'], dirs):
            if fn['completesBdevIo']:
                ours['complete'].add(fn['name'])
            if fn['freesBdevIo']:
                ours['free'].add(fn['name'])
    print('| facts | reference | ours | recall | precision |')
    print('| --- | ---: | ---: | ---: | ---: |')
    misses = {}
    for key in ['calls', 'slots', 'complete', 'free']:
        theirs = {tuple(x) if isinstance(x, list) else x for x in ref[key]}
        found = ours[key] & theirs
        recall = len(found) / len(theirs) if theirs else 1.0
        precision = len(found) / len(ours[key]) if ours[key] else 1.0
        print(f'| {key} | {len(theirs)} | {len(ours[key])} | {recall:.1%} | {precision:.1%} |')
        misses[key] = (sorted(theirs - ours[key])[:15], sorted(ours[key] - theirs)[:15])
    for key, (missed, extra) in misses.items():
        print(f'\n{key}: missed {missed}\n{key}: extra {extra}')


if __name__ == '__main__':
    main()
