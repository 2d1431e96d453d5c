//! Dotted field paths into JSON documents: `customer.email`,
//! `items.*.iban` (every element), `contacts.0.phone` (one element).

use serde_json::Value;

use crate::error::invalid;

/// The longest path accepted.
const MAX_PATH_CHARS: usize = 256;

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<String>,
}

impl FieldPath {
    /// Parses `a.b.*.c`.
    pub fn parse(text: &str) -> Result<Self, actionkit::ActionError> {
        let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
        if text.is_empty() || text.len() > MAX_PATH_CHARS || segments.iter().any(String::is_empty) {
            return Err(invalid(format!(
                "A field path must be dot-separated names, e.g. customer.email or items.*.iban; {:?} is not.",
                text.chars().take(64).collect::<String>()
            )));
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Calls `f(concrete path, value)` for every value the path selects;
    /// returns how many it selected.
    pub fn visit_mut(
        &self,
        doc: &mut Value,
        f: &mut dyn FnMut(&str, &mut Value) -> Result<(), actionkit::ActionError>,
    ) -> Result<usize, actionkit::ActionError> {
        let mut concrete = Vec::new();
        visit(doc, &self.segments, &mut concrete, f)
    }
}

fn visit(
    value: &mut Value,
    rest: &[String],
    concrete: &mut Vec<String>,
    f: &mut dyn FnMut(&str, &mut Value) -> Result<(), actionkit::ActionError>,
) -> Result<usize, actionkit::ActionError> {
    let Some((head, tail)) = rest.split_first() else {
        f(&concrete.join("."), value)?;
        return Ok(1);
    };
    let mut count = 0;
    match value {
        Value::Object(map) => {
            if let Some(child) = map.get_mut(head) {
                concrete.push(head.clone());
                count += visit(child, tail, concrete, f)?;
                concrete.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                if head == "*" || head.parse::<usize>().ok() == Some(i) {
                    concrete.push(i.to_string());
                    count += visit(child, tail, concrete, f)?;
                    concrete.pop();
                }
            }
        }
        _ => {}
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selects_objects_and_array_elements() {
        let mut doc = json!({"customer": {"email": "a"}, "items": [{"iban": "x"}, {"iban": "y"}, {"other": 1}]});
        let mut seen = Vec::new();
        let n = FieldPath::parse("items.*.iban")
            .unwrap()
            .visit_mut(&mut doc, &mut |p, v| {
                seen.push((p.to_owned(), v.clone()));
                Ok(())
            });
        assert_eq!(n.unwrap(), 2);
        assert_eq!(
            seen,
            [
                ("items.0.iban".to_owned(), json!("x")),
                ("items.1.iban".to_owned(), json!("y"))
            ]
        );
        assert_eq!(
            FieldPath::parse("customer.missing")
                .unwrap()
                .visit_mut(&mut doc, &mut |_, _| Ok(()))
                .unwrap(),
            0
        );
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("").is_err());
    }
}
