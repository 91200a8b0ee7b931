#!/usr/bin/env python3
"""Small, format-keeping edits to docs/openapi.yaml (JSON syntax) for scripts and reviews:
  spec_edit.py add-response OPERATION_ID STATUS REF
adds `"STATUS": {"$ref": "#/components/responses/REF"}` to that operation's responses (in
status order), leaving every other line as it is."""
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


def main():
    text = open(PATH).read()
    if sys.argv[1] == "add-response":
        text = add_response(text, sys.argv[2], sys.argv[3], sys.argv[4])
    open(PATH, "w").write(text)


if __name__ == "__main__":
    main()
