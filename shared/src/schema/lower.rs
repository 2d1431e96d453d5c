//! Lowering utoipa's OpenAPI 3.1 JSON Schema to the OpenAPI 3.0 subset
//! Bedrock Agents accept, and inlining `$ref`s so that each operation is
//! self-contained for the model.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{append_sentence, display_value};

/// Why a schema could not be lowered; turned into a
/// [`SchemaError::UnsupportedType`](crate::SchemaError) by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported {
    pub(crate) pointer: String,
    pub(crate) what: String,
}

const REF_PREFIX: &str = "#/components/schemas/";

/// Keywords of JSON Schema 2020-12 / OpenAPI 3.1 that have no 3.0 meaning
/// and carry nothing the model needs: dropped.
const DROPPED_KEYWORDS: [&str; 9] = [
    "$schema",
    "$id",
    "$comment",
    "contentEncoding",
    "contentMediaType",
    "unevaluatedProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
];

/// Keywords that change what is valid and cannot be expressed in 3.0: refused.
const REFUSED_KEYWORDS: [&str; 6] = [
    "prefixItems",
    "if",
    "then",
    "else",
    "$dynamicRef",
    "patternProperties",
];

/// Replaces every `$ref` to a component schema with the schema itself.
pub(crate) fn inline_refs(
    schema: &Value,
    components: &BTreeMap<String, Value>,
    pointer: &str,
) -> Result<Value, Unsupported> {
    let mut stack = Vec::new();
    inline(schema, components, pointer, &mut stack)
}

fn inline(
    schema: &Value,
    components: &BTreeMap<String, Value>,
    pointer: &str,
    stack: &mut Vec<String>,
) -> Result<Value, Unsupported> {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let name = reference.strip_prefix(REF_PREFIX).unwrap_or(reference);
                let Some(target) = components.get(name) else {
                    return Err(Unsupported {
                        pointer: pointer.to_owned(),
                        what: format!(
                            "a reference to `{name}` whose schema is unknown (declare the parameter type \
                             with #[actionkit::model], which inlines every type it uses, or mark \
                             the field #[param(inline)] / #[schema(inline)])"
                        ),
                    });
                };
                if stack.iter().any(|s| s == name) {
                    return Err(Unsupported {
                        pointer: pointer.to_owned(),
                        what: format!("the recursive type `{name}`"),
                    });
                }
                stack.push(name.to_owned());
                let mut resolved = inline(target, components, pointer, stack)?;
                stack.pop();
                // 3.1 allows siblings of $ref (a field's own description): they win.
                if let Value::Object(resolved_map) = &mut resolved {
                    for (k, v) in map {
                        if k != "$ref" {
                            resolved_map.insert(k.clone(), inline(v, components, pointer, stack)?);
                        }
                    }
                }
                return Ok(resolved);
            }
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let child = format!("{pointer}/{k}");
                out.insert(k.clone(), inline(v, components, &child, stack)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| inline(v, components, &format!("{pointer}/{i}"), stack))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// Lowers one (inlined) schema in place, recursively.
pub(crate) fn lower_schema(schema: &mut Value, pointer: &str) -> Result<(), Unsupported> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    for keyword in REFUSED_KEYWORDS {
        if map.contains_key(keyword) {
            return Err(Unsupported {
                pointer: pointer.to_owned(),
                what: format!("the JSON Schema keyword `{keyword}`"),
            });
        }
    }
    for keyword in DROPPED_KEYWORDS {
        map.remove(keyword);
    }

    // Recurse first so that merged children are already lowered.
    for key in ["properties"] {
        if let Some(Value::Object(props)) = map.get_mut(key) {
            for (name, child) in props.iter_mut() {
                lower_schema(child, &format!("{pointer}/{key}/{name}"))?;
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child @ Value::Object(_)) = map.get_mut(key) {
            lower_schema(child, &format!("{pointer}/{key}"))?;
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            for (i, child) in children.iter_mut().enumerate() {
                lower_schema(child, &format!("{pointer}/{key}/{i}"))?;
            }
        }
    }

    lower_type_array(map, pointer)?;
    lower_null_alternatives(map);
    lower_examples(map);
    lower_exclusive_bounds(map);
    move_into_description(map);
    Ok(())
}

/// `type: [T, "null"]` → `type: T, nullable: true`.
fn lower_type_array(map: &mut Map<String, Value>, pointer: &str) -> Result<(), Unsupported> {
    let Some(Value::Array(types)) = map.get("type") else {
        return Ok(());
    };
    let had_null = types.iter().any(|t| t == "null");
    let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    match rest.as_slice() {
        [single] => {
            map.insert("type".into(), single.clone());
        }
        [] => {
            map.remove("type");
        }
        _ => {
            return Err(Unsupported {
                pointer: pointer.to_owned(),
                what: "a value of several types".to_owned(),
            });
        }
    }
    if had_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").is_some_and(|t| t == "null")
}

