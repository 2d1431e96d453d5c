//! The runtime half of `#[model]`: what the macro's generated code calls to
//! build the utoipa schema of a type and its parameters, with every
//! declared keyword (bounds, lengths, pattern, item counts, allowed values,
//! default, example, description) in the schema objects themselves, where
//! validation and every schema generator read them.
//!
//! Public only for the macro's expansion (`actionkit::__private`); not an
//! API.

use serde::Serialize;
use serde_json::Value;
use utoipa::Number;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, Required};

/// The keywords declared on one field with `#[field(..)]` and its doc
/// comment.
#[derive(Clone, Default)]
pub struct Keywords {
    description: Option<String>,
    default: Option<Value>,
    example: Option<Value>,
    minimum: Option<Number>,
    maximum: Option<Number>,
    exclusive_minimum: Option<Number>,
    exclusive_maximum: Option<Number>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<String>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    allowed: Option<Vec<Value>>,
}

macro_rules! setters {
    ($($name:ident: $ty:ty,)*) => {
        $(
            #[doc = concat!("Sets `", stringify!($name), "`.")]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value.into());
                self
            }
        )*
    };
}

impl Keywords {
    /// No keywords.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        description: &str,
        minimum: Number,
        maximum: Number,
        exclusive_minimum: Number,
        exclusive_maximum: Number,
        min_length: usize,
        max_length: usize,
        pattern: &str,
        min_items: usize,
        max_items: usize,
        allowed: Vec<Value>,
    }

    /// Sets the default (already serialized; `None` if it did not serialize).
    pub fn default_value(mut self, value: Option<Value>) -> Self {
        self.default = value;
        self
    }

    /// Sets the example (already serialized).
    pub fn example(mut self, value: Option<Value>) -> Self {
        self.example = value;
        self
    }

    fn has_value_keywords(&self) -> bool {
        self.minimum.is_some()
            || self.maximum.is_some()
            || self.exclusive_minimum.is_some()
            || self.exclusive_maximum.is_some()
            || self.min_length.is_some()
            || self.max_length.is_some()
            || self.pattern.is_some()
            || self.allowed.is_some()
    }

    /// The keywords about a value itself, for the items of an array.
    fn value_keywords(&self) -> Self {
        Self {
            minimum: self.minimum.clone(),
            maximum: self.maximum.clone(),
            exclusive_minimum: self.exclusive_minimum.clone(),
            exclusive_maximum: self.exclusive_maximum.clone(),
            min_length: self.min_length,
            max_length: self.max_length,
            pattern: self.pattern.clone(),
            allowed: self.allowed.clone(),
            ..Self::default()
        }
    }
}

/// One field of a `#[model]` struct.
pub struct ModelField {
    /// The name serde reads and writes.
    pub name: &'static str,
    /// The schema of the field's type.
    pub schema: RefOr<Schema>,
    /// Whether the caller must send it (no default, not an `Option`).
    pub required: bool,
    /// What `#[field(..)]` and the doc comment declare.
    pub keywords: Keywords,
}

/// A number for a bound keyword.
pub fn number(n: impl Into<Number>) -> Number {
    n.into()
}

/// A value for the `default`, `example` or `enum` keyword.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// The `allowed` list: values that do not serialize are dropped.
pub fn values(list: Vec<Option<Value>>) -> Vec<Value> {
    list.into_iter().flatten().collect()
}

/// The object schema of a `#[model]` struct; properties in declaration order.
pub fn object(description: Option<&str>, fields: Vec<ModelField>) -> RefOr<Schema> {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(description);
    for field in fields {
        if field.required {
            builder = builder.required(field.name);
        }
        builder = builder.property(field.name, apply(field.schema, &field.keywords, true));
    }
    RefOr::T(Schema::Object(builder.build()))
}

