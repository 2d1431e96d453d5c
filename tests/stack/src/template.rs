//! `template.yaml` as a `serde_json::Value`.

use serde_json::{Map, Value, json};
use serde_norway::Value as Yaml;

/// The template's text.
pub fn template_text() -> String {
    let path = actionkit_testkit::repo_root().join("template.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The template as JSON: `!Ref X` becomes `{"Ref": "X"}`, `!GetAtt A.B`
/// becomes `{"Fn::GetAtt": ["A", "B"]}`, any other `!Fn` becomes `{"Fn::Fn": ...}`.
pub fn template() -> Value {
    let yaml: Yaml = serde_norway::from_str(&template_text())
        .unwrap_or_else(|e| panic!("template.yaml is not YAML: {e}"));
    to_json(yaml)
}

/// `(logical id, resource)` for every resource of `kind`, in template order.
pub fn resources_of_type<'t>(template: &'t Value, kind: &str) -> Vec<(&'t str, &'t Value)> {
    template["Resources"]
        .as_object()
        .map(|resources| {
            resources
                .iter()
                .filter(|(_, r)| r["Type"] == kind)
                .map(|(id, r)| (id.as_str(), r))
                .collect()
        })
        .unwrap_or_default()
}

fn to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s,
                    other => serde_norway::to_string(&other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                };
                out.insert(key, to_json(v));
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value);
            match (name, value) {
                ("Ref", v) => json!({ "Ref": v }),
                ("GetAtt", Value::String(s)) => {
                    let (resource, attribute) = s.split_once('.').unwrap_or((&s, ""));
                    json!({ "Fn::GetAtt": [resource, attribute] })
                }
                (other, v) => json!({ format!("Fn::{other}"): v }),
            }
        }
    }
}