/// `oneOf/anyOf: [{type: null}, X]` → `X` with `nullable: true`.
fn lower_null_alternatives(map: &mut Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(alternatives)) = map.get_mut(key) else {
            continue;
        };
        let before = alternatives.len();
        alternatives.retain(|a| !is_null_schema(a));
        if alternatives.len() == before {
            continue;
        }
        map.insert("nullable".into(), Value::Bool(true));
        let single = matches!(map.get(key), Some(Value::Array(a)) if a.len() == 1);
        if single
            && let Some(Value::Object(only)) =
                map.remove(key).and_then(|v| v.as_array()?.first().cloned())
        {
            for (k, v) in only {
                // The wrapper's own keys (description, default) win.
                map.entry(k).or_insert(v);
            }
        }
    }
}

/// `examples: [a, ...]` → `example: a`.
fn lower_examples(map: &mut Map<String, Value>) {
    if let Some(examples) = map.remove("examples") {
        let first = match examples {
            Value::Array(mut list) if !list.is_empty() => Some(list.swap_remove(0)),
            Value::Array(_) => None,
            other => Some(other),
        };
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
}

/// Numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true`.
fn lower_exclusive_bounds(map: &mut Map<String, Value>) {
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(bound @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(inclusive.into(), bound);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
}

/// Bedrock does not support `enum` (nor 3.1's `const`): the allowed values
/// move into the description, where the model reads them.
fn move_into_description(map: &mut Map<String, Value>) {
    let mut notes = Vec::new();
    if let Some(Value::Array(values)) = map.remove("enum") {
        if values.iter().any(Value::is_null) {
            map.insert("nullable".into(), Value::Bool(true));
        }
        let listed: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(display_value)
            .collect();
        if !listed.is_empty() {
            notes.push(format!("Allowed values: {}.", listed.join(", ")));
        }
    }
    if let Some(value) = map.remove("const") {
        notes.push(format!("Must be {}.", display_value(&value)));
    }
    if notes.is_empty() {
        return;
    }
    let existing = map.get("description").and_then(Value::as_str).unwrap_or("");
    let description = append_sentence(existing, &notes.join(" "));
    map.insert("description".into(), Value::String(description));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lowered(mut v: Value) -> Value {
        lower_schema(&mut v, "#").unwrap();
        v
    }

    #[test]
    fn lowers_every_31_construct() {
        assert_eq!(
            lowered(json!({"type":["integer","null"],"format":"int32"})),
            json!({"type":"integer","format":"int32","nullable":true})
        );
        assert_eq!(
            lowered(
                json!({"oneOf":[{"type":"null"},{"type":"object","properties":{"a":{"type":"string"}}}],"description":"d"})
            ),
            json!({"description":"d","nullable":true,"type":"object","properties":{"a":{"type":"string"}}})
        );
        assert_eq!(
            lowered(json!({"examples":["x","y"]})),
            json!({"example":"x"})
        );
        assert_eq!(
            lowered(json!({"type":"number","exclusiveMinimum":0})),
            json!({"type":"number","exclusiveMinimum":true,"minimum":0})
        );
        assert_eq!(
            lowered(json!({"type":"string","enum":["low","high"],"description":"Level"})),
            json!({"type":"string","description":"Level. Allowed values: low, high."})
        );
        assert_eq!(
            lowered(json!({"type":"string","const":"v1"})),
            json!({"type":"string","description":"Must be v1."})
        );
        assert_eq!(
            lowered(
                json!({"type":"object","properties":{"x":{"type":["string","null"],"enum":["a",null]}}})
            ),
            json!({"type":"object","properties":{"x":{"type":"string","nullable":true,"description":"Allowed values: a."}}})
        );
    }

    #[test]
    fn refuses_what_30_cannot_say() {
        let mut v = json!({"type":"array","prefixItems":[{"type":"string"}]});
        assert!(
            lower_schema(&mut v, "#")
                .unwrap_err()
                .what
                .contains("prefixItems")
        );
        let mut v = json!({"type":["string","integer"]});
        assert!(lower_schema(&mut v, "#").is_err());
    }

    #[test]
    fn inlines_refs_and_refuses_recursion() {
        let mut components = BTreeMap::new();
        components.insert(
            "A".to_owned(),
            json!({"type":"object","properties":{"b":{"$ref":"#/components/schemas/B"}}}),
        );
        components.insert("B".to_owned(), json!({"type":"string"}));
        let v = inline_refs(
            &json!({"$ref":"#/components/schemas/A","description":"an A"}),
            &components,
            "#",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"type":"object","properties":{"b":{"type":"string"}},"description":"an A"})
        );
        components.insert(
            "B".to_owned(),
            json!({"type":"array","items":{"$ref":"#/components/schemas/A"}}),
        );
        assert!(inline_refs(&json!({"$ref":"#/components/schemas/A"}), &components, "#").is_err());
        assert!(inline_refs(&json!({"$ref":"#/components/schemas/Z"}), &components, "#").is_err());
    }
}
