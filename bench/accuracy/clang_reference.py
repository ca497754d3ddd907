#!/usr/bin/python3
"""Compiler-accurate reference facts for checking SPDK Lens's index (bench/accuracy/compare.ts).

Parses each .c file of an SPDK tree with libclang (Debian: python3-clang-14, libclang-14-dev) and writes, as JSON:
  calls:    [function, api, arg, file] - a function name passed as argument `arg` of a call to `api` (after macro expansion)
  slots:    [function, "struct T.field", file] - a function stored in a struct field by an initializer or an assignment
  complete: [function, file]      - functions whose body calls spdk_bdev_io_complete*
  channel_ctx: [struct, file]    - io_channel context types: sizeof(struct T) given to spdk_io_device_register, or
                                   struct T * initialised from spdk_io_channel_get_ctx()
  clean_files: [path]             - files clang parsed without an error (the reference is complete for those)
  free:     [function, file]      - functions whose body calls spdk_bdev_free_io
Headers the tree does not have (generated config, DPDK, ...) are stubbed as empty files so clang keeps going.

usage: clang_reference.py <spdk_root> <out.json> [dir ...]   (dirs default to lib module app examples)
"""
import json
import os
import re
import sys
import tempfile

import clang.cindex as ci

for candidate in ('/usr/lib/llvm-14/lib/libclang-14.so.1', '/usr/lib/llvm-14/lib/libclang.so'):
    if os.path.exists(candidate):
        ci.Config.set_library_file(candidate)
        break

K = ci.CursorKind
PEEL = {K.UNEXPOSED_EXPR, K.CSTYLE_CAST_EXPR, K.PAREN_EXPR}


def peel(cursor):
    """The expression under casts, parentheses and unary & / *."""
    while True:
        if cursor.kind in PEEL:
            children = list(cursor.get_children())
            if not children:
                return cursor
            cursor = children[-1]
        elif cursor.kind == K.UNARY_OPERATOR:
            tokens = [t.spelling for t in cursor.get_tokens()]
            children = list(cursor.get_children())
            if tokens[:1] in (['&'], ['*']) and children:
                cursor = children[0]
            else:
                return cursor
        else:
            return cursor


def function_ref(cursor):
    cursor = peel(cursor)
    if cursor.kind == K.DECL_REF_EXPR and cursor.referenced is not None and cursor.referenced.kind == K.FUNCTION_DECL:
        return cursor.referenced.spelling
    return None


def struct_name(type_):
    decl = type_.get_canonical().get_declaration()
    if decl is None or decl.kind not in (K.STRUCT_DECL, K.UNION_DECL):
        return None
    keyword = 'struct' if decl.kind == K.STRUCT_DECL else 'union'
    return f'{keyword} {decl.spelling}' if decl.spelling and 'anonymous' not in decl.spelling and '(' not in decl.spelling else None


def fields_of(type_):
    decl = type_.get_canonical().get_declaration()
    return [c for c in decl.get_children() if c.kind == K.FIELD_DECL] if decl is not None else []


def element_type(type_):
    canonical = type_.get_canonical()
    if canonical.kind in (ci.TypeKind.CONSTANTARRAY, ci.TypeKind.INCOMPLETEARRAY):
        return canonical.get_array_element_type()
    return None


def read_init_list(cursor, type_, caller, out):
    """Walks an initializer list of `type_`, designated or positional, recording functions stored in fields."""
    element = element_type(type_)
    if element is not None:
        for child in cursor.get_children():
            if child.kind == K.INIT_LIST_EXPR:
                read_init_list(child, element, caller, out)
        return
    name = struct_name(type_)
    fields = fields_of(type_)
    position = 0
    for child in cursor.get_children():
        field = None
        value = child
        if child.kind == K.UNEXPOSED_EXPR:
            parts = list(child.get_children())
            refs = [p for p in parts if p.kind == K.MEMBER_REF]
            if refs:
                field_name = refs[-1].spelling
                matches = [i for i, f in enumerate(fields) if f.spelling == field_name]
                if not matches:
                    position += 1
                    continue
                position = matches[0]
                field = fields[position]
                value = parts[-1]
        if field is None and position < len(fields):
            field = fields[position]
        position += 1
        if field is None:
            continue
        if value.kind == K.INIT_LIST_EXPR:
            read_init_list(value, field.type, caller, out)
            continue
        fn = function_ref(value)
        if fn and name:
            out['slots'].add((fn, f'{name}.{field.spelling}', out['file']))


