#!/usr/bin/env python3
"""Print an OpenAPI document's operations and parameters, for a person."""
import json
import sys

doc = json.load(open(sys.argv[1]))
print(f"{doc['info']['title']} {doc['info']['version']} (OpenAPI {doc['openapi']})")
for path, item in doc["paths"].items():
    for method, op in item.items():
        print(f"  {method.upper()} {path}  operationId={op['operationId']}")
        print(f"    {op['description']}")
        for p in op.get("parameters", []):
            schema = p["schema"]
            extra = f", default {schema['default']}" if "default" in schema else ""
            req = "required" if p.get("required") else "optional"
            print(f"    - {p['name']} ({p['in']}, {schema.get('type')}, {req}{extra}): {p.get('description', '')}")
        print(f"    responses: {', '.join(op['responses'])}")
