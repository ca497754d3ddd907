#!/usr/bin/env python3
"""Recall and precision of SPDK Lens's index against clang_reference.py's facts for the same files.

usage: compare.py <spdk-lens index.json> <reference.json> [--clean-only] [dir ...]   (dirs default to lib module app examples)

--clean-only counts only facts located in files clang parsed without errors: elsewhere (missing generated or
third-party headers) the reference itself is incomplete.
"""
import json
import sys


def in_scope(path, dirs):
    return path.endswith('.c') and any(path.startswith(d.rstrip('/') + '/') for d in dirs)


def main():
    index = json.load(open(sys.argv[1]))
    ref = json.load(open(sys.argv[2]))
    args = sys.argv[3:]
    clean_only = '--clean-only' in args
    dirs = [a for a in args if a != '--clean-only'] or ['lib', 'module', 'app', 'examples']
    clean = set(ref.get('clean_files', [])) if clean_only else None
    scope = lambda path: in_scope(path, dirs) and (clean is None or path in clean)
    ours = {'calls': set(), 'slots': set(), 'complete': set(), 'free': set(), 'channel_ctx': set()}
    channel_types = {t['name'] for t in index['types'] if t['ownership'] == 'io_channel_ctx'}
    for fn in index['functions']:
        for c in fn['contexts']:
            if c.get('inferred') or not scope(c['file']):
                continue
            if 'api' in c:
                ours['calls'].add((fn['name'], c['api'], c['arg'], c['file']))
            elif c['slot'].startswith(('struct ', 'union ')) and '::' not in c['slot']:
                ours['slots'].add((fn['name'], c['slot'], c['file']))
        if scope(fn['file']):
            if fn['completesBdevIo']:
                ours['complete'].add((fn['name'], fn['file']))
            if fn['freesBdevIo']:
                ours['free'].add((fn['name'], fn['file']))
    print('| facts | reference | ours | recall | precision |')
    print('| --- | ---: | ---: | ---: | ---: |')
    misses = {}
    for key in ['calls', 'slots', 'complete', 'free', 'channel_ctx']:
        theirs = {tuple(x) for x in ref.get(key, []) if scope(x[-1])}
        if key == 'channel_ctx':
            # Types, not places: compare the set of struct names the evidence of in-scope files names.
            theirs = {x[0] for x in theirs}
            ours[key] = {t for t in channel_types if t in theirs} | {t for t in channel_types if any(
                scope(e['file']) for typ in index['types'] if typ['name'] == t for e in typ['evidence'])}
        found = ours[key] & theirs
        recall = len(found) / len(theirs) if theirs else 1.0
        precision = len(found) / len(ours[key]) if ours[key] else 1.0
        print(f'| {key} | {len(theirs)} | {len(ours[key])} | {recall:.1%} | {precision:.1%} |')
        misses[key] = (sorted(theirs - ours[key])[:15], sorted(ours[key] - theirs)[:15])
    for key, (missed, extra) in misses.items():
        print(f'\n{key}: missed {missed}\n{key}: extra {extra}')


if __name__ == '__main__':
    main()
