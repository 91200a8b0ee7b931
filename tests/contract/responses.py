"""The contract as a tool sees it: every exchange the API tests made through tests/client.py
is checked against docs/openapi.yaml, the way a spec-conformance checker would.

For each response to a described operation (path template and method):
- its status is documented for that operation;
- its Content-Type is one of the documented media types (a documented type without
  parameters matches any parameters, one with parameters must match them too), and a
  response documented without content has no body;
- a JSON body validates against the documented schema (OpenAPI 3.1 schemas are JSON Schema
  2020-12; $ref points into the document's components).
And for each request: every query parameter it sends is declared, and when the server
accepted it (2xx) its JSON body validates against the documented request body.

Exchanges with paths the document does not describe (static pages, unknown endpoints) or
with methods it has no operation for (405, OPTIONS) have nothing to be checked against.
Problems are grouped (operation, status, what is wrong) so that 50 parallel requests with
the same problem make one failure, naming the route."""
import datetime
import gzip
import json
import os
import re
import sys
import uuid
from urllib.parse import parse_qsl, unquote, urlsplit

# Debian's python3-jsonschema (scripts/deps.sh installs it) is the validator, whichever
# python3 runs the tests; it is found by path when that python3 is not Debian's own.
_DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"
if os.path.isdir(os.path.join(_DEBIAN_PACKAGES, "jsonschema")) and _DEBIAN_PACKAGES not in sys.path:
    sys.path.insert(0, _DEBIAN_PACKAGES)
    try:
        from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402
    finally:
        sys.path.remove(_DEBIAN_PACKAGES)
else:
    from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402

# The formats the document uses, checked the same way whichever jsonschema version runs.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value):
    if isinstance(value, str):
        datetime.date.fromisoformat(value)
    return True


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value):
    if isinstance(value, str) and (len(value) != 36 or str(uuid.UUID(value)) != value.lower()):
        raise ValueError("not a UUID")
    return True


METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load_spec(path):
    """docs/openapi.yaml is JSON after its leading '#' comment lines, as the server reads it."""
    with open(path, encoding="utf-8") as f:
        return json.loads("".join(line for line in f if not line.startswith("#")))


def media_essence(value):
    return value.split(";", 1)[0].strip().lower()


def media_params(value):
    return sorted(p.strip().lower().replace(" ", "") for p in value.split(";")[1:] if p.strip())


def media_matches(documented, served):
    if media_essence(documented) != media_essence(served):
        return False
    want = media_params(documented)
    return not want or want == media_params(served)


def is_json(media):
    essence = media_essence(media)
    return essence == "application/json" or essence.endswith("+json")


class Contract:
    def __init__(self, spec):
        self.spec = spec
        self.routes = []
        for template, item in spec.get("paths", {}).items():
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[^/]+?\}", "", template))
            self.routes.append((re.compile(pattern), literal, template, item))
        # OpenAPI: a path with more literal text wins over a templated one it also matches.
        self.routes.sort(key=lambda r: -r[1])
        self._validators = {}

    def route(self, path):
        for rx, _, template, item in self.routes:
            if rx.match(path):
                return template, item
        return None, None

    def resolve(self, obj):
        """Follows a local $ref (responses, request bodies, parameters) to its target."""
        seen = 0
        while isinstance(obj, dict) and "$ref" in obj and seen < 16:
            node = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
            seen += 1
        return obj

    def validator(self, key, schema):
        v = self._validators.get(key)
        if v is None:
            # The schema sits in a document that holds the components, so that "#/components/..."
            # resolves there with any version of the jsonschema package.
            root = {"components": self.spec.get("components", {})}
            root.update(schema)
            v = self._validators[key] = Draft202012Validator(root, format_checker=FORMATS)
        return v

    def parameters(self, item, op):
        out = {}
        for p in item.get("parameters", []) + op.get("parameters", []):
            p = self.resolve(p)
            out[(p["in"], p["name"])] = p
        return out


def _header(x, name):
    return next((v for k, v in x.headers if k.lower() == name.lower()), None)


def _decoded(x):
    body = x.body or b""
    if body and "gzip" in (_header(x, "Content-Encoding") or "").lower():
        body = gzip.decompress(body)
    return body


def operation_of(contract, x):
    """(path template, method, operation) the exchange was a call of, or None when the
    document describes no such operation. HEAD is answered as GET."""
    path = urlsplit(x.target).path
    template, item = contract.route(path)
    if template is None:
        template, item = contract.route(unquote(path))
    method = "get" if x.method.lower() == "head" else x.method.lower()
    if template is None or method not in item:
        return None
    return template, method, item[method]


def _schema_errors(validator, instance, limit=3):
    errors = sorted(validator.iter_errors(instance), key=lambda e: (list(e.absolute_path), e.message))
    out = []
    for e in errors[:limit]:
        # For oneOf/anyOf, the deepest error of an alternative says more than "not valid under any".
        while e.context:
            e = max(e.context, key=lambda c: (len(c.absolute_path), -len(c.message)))
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        out.append(f"at {where}: {e.message[:300]}")
    if len(errors) > limit:
        out.append(f"... and {len(errors) - limit} more")
    return out


