#!/usr/bin/env python3
"""Small, format-keeping edits to docs/openapi.yaml (JSON syntax) for scripts and reviews:
  spec_edit.py add-response OPERATION_ID STATUS REF
adds `"STATUS": {"$ref": "#/components/responses/REF"}` to that operation's responses (in
status order), leaving every other line as it is.
  spec_edit.py set-schema NAME FILE.json
replaces the schema NAME with the JSON in FILE, or adds it at the end.
  spec_edit.py set-path PATH FILE.json [BEFORE_PATH]
replaces the path item PATH, or adds it before BEFORE_PATH (else at the end).
New or replaced blocks are laid out as the file is: an object or list whose members are all
plain values on one line when it fits in 120 columns, otherwise one member per line."""
import json
import re
import sys

PATH = "docs/openapi.yaml"


def add_response(text, op, status, ref):
    at = text.index(f'"operationId": "{op}"')
    start = text.index('"responses": {', at)
    depth, i = 0, start + len('"responses": ')
    while True:
        c = text[i]
        depth += c == "{"
        depth -= c == "}"
        if depth == 0:
            break
        i += 1
    block = text[start:i]
    if f'"{status}":' in block:
        return text
    entries = list(re.finditer(r'\n(\s*)"(\d{3})": ', block))
    indent = entries[0].group(1)
    line = f'{indent}"{status}": {{"$ref": "#/components/responses/{ref}"}}'
    after = [m for m in entries if int(m.group(2)) > int(status)]
    if after:
        pos = start + after[0].start()
        return text[:pos] + "\n" + line + "," + text[pos:]
    # append after the last entry: find the end of the block's last line
    end = text.rindex("\n", start, i)
    return text[:end] + "," + "\n" + line + text[end:]


WIDTH = 120


def _inline(v):
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def _plain(v):
    members = v.values() if isinstance(v, dict) else v
    return all(not isinstance(x, (dict, list)) or not x for x in members)


def render(v, indent, used=0):
    """v laid out as the file is, its first line starting used columns in, at depth indent."""
    one = _inline(v)
    if not isinstance(v, (dict, list)) or not v or (_plain(v) and used + len(one) + 1 <= WIDTH):
        return one
    pad = "  " * (indent + 1)
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            head = pad + json.dumps(k, ensure_ascii=False) + ": "
            lines.append(head + render(x, indent + 1, len(head)))
        return "{\n" + ",\n".join(lines) + "\n" + "  " * indent + "}"
    return "[\n" + ",\n".join(pad + render(x, indent + 1, len(pad)) for x in v) + "\n" + "  " * indent + "]"


def _block(text, key, indent):
    """Start and end (after the closing brace) of the member "key": {...} at that depth."""
    m = re.search(r'\n' + "  " * indent + re.escape(json.dumps(key)) + r': \{', text)
    if not m:
        return None
    i = depth = m.end() - 1
    depth = 0
    quoted = False
    while True:
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return m.start() + 1, i + 1
        i += 1


def set_member(text, container, key, value, indent, before=None):
    """Replaces member key of the object container (found at indent - 1) or adds it."""
    found = _block(text, key, indent)
    head = "  " * indent + json.dumps(key, ensure_ascii=False) + ": "
    new = head + render(value, indent, len(head))
    if found:
        return text[:found[0]] + new + text[found[1]:]
    at = _block(text, before, indent) if before else None
    if at:
        return text[:at[0]] + new + ",\n" + text[at[0]:]
    start, end = _block(text, container, indent - 1)
    close = text.rindex("\n", start, end - 1)
    return text[:close] + ",\n" + new + text[close:]


def main():
    text = open(PATH).read()
    if sys.argv[1] == "add-response":
        text = add_response(text, sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "set-schema":
        text = set_member(text, "schemas", sys.argv[2], json.load(open(sys.argv[3])), 3)
    elif sys.argv[1] == "set-path":
        text = set_member(text, "paths", sys.argv[2], json.load(open(sys.argv[3])), 2,
                          sys.argv[4] if len(sys.argv) > 4 else None)
    open(PATH, "w").write(text)


if __name__ == "__main__":
    main()
