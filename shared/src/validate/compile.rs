//! Compiling a JSON schema (the serialized utoipa schema a handler's types
//! generate, with its `$ref` components) into the rules [`super::check`]
//! applies: bounds parsed, patterns compiled, references resolved, once.

use std::collections::{BTreeMap, HashMap};

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

/// Index of a compiled node in its [`Rules`] arena.
pub(crate) type NodeId = usize;

/// The JSON types a node admits (`type`, or a list of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Types(u8);

impl Types {
    pub(crate) const NULL: u8 = 1;
    pub(crate) const BOOLEAN: u8 = 1 << 1;
    pub(crate) const INTEGER: u8 = 1 << 2;
    pub(crate) const NUMBER: u8 = 1 << 3;
    pub(crate) const STRING: u8 = 1 << 4;
    pub(crate) const ARRAY: u8 = 1 << 5;
    pub(crate) const OBJECT: u8 = 1 << 6;

    fn of(name: &str) -> u8 {
        match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOLEAN,
            "integer" => Self::INTEGER,
            "number" => Self::NUMBER,
            "string" => Self::STRING,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => 0,
        }
    }

    pub(crate) fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }
}

/// A numeric bound: its value, as written in the schema, and whether the
/// value itself is excluded.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    pub(crate) value: f64,
    pub(crate) text: String,
    pub(crate) exclusive: bool,
}

/// `minimum`, `maximum`, their exclusive forms, `multipleOf`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberRules {
    pub(crate) min: Option<Bound>,
    pub(crate) max: Option<Bound>,
    pub(crate) multiple_of: Option<(f64, String)>,
}

/// `minLength`, `maxLength`, `pattern`.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringRules {
    pub(crate) min_len: Option<u64>,
    pub(crate) max_len: Option<u64>,
    pub(crate) pattern: Option<(Regex, String)>,
}

/// `minItems`, `maxItems`, `uniqueItems`, `items`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArrayRules {
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) unique: bool,
    pub(crate) items: Option<NodeId>,
}

/// `properties` and `additionalProperties` (when a schema).
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectRules {
    pub(crate) properties: Vec<(String, NodeId)>,
    pub(crate) additional: Option<NodeId>,
}

/// One compiled schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub(crate) types: Option<Types>,
    pub(crate) reference: Option<NodeId>,
    pub(crate) all_of: Vec<NodeId>,
    /// `anyOf` and `oneOf` alike: a value passes when one branch it fits passes.
    pub(crate) any_of: Vec<NodeId>,
    pub(crate) allowed: Option<Vec<Value>>,
    pub(crate) number: Option<NumberRules>,
    pub(crate) string: Option<StringRules>,
    pub(crate) array: Option<ArrayRules>,
    pub(crate) object: Option<ObjectRules>,
    /// Whether this node or one it leads to has a rule to check; nodes
    /// without are skipped at request time.
    pub(crate) active: bool,
    /// Documented as a secret (`format: password` or `writeOnly`): a rule
    /// it breaks is reported without quoting it.
    pub(crate) secret: bool,
}

impl Node {
    fn has_own_rules(&self) -> bool {
        self.allowed.is_some()
            || self.number.is_some()
            || self.string.is_some()
            || self
                .array
                .as_ref()
                .is_some_and(|a| a.min_items.is_some() || a.max_items.is_some() || a.unique)
    }

    fn children(&self) -> impl Iterator<Item = NodeId> + '_ {
        let array = self.array.as_ref().and_then(|a| a.items);
        let object = self
            .object
            .iter()
            .flat_map(|o| o.properties.iter().map(|(_, id)| *id).chain(o.additional));
        self.reference
            .into_iter()
            .chain(self.all_of.iter().copied())
            .chain(self.any_of.iter().copied())
            .chain(array)
            .chain(object)
    }
}

/// A rule that cannot be compiled: a pattern the `regex` crate rejects, a
/// bound that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub(crate) struct RuleError {
    /// The JSON pointer of the rule inside the schema.
    pub(crate) location: String,
    /// What is wrong and how to fix it.
    pub(crate) problem: String,
}

