//! Decoding of Bedrock's stringly-typed values into typed Rust structs.
//!
//! Bedrock Agents send every parameter and body property as a JSON *string*,
//! whatever its declared type. Instead of trusting the declared `type` field
//! (which the model can get wrong), [`Lenient`] coerces each string by the
//! type the *target field* asks for: an `i64` field parses the string as an
//! integer, a `Vec<T>` field accepts a JSON array or the `[a, b]` form some
//! runtimes produce, a nested struct accepts a JSON object. Strings are never
//! split on commas. Real JSON types (Step Functions, AgentCore Gateway) pass
//! through the same deserializer unchanged.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::{Map, Value};

/// The longest received value quoted back in an error message.
pub(crate) const MAX_QUOTED_CHARS: usize = 80;

/// One step of the path to the value that failed to decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathSegment {
    Field(String),
    Index(usize),
}

/// Why a value could not be decoded into its target type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeErrorKind {
    /// A required field is absent.
    Missing,
    /// A value is present but not of the expected type or range.
    Invalid { expected: String, received: String },
    /// Any other message raised by a `Deserialize` implementation.
    Custom(String),
    /// The value has the right type but breaks a rule its schema documents
    /// (`maximum`, `pattern`, ...): see [`crate::validate`].
    Violation {
        /// The schema keyword broken, e.g. `maximum`.
        rule: &'static str,
        /// What the rule allows, e.g. `from 1 to 100`.
        expected: String,
        /// What was received, shortened.
        received: String,
    },
}

/// A decoding failure with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// Innermost segment last once the error has bubbled up.
    path: Vec<PathSegment>,
    pub(crate) kind: DecodeErrorKind,
}

impl DecodeError {
    fn invalid(expected: impl Into<String>, received: &Value) -> Self {
        Self {
            path: Vec::new(),
            kind: DecodeErrorKind::Invalid {
                expected: expected.into(),
                received: quote(received),
            },
        }
    }

    /// A broken schema rule at `path` (outermost segment first).
    pub(crate) fn violation(
        path: Vec<PathSegment>,
        rule: &'static str,
        expected: String,
        received: String,
    ) -> Self {
        Self {
            path,
            kind: DecodeErrorKind::Violation {
                rule,
                expected,
                received,
            },
        }
    }

    fn within(mut self, segment: PathSegment) -> Self {
        self.path.insert(0, segment);
        self
    }

    /// The dotted path of the offending field (`items[2].amount`), or `""`
    /// when the whole value is at fault.
    pub(crate) fn path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                PathSegment::Index(i) => {
                    out.push_str(&format!("[{i}]"));
                }
            }
        }
        out
    }
}

impl DecodeError {
    /// The message without the received value: for callers whose error
    /// messages are stored (Step Functions execution history), where a
    /// value could be personal data.
    pub(crate) fn without_received(&self) -> String {
        match &self.kind {
            DecodeErrorKind::Invalid { expected, .. }
            | DecodeErrorKind::Violation { expected, .. } => {
                let path = self.path();
                if path.is_empty() {
                    format!("the input must be {expected}")
                } else {
                    format!("`{path}` must be {expected}")
                }
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        let subject = if path.is_empty() {
            "the input".to_owned()
        } else {
            format!("`{path}`")
        };
        match &self.kind {
            DecodeErrorKind::Missing => write!(f, "{subject} is required but was not provided"),
            DecodeErrorKind::Invalid { expected, received }
            | DecodeErrorKind::Violation {
                expected, received, ..
            } => {
                write!(f, "{subject} must be {expected}; received {received}")
            }
            DecodeErrorKind::Custom(message) => write!(f, "{subject} is invalid: {message}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            path: Vec::new(),
            kind: DecodeErrorKind::Custom(truncate(&msg.to_string(), 200)),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            path: vec![PathSegment::Field(field.to_owned())],
            kind: DecodeErrorKind::Missing,
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self {
            path: Vec::new(),
            kind: DecodeErrorKind::Invalid {
                expected: exp.to_string(),
                received: truncate(&unexp.to_string(), MAX_QUOTED_CHARS),
            },
        }
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self {
            path: Vec::new(),
            kind: DecodeErrorKind::Invalid {
                expected: format!("one of {}", expected.join(", ")),
                received: quote(&Value::String(variant.to_owned())),
            },
        }
    }
}

/// Quotes a received value for an error message, shortened so that a huge
/// input cannot blow up the response.
pub(crate) fn quote(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{}\"", truncate(s, MAX_QUOTED_CHARS)),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::Null => "null".to_owned(),
        other => truncate(&other.to_string(), MAX_QUOTED_CHARS),
    }
}

pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => s.chars().filter(|c| !c.is_control()).collect(),
        Some((cut, _)) => {
            let kept: String = s[..cut].chars().filter(|c| !c.is_control()).collect();
            format!("{kept}… ({} chars)", s.chars().count())
        }
    }
}

