#!/usr/bin/env python3
"""Validate OpenAPI documents with openapi-spec-validator (OpenAPI 3.0).

Usage: validate_openapi.py PATH [PATH ...]   (files, or folders of *.json)

Every *.openapi.json / openapi/*.json document must be a valid OpenAPI 3.0.x
document. Files that are not OpenAPI documents (function schemas) are skipped
by name: only files whose top level has an "openapi" key are validated, and a
folder that holds no document at all is an error, so a typo cannot make the
check pass vacuously.
"""
import json
import pathlib
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from openapi_spec_validator import OpenAPIV30SpecValidator


def documents(paths):
    for arg in paths:
        p = pathlib.Path(arg)
        files = sorted(p.glob("*.json")) if p.is_dir() else [p]
        for f in files:
            doc = json.loads(f.read_text())
            if isinstance(doc, dict) and "openapi" in doc:
                yield f, doc


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    checked, failed = 0, 0
    for path, doc in documents(argv):
        checked += 1
        if not str(doc.get("openapi", "")).startswith("3.0"):
            print(f"FAIL {path}: openapi is {doc.get('openapi')!r}, Bedrock wants 3.0.0")
            failed += 1
            continue
        try:
            validate(doc, cls=OpenAPIV30SpecValidator)
            print(f"ok   {path} (OpenAPI {doc['openapi']}, {sum(len(v) for v in doc['paths'].values())} operations)")
        except OpenAPIValidationError as e:
            print(f"FAIL {path}: {e.message} at {'/'.join(map(str, e.path))}")
            failed += 1
    if checked == 0:
        print("FAIL no OpenAPI documents found in " + " ".join(argv))
        return 1
    print(f"openapi-spec-validator: {checked - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
