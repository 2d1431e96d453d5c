//! What a route's signature says about itself, for schema generation.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;
use utoipa::openapi::Required;
use utoipa::openapi::path::ParameterIn;
use utoipa::{IntoParams, ToSchema};

/// How a route or function is documented: the description the model reads,
/// plus optional overrides. A plain `&str` converts into one.
///
/// ```
/// use actionkit::Operation;
///
/// let op = Operation::new("Delete a vendor from the master record")
///     .operation_id("delete_vendor")
///     .require_confirmation();
/// # let _ = op;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Operation {
    pub(crate) description: String,
    pub(crate) operation_id: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) require_confirmation: bool,
    pub(crate) tool_name: Option<String>,
    /// The status of successes, when not 200.
    pub(crate) status: Option<u16>,
    /// Error statuses documented besides 400 and 500.
    pub(crate) error_statuses: Vec<u16>,
}

impl Operation {
    /// An operation with the description the model reads to choose it.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
    }

    /// Overrides the derived `operationId` (and so the tool name Bedrock builds).
    pub fn operation_id(mut self, id: impl Into<String>) -> Self {
        self.operation_id = Some(id.into());
        self
    }

    /// A short summary shown next to the description.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// Overrides the AgentCore Gateway tool name (by default the
    /// `operationId` of a route, the name of a function).
    pub fn tool_name(mut self, name: impl Into<String>) -> Self {
        self.tool_name = Some(name.into());
        self
    }

    /// The status of the route's successes (a 2xx, e.g. 201), both
    /// documented in its schema and answered: a handler's plain success
    /// answers it (one that sets [`Response::status`](crate::Response::status)
    /// itself keeps its own).
    ///
    /// ```
    /// use actionkit::{Json, Operation, Resolver};
    ///
    /// async fn create() -> Json<&'static str> {
    ///     Json("created")
    /// }
    ///
    /// let r = Resolver::new("Things").post("/things", Operation::new("Creates a thing").status(201), create);
    /// let doc = r.openapi_document().unwrap();
    /// let responses = &doc["paths"]["/things"]["post"]["responses"];
    /// assert!(responses["201"].is_object() && responses["200"].is_null());
    /// ```
    ///
    /// # Panics
    ///
    /// When `status` is not a 2xx: error statuses go to
    /// [`error_status`](Self::error_status).
    pub fn status(mut self, status: u16) -> Self {
        assert!(
            (200..300).contains(&status),
            "actionkit: {status} is not a success status (2xx); document error statuses with error_status"
        );
        self.status = Some(status);
        self
    }

    /// Documents an error status the route can answer besides 400 and 500
    /// (e.g. 404 for an [`ActionError::not_found`](crate::ActionError::not_found)),
    /// with the error body's schema.
    ///
    /// # Panics
    ///
    /// When `status` is not a 4xx or 5xx.
    pub fn error_status(mut self, status: u16) -> Self {
        assert!(
            (400..600).contains(&status),
            "actionkit: {status} is not an error status (4xx or 5xx)"
        );
        if !self.error_statuses.contains(&status) {
            self.error_statuses.push(status);
        }
        self
    }

    /// Asks the agent to confirm with the user before calling
    /// (`x-requireConfirmation: ENABLED`, `requireConfirmation` for functions).
    pub fn require_confirmation(mut self) -> Self {
        self.require_confirmation = true;
        self
    }
}

impl From<&str> for Operation {
    fn from(description: &str) -> Self {
        Self::new(description)
    }
}

impl From<String> for Operation {
    fn from(description: String) -> Self {
        Self::new(description)
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamLocation {
    Query,
    Path,
}

/// One documented parameter.
#[derive(Debug, Clone)]
pub(crate) struct ParamDoc {
    pub(crate) name: String,
    pub(crate) location: ParamLocation,
    pub(crate) description: Option<String>,
    pub(crate) required: bool,
    pub(crate) schema: Value,
}

/// The self-description of one handler, assembled from its extractors and
/// its return type. Custom extractors add to it in
/// [`FromInvocation::describe`](crate::FromInvocation::describe).
#[derive(Debug, Clone, Default)]
pub struct OperationDoc {
    pub(crate) parameters: Vec<ParamDoc>,
    pub(crate) request_body: Option<Value>,
    pub(crate) response: Option<Value>,
    /// Named schemas the others refer to with `$ref`.
    pub(crate) components: BTreeMap<String, Value>,
}

/// A route's or function's documentation, assembled when a schema is
/// first asked for (`--openapi`, `--tool-schema`, MCP `tools/list`), not at
/// cold start: serializing every response schema costs a cold start
/// hundreds of microseconds that answering never needs. Registration
/// compiles its checks from the request part alone.
pub(crate) struct LazyDoc {
    describe: fn(&mut OperationDoc),
    doc: OnceLock<OperationDoc>,
}

impl LazyDoc {
    pub(crate) fn new(describe: fn(&mut OperationDoc)) -> Self {
        Self {
            describe,
            doc: OnceLock::new(),
        }
    }

    /// The documentation, assembled on the first call.
    pub(crate) fn get(&self) -> &OperationDoc {
        self.doc.get_or_init(|| {
            let mut doc = OperationDoc::default();
            (self.describe)(&mut doc);
            doc
        })
    }
}

impl OperationDoc {
    /// Adds the fields of `T` as query parameters.
    pub fn add_query_params<T: IntoParams>(&mut self) {
        self.add_params::<T>(ParamLocation::Query);
    }

    /// Adds the fields of `T` as path parameters.
    pub fn add_path_params<T: IntoParams>(&mut self) {
        self.add_params::<T>(ParamLocation::Path);
    }

    fn add_params<T: IntoParams>(&mut self, location: ParamLocation) {
        let parameter_in = match location {
            ParamLocation::Query => ParameterIn::Query,
            ParamLocation::Path => ParameterIn::Path,
        };
        for p in T::into_params(|| Some(parameter_in.clone())) {
            let schema = p
                .schema
                .as_ref()
                .and_then(|s| serde_json::to_value(s).ok())
                .unwrap_or(Value::Object(Default::default()));
            self.parameters.push(ParamDoc {
                name: p.name,
                location,
                description: p.description,
                required: location == ParamLocation::Path || matches!(p.required, Required::True),
                schema,
            });
        }
    }

    /// Sets the JSON request body schema to `T`'s.
    pub fn set_request_body<T: ToSchema>(&mut self) {
        self.request_body = Some(self.schema_of::<T>());
    }

    /// Sets the success response schema to `T`'s.
    pub fn set_response<T: ToSchema>(&mut self) {
        self.response = Some(self.schema_of::<T>());
    }

    fn schema_of<T: ToSchema>(&mut self) -> Value {
        let mut deps = Vec::new();
        T::schemas(&mut deps);
        for (name, schema) in deps {
            if let Ok(value) = serde_json::to_value(&schema) {
                self.components.insert(name, value);
            }
        }
        let schema = serde_json::to_value(T::schema()).unwrap_or(Value::Object(Default::default()));
        // Registered under its own name too, so a self-reference resolves
        // (and is then refused as recursive, not as unknown).
        self.components
            .entry(T::name().into_owned())
            .or_insert_with(|| schema.clone());
        schema
    }
}