/// Decodes `T` from a JSON value, coercing strings to the types `T` asks for.
pub(crate) fn decode<T: de::DeserializeOwned>(value: &Value) -> Result<T, DecodeError> {
    T::deserialize(Lenient { value })
}

/// A `serde` deserializer over a borrowed JSON value that coerces strings.
#[derive(Clone, Copy)]
pub(crate) struct Lenient<'a> {
    value: &'a Value,
}

impl<'a> Lenient<'a> {
    fn parse_int(&self, expected: &'static str) -> Result<i128, DecodeError> {
        let parsed = match self.value {
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .or_else(|| n.as_f64().and_then(integral)),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i128>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().and_then(integral))
            }
            _ => None,
        };
        parsed.ok_or_else(|| DecodeError::invalid(expected, self.value))
    }

    fn parse_float(&self) -> Result<f64, DecodeError> {
        let parsed = match self.value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        parsed
            .filter(|f| f.is_finite())
            .ok_or_else(|| DecodeError::invalid("a number", self.value))
    }

    /// Elements of an array given as JSON, as `[a, b]`, or as one bare value.
    fn elements(&self) -> Result<ElementSource<'a>, DecodeError> {
        match self.value {
            Value::Array(items) => Ok(ElementSource::Borrowed(items)),
            Value::String(s) => {
                let t = s.trim();
                if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    if let Ok(Value::Array(items)) = crate::event::lenient_json(t) {
                        return Ok(ElementSource::Owned(items));
                    }
                    // The `toString()` form: `[a, b]`. The brackets tell us the
                    // model meant a list, so splitting *inside* them is safe.
                    let items = if inner.trim().is_empty() {
                        Vec::new()
                    } else {
                        inner
                            .split(',')
                            .map(|part| Value::String(part.trim().to_owned()))
                            .collect()
                    };
                    Ok(ElementSource::Owned(items))
                } else {
                    // A single bare value is a one-element list; never split it.
                    Ok(ElementSource::Owned(vec![self.value.clone()]))
                }
            }
            Value::Null => Err(DecodeError::invalid("an array", self.value)),
            other => Ok(ElementSource::Owned(vec![other.clone()])),
        }
    }

    /// An object given as JSON object or as a string holding one.
    fn object(&self) -> Result<ObjectSource<'a>, DecodeError> {
        match self.value {
            Value::Object(map) => Ok(ObjectSource::Borrowed(map)),
            Value::String(s) => match crate::event::lenient_json(s.trim()) {
                Ok(Value::Object(map)) => Ok(ObjectSource::Owned(map)),
                _ => Err(DecodeError::invalid("a JSON object", self.value)),
            },
            _ => Err(DecodeError::invalid("a JSON object", self.value)),
        }
    }
}

/// The number a value stands for, read as the decoder reads a number field
/// (a JSON number or a numeric string); `None` when it is not one.
pub(crate) fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// The elements of a value, read as the decoder reads a list field (a JSON
/// array, the `[a, b]` form, one bare value); `None` for `null`.
pub(crate) fn elements_of(value: &Value) -> Option<Cow<'_, [Value]>> {
    match (Lenient { value }).elements().ok()? {
        ElementSource::Borrowed(items) => Some(Cow::Borrowed(items)),
        ElementSource::Owned(items) => Some(Cow::Owned(items)),
    }
}

/// The object a value stands for, read as the decoder reads a struct field
/// (a JSON object or a string holding one).
pub(crate) fn object_of(value: &Value) -> Option<Cow<'_, Map<String, Value>>> {
    match (Lenient { value }).object().ok()? {
        ObjectSource::Borrowed(map) => Some(Cow::Borrowed(map)),
        ObjectSource::Owned(map) => Some(Cow::Owned(map)),
    }
}

/// The text a value stands for, read as the decoder reads a string field
/// (numbers and booleans spelled out).
pub(crate) fn text_of(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

fn integral(f: f64) -> Option<i128> {
    // The range check keeps the cast exact; beyond 2^63 floats are too coarse anyway.
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i128)
}

enum ElementSource<'a> {
    Borrowed(&'a [Value]),
    Owned(Vec<Value>),
}

enum ObjectSource<'a> {
    Borrowed(&'a Map<String, Value>),
    Owned(Map<String, Value>),
}