def check_exchange(contract, x):
    """Yields (problem, detail) for one exchange; problem names the route and what is wrong."""
    found = operation_of(contract, x)
    if found is None:
        return
    template, op_method, op = found
    url = urlsplit(x.target)
    method = x.method.lower()
    name = f"{x.method} {template}"

    params = contract.parameters(contract.spec["paths"][template], op)
    for key, _ in parse_qsl(url.query, keep_blank_values=True):
        if ("query", key) not in params:
            yield f"{name}: query parameter '{key}' is not declared", x.target

    responses = op.get("responses", {})
    status = str(x.status)
    response = responses.get(status) or responses.get(status[0] + "XX")
    if response is None:
        excerpt = (x.body or b"")[:300].decode("utf-8", "replace")
        yield f"{name}: status {status} is not documented", f"{x.target} -> {excerpt}"
        return
    if method != "head":
        yield from _check_body(contract, name, template, op_method, contract.resolve(response), x)
    if 200 <= x.status < 300 and x.request_body:
        yield from _check_request_body(contract, name, template, op_method, op, x)


def _check_body(contract, name, template, op_method, response, x):
    """The response's media type against the documented ones, and a JSON body against its schema."""
    status = str(x.status)
    content = response.get("content") or {}
    body = _decoded(x)
    served = _header(x, "Content-Type")
    if not content:
        if body:
            yield (f"{name} {status}: a body ({served}) is sent but none is documented",
                   f"{x.target} -> {body[:300].decode('utf-8', 'replace')}")
    elif not served:
        if body or x.status not in (204, 304):
            yield f"{name} {status}: no Content-Type is sent", x.target
    else:
        media = next((m for m in content if media_matches(m, served)), None)
        if media is None:
            yield (f"{name} {status}: media type '{served}' is not documented (documented: "
                   f"{', '.join(content)})", x.target)
        elif is_json(media) and "schema" in content[media]:
            try:
                instance = json.loads(body.decode("utf-8"))
            except ValueError as e:
                yield f"{name} {status}: the body is not JSON ({e})", x.target
            else:
                v = contract.validator((template, op_method, status, media), content[media]["schema"])
                errors = _schema_errors(v, instance)
                if errors:
                    yield (f"{name} {status}: the body does not match the schema",
                           f"{x.target}\n  " + "\n  ".join(errors) +
                           f"\n  body: {body[:400].decode('utf-8', 'replace')}")


def _check_request_body(contract, name, template, op_method, op, x):
    body_doc = contract.resolve(op.get("requestBody"))
    sent = next((v for k, v in x.request_headers.items() if k.lower() == "content-type"), None)
    if not body_doc:
        yield f"{name}: a request body was accepted but none is documented", x.target
        return
    content = body_doc.get("content", {})
    media = next((m for m in content if media_matches(m, sent or "")), None)
    if media is None:
        # A body sent without a Content-Type is judged by the one documented media type.
        media = next(iter(content)) if not sent and len(content) == 1 else None
    if media is None:
        yield (f"{name}: request media type '{sent}' was accepted but is not documented "
               f"(documented: {', '.join(content)})", x.target)
        return
    if not is_json(media) or "schema" not in content[media]:
        return
    try:
        instance = json.loads(x.request_body)
    except ValueError:
        yield f"{name}: the server accepted a request body that is not JSON", x.target
        return
    v = contract.validator((template, op_method, "request", media), content[media]["schema"])
    errors = _schema_errors(v, instance)
    if errors:
        yield (f"{name}: an accepted request body does not match the documented schema",
               f"{x.target}\n  " + "\n  ".join(errors) +
               f"\n  request: {x.request_body[:400]!r}")


def check_all(spec_path, exchanges):
    """Returns (results, notes): results are (name, ok, detail) for the runner to report;
    notes are lines about coverage, for information."""
    contract = Contract(load_spec(spec_path))
    problems = {}
    checked = 0
    seen_ops = set()
    for x in exchanges:
        found = operation_of(contract, x)
        if found is not None:
            checked += 1
            seen_ops.add((found[1].upper(), found[0]))
        for problem, detail in check_exchange(contract, x):
            count, first = problems.get(problem, (0, detail))
            problems[problem] = (count + 1, first)
    results = []
    for problem in sorted(problems):
        count, detail = problems[problem]
        results.append((f"contract: {problem}", False, f"  {count} time(s); first: {detail}"))
    if not problems:
        results.append((f"contract: {checked} responses to {len(seen_ops)} operations match docs/openapi.yaml",
                        checked > 0, "no response to a described operation was recorded"))
    all_ops = {(m.upper(), p) for p, item in contract.spec.get("paths", {}).items() for m in item if m in METHODS}
    missing = sorted(all_ops - seen_ops, key=lambda o: (o[1], o[0]))
    notes = []
    if missing:
        notes.append(f"contract: {len(missing)} operations had no response to check: " +
                     ", ".join(f"{m} {p}" for m, p in missing))
    return results, notes