def walk(cursor, caller, out):
    for child in cursor.get_children():
        kind = child.kind
        if kind == K.CALL_EXPR:
            callee = child.referenced.spelling if child.referenced is not None else ''
            if caller and callee:
                if re.match(r'^spdk_bdev_io_complete', callee):
                    out['complete'].add((caller, out['file']))
                if callee == 'spdk_bdev_free_io':
                    out['free'].add((caller, out['file']))
            args = list(child.get_arguments())
            if callee == 'spdk_io_device_register' and len(args) > 3:
                tokens = [t.spelling for t in args[3].get_tokens()]
                if tokens[:1] == ['sizeof'] and len(tokens) >= 4 and tokens[2] in ('struct', 'union'):
                    out['channel_ctx'].add((f'{tokens[2]} {tokens[3]}', out['file']))
            for index, arg in enumerate(args):
                fn = function_ref(arg)
                if fn and callee:
                    out['calls'].add((fn, callee, index, out['file']))
        elif kind == K.BINARY_OPERATOR:
            children = list(child.get_children())
            tokens = [t.spelling for t in child.get_tokens()]
            if len(children) == 2 and '=' in tokens:
                lhs = peel(children[0])
                fn = function_ref(children[1])
                if fn and lhs.kind == K.MEMBER_REF_EXPR and lhs.referenced is not None:
                    parent = lhs.referenced.semantic_parent
                    holder = struct_name(parent.type) if parent is not None else None
                    if holder:
                        out['slots'].add((fn, f'{holder}.{lhs.spelling}', out['file']))
        elif kind == K.VAR_DECL:
            for init in child.get_children():
                call = peel(init)
                if call.kind == K.CALL_EXPR and call.referenced is not None and call.referenced.spelling == 'spdk_io_channel_get_ctx':
                    pointee = child.type.get_canonical().get_pointee()
                    name = struct_name(pointee) if pointee is not None else None
                    if name:
                        out['channel_ctx'].add((name, out['file']))
                if init.kind == K.INIT_LIST_EXPR:
                    read_init_list(init, child.type, caller, out)
        elif kind == K.INIT_LIST_EXPR and child.type is not None:
            read_init_list(child, child.type, caller, out)
            continue
        walk(child, caller, out)


def main():
    root = os.path.abspath(sys.argv[1])
    out_path = sys.argv[2]
    dirs = sys.argv[3:] or ['lib', 'module', 'app', 'examples']
    stubs = tempfile.mkdtemp(prefix='spdk-lens-stubs-')
    os.makedirs(os.path.join(stubs, 'spdk'), exist_ok=True)
    open(os.path.join(stubs, 'spdk', 'config.h'), 'w').close()
    include_dirs = [stubs, os.path.join(root, 'include'), os.path.join(root, 'lib'), os.path.join(root, 'module')]
    out = {'calls': set(), 'slots': set(), 'complete': set(), 'free': set(), 'channel_ctx': set()}
    clean_files = []
    index = ci.Index.create()
    files = []
    for d in dirs:
        for base, _, names in os.walk(os.path.join(root, d)):
            files += [os.path.join(base, n) for n in sorted(names) if n.endswith('.c')]
    for count, path in enumerate(sorted(files)):
        args = ['-std=gnu11', '-D_GNU_SOURCE', '-ferror-limit=0', '-I' + os.path.dirname(path)] + ['-I' + d for d in include_dirs]
        tu = None
        for _ in range(12):  # stub missing headers until the file parses through
            tu = index.parse(path, args=args, options=ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES * 0)
            missing = [m.group(1) for d in tu.diagnostics for m in [re.search(r"'([^']+)' file not found", d.spelling)] if m]
            if not missing:
                break
            for header in missing:
                stub = os.path.join(stubs, header)
                os.makedirs(os.path.dirname(stub), exist_ok=True)
                open(stub, 'a').close()
        out['file'] = os.path.relpath(path, root)
        if not any(d.severity >= ci.Diagnostic.Error for d in tu.diagnostics):
            clean_files.append(os.path.relpath(path, root))
        for cursor in tu.cursor.get_children():
            if cursor.location.file is None or os.path.abspath(cursor.location.file.name) != path:
                continue
            if cursor.kind == K.FUNCTION_DECL and cursor.is_definition():
                walk(cursor, cursor.spelling, out)
            elif cursor.kind == K.VAR_DECL:
                walk_var = [c for c in cursor.get_children() if c.kind == K.INIT_LIST_EXPR]
                for init in walk_var:
                    read_init_list(init, cursor.type, '', out)
        if count % 50 == 0:
            print(f'{count}/{len(files)} {os.path.relpath(path, root)}', file=sys.stderr)
    with open(out_path, 'w') as f:
        facts = {k: sorted(list(v)) for k, v in out.items() if k != 'file'}
        facts['clean_files'] = clean_files
        json.dump(facts, f)


if __name__ == '__main__':
    main()