/// What an integer field asks for, in the caller's words: never the Rust
/// type's range (`0 and 4294967295` means nothing to a model). A whole
/// number beyond the type's range is "too large" or "too small" instead;
/// documented bounds are checked before decoding (see [`crate::validate`]).
macro_rules! deserialize_integer {
    ($($method:ident => $visit:ident, $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let n = self.parse_int($expected)?;
            let n = <$ty>::try_from(n).map_err(|_| {
                let expected = if n < 0 && <$ty>::MIN == 0 {
                    $expected
                } else if n < 0 {
                    "a whole number closer to 0"
                } else {
                    "a smaller whole number"
                };
                DecodeError::invalid(expected, self.value)
            })?;
            visitor.$visit(n)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Lenient<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(_) => self.deserialize_seq(visitor),
            Value::Object(_) => self.deserialize_map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => visitor.visit_bool(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => visitor.visit_bool(false),
            _ => Err(DecodeError::invalid(
                "a boolean (true or false)",
                self.value,
            )),
        }
    }

    deserialize_integer! {
        deserialize_i8 => visit_i8, i8, "a whole number";
        deserialize_i16 => visit_i16, i16, "a whole number";
        deserialize_i32 => visit_i32, i32, "a whole number";
        deserialize_i64 => visit_i64, i64, "a whole number";
        deserialize_u8 => visit_u8, u8, "a whole number from 0 up";
        deserialize_u16 => visit_u16, u16, "a whole number from 0 up";
        deserialize_u32 => visit_u32, u32, "a whole number from 0 up";
        deserialize_u64 => visit_u64, u64, "a whole number from 0 up";
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f32(self.parse_float()? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f64(self.parse_float()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::String(s) if s.chars().count() == 1 => {
                visitor.visit_char(s.chars().next().unwrap_or_default())
            }
            _ => Err(DecodeError::invalid("a single character", self.value)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::String(s) => visitor.visit_str(s),
            Value::Number(n) => visitor.visit_string(n.to_string()),
            Value::Bool(b) => visitor.visit_string(b.to_string()),
            _ => Err(DecodeError::invalid("a string", self.value)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::String(s) => visitor.visit_bytes(s.as_bytes()),
            _ => Err(DecodeError::invalid("a string", self.value)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::String(s) if s.is_empty() => visitor.visit_unit(),
            _ => Err(DecodeError::invalid("null", self.value)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.elements()? {
            ElementSource::Borrowed(items) => visit_elements(items, visitor),
            ElementSource::Owned(items) => visit_elements(&items, visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.object()? {
            ObjectSource::Borrowed(map) => visit_object(map, visitor),
            ObjectSource::Owned(map) => visit_object(&map, visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value {
            Value::String(s) => {
                let unit: de::value::StrDeserializer<'_, DecodeError> =
                    s.trim().into_deserializer();
                visitor.visit_enum(unit)
            }
            Value::Object(map) if map.len() == 1 => {
                visitor.visit_enum(EnumAccess { map, variants })
            }
            _ => Err(DecodeError::invalid(
                format!("one of {}", variants.join(", ")),
                self.value,
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

fn visit_elements<'de, V: Visitor<'de>>(
    items: &[Value],
    visitor: V,
) -> Result<V::Value, DecodeError> {
    let mut access = SeqAccess {
        iter: items.iter().enumerate(),
    };
    visitor.visit_seq(&mut access)
}

fn visit_object<'de, V: Visitor<'de>>(
    map: &Map<String, Value>,
    visitor: V,
) -> Result<V::Value, DecodeError> {
    let mut access = MapAccess {
        iter: map.iter(),
        pending: None,
    };
    visitor.visit_map(&mut access)
}

struct SeqAccess<'a, I: Iterator<Item = (usize, &'a Value)>> {
    iter: I,
}

impl<'de, 'a, I: Iterator<Item = (usize, &'a Value)>> de::SeqAccess<'de> for SeqAccess<'a, I> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((index, value)) => seed
                .deserialize(Lenient { value })
                .map(Some)
                .map_err(|e| e.within(PathSegment::Index(index))),
        }
    }
}

struct MapAccess<'a, I: Iterator<Item = (&'a String, &'a Value)>> {
    iter: I,
    pending: Option<(&'a String, &'a Value)>,
}

impl<'de, 'a, I: Iterator<Item = (&'a String, &'a Value)>> de::MapAccess<'de> for MapAccess<'a, I> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((key, value)) => {
                self.pending = Some((key, value));
                let key: de::value::StrDeserializer<'_, DecodeError> =
                    key.as_str().into_deserializer();
                seed.deserialize(key).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let (key, value) = self
            .pending
            .take()
            .ok_or_else(|| <DecodeError as de::Error>::custom("value requested before key"))?;
        seed.deserialize(Lenient { value })
            .map_err(|e| e.within(PathSegment::Field(key.clone())))
    }
}

struct EnumAccess<'a> {
    map: &'a Map<String, Value>,
    variants: &'static [&'static str],
}

impl<'de, 'a> de::EnumAccess<'de> for EnumAccess<'a> {
    type Error = DecodeError;
    type Variant = VariantAccess<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantAccess<'a>), DecodeError> {
        let Some((name, value)) = self.map.iter().next() else {
            return Err(DecodeError::invalid(
                format!("one of {}", self.variants.join(", ")),
                &Value::Object(Map::new()),
            ));
        };
        let key: de::value::StrDeserializer<'_, DecodeError> = name.as_str().into_deserializer();
        let variant = seed.deserialize(key)?;
        Ok((variant, VariantAccess { name, value }))
    }
}

struct VariantAccess<'a> {
    name: &'a String,
    value: &'a Value,
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        seed.deserialize(Lenient { value: self.value })
            .map_err(|e| e.within(PathSegment::Field(self.name.clone())))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_seq(Lenient { value: self.value }, visitor)
            .map_err(|e| e.within(PathSegment::Field(self.name.clone())))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_map(Lenient { value: self.value }, visitor)
            .map_err(|e| e.within(PathSegment::Field(self.name.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Params {
        count: i64,
        ratio: f64,
        flag: bool,
        name: String,
        maybe: Option<u32>,
        #[serde(default = "sixty")]
        minutes: u32,
        tags: Vec<String>,
    }

    fn sixty() -> u32 {
        60
    }

    #[test]
    fn coerces_every_scalar_from_strings() {
        let v = json!({"count":"-3","ratio":"2.5","flag":"TRUE","name":"a, b, c","tags":"[x, y]","extra":"ignored"});
        let p: Params = decode(&v).unwrap();
        assert_eq!(
            p,
            Params {
                count: -3,
                ratio: 2.5,
                flag: true,
                name: "a, b, c".into(),
                maybe: None,
                minutes: 60,
                tags: vec!["x".into(), "y".into()],
            }
        );
    }

    #[test]
    fn arrays_accept_json_tostring_and_bare_forms() {
        #[derive(Deserialize)]
        struct A {
            n: Vec<u8>,
            s: Vec<String>,
        }
        let a: A = decode(&json!({"n":"[1, 2,3]","s":"[\"a,b\",\"c\"]"})).unwrap();
        assert_eq!(a.n, vec![1, 2, 3]);
        assert_eq!(a.s, vec!["a,b", "c"]);
        let a: A = decode(&json!({"n":"[]","s":"a,b"})).unwrap();
        assert!(a.n.is_empty());
        assert_eq!(a.s, vec!["a,b"], "a bare string is never split on commas");
    }

    #[test]
    fn integers_accept_integral_floats_only() {
        #[derive(Deserialize)]
        struct I {
            i: u32,
        }
        assert_eq!(decode::<I>(&json!({"i":"30.0"})).unwrap().i, 30);
        let err = decode::<I>(&json!({"i":"30.5"})).err().unwrap();
        assert_eq!(err.path(), "i");
        assert_eq!(
            err.to_string(),
            "`i` must be a whole number from 0 up; received \"30.5\""
        );
        let err = decode::<I>(&json!({"i":"-1"})).err().unwrap();
        assert!(err.to_string().contains("received \"-1\""));
        let err = decode::<I>(&json!({"i":"99999999999"})).err().unwrap();
        assert_eq!(
            err.to_string(),
            "`i` must be a smaller whole number; received \"99999999999\""
        );
    }

    #[test]
    fn nested_paths_are_reported() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            amount: f64,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Body {
            items: Vec<Item>,
        }
        let v = json!({"items":"[{\"amount\":1},{\"amount\":\"NaN\"}]"});
        let err = decode::<Body>(&v).err().unwrap();
        assert_eq!(err.path(), "items[1].amount");
        let err = decode::<Body>(&json!({"items":"[{}]"})).err().unwrap();
        assert_eq!(err.path(), "items[0].amount");
        assert_eq!(err.kind, DecodeErrorKind::Missing);
    }

    #[test]
    fn enums_from_strings_and_long_values_are_quoted_short() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Level {
            Low,
            High,
        }
        #[derive(Debug, Deserialize)]
        struct E {
            level: Level,
        }
        assert_eq!(
            decode::<E>(&json!({"level":"high"})).unwrap().level,
            Level::High
        );
        let long = "x".repeat(10_000);
        let err = decode::<E>(&json!({ "level": long })).err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("one of low, high"), "{msg}");
        assert!(msg.len() < 300, "{msg}");
    }
}