/// The arena every compiled node of one handler lives in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    pub(crate) nodes: Vec<Node>,
}

/// Compiles schemas of one handler, resolving `#/components/schemas/..`
/// references once each (so recursive types compile to a cycle).
pub(crate) struct Compiler<'a> {
    components: &'a BTreeMap<String, Value>,
    resolved: HashMap<String, NodeId>,
    pub(crate) rules: Rules,
}

/// Patterns larger than this once compiled are refused at registration.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

impl<'a> Compiler<'a> {
    pub(crate) fn new(components: &'a BTreeMap<String, Value>) -> Self {
        Self {
            components,
            resolved: HashMap::new(),
            rules: Rules::default(),
        }
    }

    /// Compiles `schema`, found at `location` (a JSON pointer for errors).
    pub(crate) fn compile(&mut self, schema: &Value, location: &str) -> Result<NodeId, RuleError> {
        let id = self.rules.nodes.len();
        self.rules.nodes.push(Node::default());
        let node = self.node(schema, location)?;
        self.rules.nodes[id] = node;
        Ok(id)
    }

    /// Marks every node that has a rule or leads to one (a fixed point, as
    /// references may form cycles).
    pub(crate) fn finish(mut self) -> Rules {
        let nodes = &mut self.rules.nodes;
        for node in nodes.iter_mut() {
            node.active = node.has_own_rules();
        }
        loop {
            let mut changed = false;
            for i in 0..nodes.len() {
                if !nodes[i].active && nodes[i].children().any(|c| nodes[c].active) {
                    nodes[i].active = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.rules
    }

    fn node(&mut self, schema: &Value, location: &str) -> Result<Node, RuleError> {
        let Value::Object(map) = schema else {
            return Ok(Node::default());
        };
        let mut node = Node {
            types: types_of(map),
            secret: map.get("format").and_then(Value::as_str) == Some("password")
                || map.get("writeOnly") == Some(&Value::Bool(true)),
            ..Node::default()
        };
        if let Some(Value::String(target)) = map.get("$ref") {
            node.reference = self.reference(target)?;
        }
        for (key, list) in [("allOf", false), ("anyOf", true), ("oneOf", true)] {
            if let Some(Value::Array(branches)) = map.get(key) {
                for (i, branch) in branches.iter().enumerate() {
                    let id = self.compile(branch, &format!("{location}/{key}/{i}"))?;
                    if list {
                        node.any_of.push(id);
                    } else {
                        node.all_of.push(id);
                    }
                }
            }
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            node.allowed = Some(values.clone());
        }
        node.number = number_rules(map, location)?;
        node.string = self.string_rules(map, location)?;
        node.array = self.array_rules(map, location)?;
        node.object = self.object_rules(map, location)?;
        Ok(node)
    }

    fn reference(&mut self, target: &str) -> Result<Option<NodeId>, RuleError> {
        let Some(name) = target.strip_prefix("#/components/schemas/") else {
            return Ok(None);
        };
        if let Some(id) = self.resolved.get(name) {
            return Ok(Some(*id));
        }
        let Some(schema) = self.components.get(name) else {
            // Unknown references are the schema generator's to report.
            return Ok(None);
        };
        let id = self.rules.nodes.len();
        self.rules.nodes.push(Node::default());
        self.resolved.insert(name.to_owned(), id);
        let node = self.node(schema, target)?;
        self.rules.nodes[id] = node;
        Ok(Some(id))
    }

    fn string_rules(
        &mut self,
        map: &Map<String, Value>,
        location: &str,
    ) -> Result<Option<StringRules>, RuleError> {
        let min_len = count(map, "minLength", location)?;
        let max_len = count(map, "maxLength", location)?;
        let pattern = match map.get("pattern") {
            None => None,
            Some(Value::String(p)) => {
                let regex = RegexBuilder::new(p)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .build()
                    .map_err(|e| RuleError {
                        location: format!("{location}/pattern"),
                        problem: format!(
                            "pattern `{p}` is not a regular expression the `regex` crate accepts \
                             (look-around and back-references are not supported): {e}"
                        ),
                    })?;
                Some((regex, p.clone()))
            }
            Some(_) => return Err(not_a(location, "pattern", "a string")),
        };
        Ok(
            (min_len.is_some() || max_len.is_some() || pattern.is_some()).then_some(StringRules {
                min_len,
                max_len,
                pattern,
            }),
        )
    }

    fn array_rules(
        &mut self,
        map: &Map<String, Value>,
        location: &str,
    ) -> Result<Option<ArrayRules>, RuleError> {
        let min_items = count(map, "minItems", location)?;
        let max_items = count(map, "maxItems", location)?;
        let unique = matches!(map.get("uniqueItems"), Some(Value::Bool(true)));
        let items = match map.get("items") {
            Some(items @ Value::Object(_)) => {
                Some(self.compile(items, &format!("{location}/items"))?)
            }
            _ => None,
        };
        Ok(
            (min_items.is_some() || max_items.is_some() || unique || items.is_some()).then_some(
                ArrayRules {
                    min_items,
                    max_items,
                    unique,
                    items,
                },
            ),
        )
    }

    fn object_rules(
        &mut self,
        map: &Map<String, Value>,
        location: &str,
    ) -> Result<Option<ObjectRules>, RuleError> {
        let mut rules = ObjectRules::default();
        if let Some(Value::Object(properties)) = map.get("properties") {
            for (name, schema) in properties {
                let id = self.compile(schema, &format!("{location}/properties/{name}"))?;
                rules.properties.push((name.clone(), id));
            }
        }
        if let Some(additional @ Value::Object(_)) = map.get("additionalProperties") {
            rules.additional =
                Some(self.compile(additional, &format!("{location}/additionalProperties"))?);
        }
        Ok((!rules.properties.is_empty() || rules.additional.is_some()).then_some(rules))
    }
}

fn types_of(map: &Map<String, Value>) -> Option<Types> {
    match map.get("type")? {
        Value::String(name) => Some(Types(Types::of(name))),
        Value::Array(names) => Some(Types(
            names
                .iter()
                .filter_map(Value::as_str)
                .fold(0, |acc, name| acc | Types::of(name)),
        )),
        _ => None,
    }
}

fn number_rules(
    map: &Map<String, Value>,
    location: &str,
) -> Result<Option<NumberRules>, RuleError> {
    let bound = |key: &str| -> Result<Option<(f64, String)>, RuleError> {
        match map.get(key) {
            None | Some(Value::Bool(_)) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64().map(|f| (f, n.to_string()))),
            Some(_) => Err(not_a(location, key, "a number")),
        }
    };
    // OpenAPI 3.0 writes `exclusiveMinimum: true` beside `minimum`; 3.1
    // (utoipa's output) writes the bound itself.
    let flag = |key: &str| matches!(map.get(key), Some(Value::Bool(true)));
    let pick = |inclusive: Option<(f64, String)>,
                exclusive: Option<(f64, String)>,
                old_style: bool| {
        match (inclusive, exclusive) {
            (_, Some((value, text))) => Some(Bound {
                value,
                text,
                exclusive: true,
            }),
            (Some((value, text)), None) => Some(Bound {
                value,
                text,
                exclusive: old_style,
            }),
            (None, None) => None,
        }
    };
    let min = pick(
        bound("minimum")?,
        bound("exclusiveMinimum")?,
        flag("exclusiveMinimum"),
    );
    let max = pick(
        bound("maximum")?,
        bound("exclusiveMaximum")?,
        flag("exclusiveMaximum"),
    );
    let multiple_of = match bound("multipleOf")? {
        Some((m, _)) if m <= 0.0 => {
            return Err(not_a(location, "multipleOf", "a number above 0"));
        }
        other => other,
    };
    Ok(
        (min.is_some() || max.is_some() || multiple_of.is_some()).then_some(NumberRules {
            min,
            max,
            multiple_of,
        }),
    )
}

fn count(map: &Map<String, Value>, key: &str, location: &str) -> Result<Option<u64>, RuleError> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| not_a(location, key, "a whole number from 0 up")),
    }
}

fn not_a(location: &str, key: &str, what: &str) -> RuleError {
    RuleError {
        location: format!("{location}/{key}"),
        problem: format!("`{key}` must be {what}"),
    }
}