/// The parameters of a `#[model]` struct used as `Query` or `Path`: the
/// description on the parameter, every other keyword in its schema.
pub fn params(parameter_in: Option<ParameterIn>, fields: Vec<ModelField>) -> Vec<Parameter> {
    let location = parameter_in.unwrap_or_default();
    fields
        .into_iter()
        .map(|field| {
            let description = field.keywords.description.clone();
            ParameterBuilder::new()
                .name(field.name)
                .parameter_in(location.clone())
                .required(if field.required {
                    Required::True
                } else {
                    Required::False
                })
                .description(description)
                .schema(Some(apply(field.schema, &field.keywords, false)))
                .build()
        })
        .collect()
}

/// The schema of a `#[model]` enum: a string of one of `values`.
pub fn string_enum(description: Option<&str>, values: &[&str]) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(description)
            .enum_values(Some(values.iter().copied()))
            .build(),
    ))
}

/// `schema` with the keywords put where they mean something: on the value
/// of an `Option` (made nullable), on the items of an array for the value
/// keywords, on the schema itself for the rest.
fn apply(schema: RefOr<Schema>, k: &Keywords, with_description: bool) -> RefOr<Schema> {
    let description = if with_description {
        k.description.clone()
    } else {
        None
    };
    match schema {
        RefOr::T(Schema::OneOf(one)) if is_nullable_wrapper(&one.items) => {
            let inner = one
                .items
                .into_iter()
                .find(|s| !is_null(s))
                .unwrap_or(RefOr::T(Schema::Object(Object::new())));
            apply(nullable(inner), k, with_description)
        }
        RefOr::T(Schema::Object(mut o)) => {
            if description.is_some() {
                o.description = description;
            }
            if k.default.is_some() {
                o.default.clone_from(&k.default);
            }
            if let Some(example) = &k.example {
                o.examples = vec![example.clone()];
            }
            o.minimum = k.minimum.clone().or(o.minimum.take());
            o.maximum = k.maximum.clone().or(o.maximum.take());
            o.exclusive_minimum = k.exclusive_minimum.clone().or(o.exclusive_minimum.take());
            o.exclusive_maximum = k.exclusive_maximum.clone().or(o.exclusive_maximum.take());
            o.min_length = k.min_length.or(o.min_length);
            o.max_length = k.max_length.or(o.max_length);
            if k.pattern.is_some() {
                o.pattern.clone_from(&k.pattern);
            }
            if let Some(allowed) = &k.allowed {
                let nullable =
                    matches!(&o.schema_type, SchemaType::Array(t) if t.contains(&Type::Null));
                let mut list = allowed.clone();
                if nullable {
                    list.push(Value::Null);
                }
                o.enum_values = Some(list);
            }
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            if description.is_some() {
                a.description = description;
            }
            if k.default.is_some() {
                a.default.clone_from(&k.default);
            }
            if let Some(example) = &k.example {
                a.examples = vec![example.clone()];
            }
            a.min_items = k.min_items.or(a.min_items);
            a.max_items = k.max_items.or(a.max_items);
            if k.has_value_keywords()
                && let ArrayItems::RefOrSchema(items) = a.items
            {
                a.items =
                    ArrayItems::RefOrSchema(Box::new(apply(*items, &k.value_keywords(), false)));
            }
            RefOr::T(Schema::Array(a))
        }
        RefOr::Ref(mut r) => {
            if let Some(text) = description {
                r.description = text;
            }
            RefOr::Ref(r)
        }
        other => other,
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

fn is_nullable_wrapper(items: &[RefOr<Schema>]) -> bool {
    items.len() == 2 && items.iter().filter(|s| is_null(s)).count() == 1
}

/// `schema` also accepting `null`, as `type: [T, "null"]` where it can be.
fn nullable(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut o)) => {
            if let SchemaType::Type(t) = &o.schema_type {
                o.schema_type = SchemaType::Array(vec![t.clone(), Type::Null]);
                if let Some(values) = &mut o.enum_values {
                    values.push(Value::Null);
                }
            }
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            a.schema_type = SchemaType::Array(vec![Type::Array, Type::Null]);
            RefOr::T(Schema::Array(a))
        }
        other => other,
    }
}
