//! What handlers return: typed JSON bodies, optionally with agent session
//! attributes, and the error type.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ActionError;
use crate::operation::OperationDoc;

/// A handler's result, ready to be put in whichever envelope the caller
/// expects. Built from anything that implements [`IntoReply`].
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) outcome: Result<Box<dyn ReplyBody>, ActionError>,
    pub(crate) attributes: AttributeChanges,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("ok", &self.outcome.is_ok())
            .finish()
    }
}

impl Reply {
    pub(crate) fn error(error: ActionError) -> Self {
        Self {
            status: error.status(),
            outcome: Err(error),
            attributes: AttributeChanges::default(),
        }
    }
}

/// Changes to the session the handler asked for.
#[derive(Debug, Default)]
pub(crate) struct AttributeChanges {
    pub(crate) session: Vec<AttributeChange>,
    pub(crate) prompt_session: Vec<AttributeChange>,
    pub(crate) knowledge_bases: Option<Value>,
}

#[derive(Debug)]
pub(crate) enum AttributeChange {
    Set(String, String),
    Remove(String),
    Replace(HashMap<String, String>),
}

impl AttributeChange {
    pub(crate) fn apply(changes: &[AttributeChange], attributes: &mut HashMap<String, String>) {
        for change in changes {
            match change {
                AttributeChange::Set(k, v) => {
                    attributes.insert(k.clone(), v.clone());
                }
                AttributeChange::Remove(k) => {
                    attributes.remove(k);
                }
                AttributeChange::Replace(all) => attributes.clone_from(all),
            }
        }
    }
}

/// A response body that can be serialized and, when it is too large for
/// the caller, asked to shrink.
pub(crate) trait ReplyBody: Send {
    fn to_json(&self) -> Result<String, serde_json::Error>;
    /// Shrinks by at least `excess_bytes` if it can; `false` when it cannot.
    fn trim(&mut self, excess_bytes: usize) -> bool;
}

/// Converts a handler's return value into a [`Reply`], and documents the
/// response in the schema.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by an actionkit handler",
    label = "a handler returns `Json<T>`, `Response<T>`, `ActionError` or a `Result` of them",
    note = "wrap the value in `Json(..)`; its type must be `Serialize + ToSchema`: declare it with `#[actionkit::model]` or derive `serde::Serialize` and `utoipa::ToSchema`",
    note = "errors are `ActionError` (or a type with `Into<ActionError>`), e.g. `Result<Json<T>, ActionError>`"
)]
pub trait IntoReply {
    /// Converts into a reply.
    fn into_reply(self) -> Reply;

    /// Documents the success response. The default documents nothing.
    fn describe(doc: &mut OperationDoc) {
        let _ = doc;
    }
}

/// A JSON response body of type `T` (status 200).
///
/// ```
/// use actionkit::Json;
/// use serde::Serialize;
/// use utoipa::ToSchema;
///
/// #[derive(Serialize, ToSchema)]
/// struct Answer { rows: u32 }
///
/// async fn handler() -> Json<Answer> {
///     Json(Answer { rows: 3 })
/// }
/// # let _ = handler;
/// ```
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

struct PlainBody<T>(T);

impl<T: Serialize + Send> ReplyBody for PlainBody<T> {
    fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.0)
    }
    fn trim(&mut self, _excess_bytes: usize) -> bool {
        false
    }
}

impl<T: Serialize + ToSchema + Send + 'static> IntoReply for Json<T> {
    fn into_reply(self) -> Reply {
        Reply {
            status: 200,
            outcome: Ok(Box::new(PlainBody(self.0))),
            attributes: AttributeChanges::default(),
        }
    }

    fn describe(doc: &mut OperationDoc) {
        doc.set_response::<T>();
    }
}

/// A value that can make itself smaller to fit a response size limit,
/// recording that it did so (the caller must be told the result is partial).
pub trait Trim {
    /// Shrinks the value's JSON form by at least `excess_bytes` if possible
    /// and returns `true`; returns `false` when nothing more can go.
    fn trim(&mut self, excess_bytes: usize) -> bool;
}

/// Drops items from the end of `items` until their JSON form has freed at
/// least `excess_bytes`; returns how many were dropped. The building block
/// of [`Trim`] implementations over lists.
pub fn drop_to_fit<T: Serialize>(items: &mut Vec<T>, excess_bytes: usize) -> usize {
    let mut freed = 0;
    let mut dropped = 0;
    while freed <= excess_bytes {
        let Some(item) = items.pop() else { break };
        freed += serde_json::to_string(&item).map_or(1, |s| s.len() + 1);
        dropped += 1;
    }
    dropped
}

/// A JSON response that trims itself (see [`Trim`]) instead of failing when
/// it is over the agent's response size limit.
#[derive(Debug, Clone)]
pub struct TrimToFit<T>(pub T);

struct TrimmableBody<T>(T);

impl<T: Serialize + Trim + Send> ReplyBody for TrimmableBody<T> {
    fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.0)
    }
    fn trim(&mut self, excess_bytes: usize) -> bool {
        self.0.trim(excess_bytes)
    }
}

impl<T: Serialize + ToSchema + Trim + Send + 'static> IntoReply for TrimToFit<T> {
    fn into_reply(self) -> Reply {
        Reply {
            status: 200,
            outcome: Ok(Box::new(TrimmableBody(self.0))),
            attributes: AttributeChanges::default(),
        }
    }

    fn describe(doc: &mut OperationDoc) {
        doc.set_response::<T>();
    }
}

/// A list that drops items from its end to fit, and says so.
///
/// `total` is how many items existed; `returned` how many are included;
/// `truncated` is `true` when any were dropped, here or by the handler.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemList<T> {
    /// The items, in order; possibly only the first part of them.
    pub items: Vec<T>,
    /// How many items there were before any were dropped.
    pub total: usize,
    /// How many items this response holds.
    pub returned: usize,
    /// `true` when this is only part of the result.
    pub truncated: bool,
}

impl<T> ItemList<T> {
    /// A complete list.
    pub fn new(items: Vec<T>) -> Self {
        let n = items.len();
        Self {
            items,
            total: n,
            returned: n,
            truncated: false,
        }
    }
}

impl<T: Serialize> Trim for ItemList<T> {
    fn trim(&mut self, excess_bytes: usize) -> bool {
        if self.items.is_empty() {
            return false;
        }
        drop_to_fit(&mut self.items, excess_bytes);
        self.returned = self.items.len();
        self.truncated = true;
        true
    }
}

/// A response with a status and agent session changes around a body.
///
/// ```
/// use actionkit::{Json, Response};
///
/// async fn handler() -> Response<Json<&'static str>> {
///     Response::new(Json("created"))
///         .status(201)
///         .session_attribute("last_vendor", "V-1001")
///         .prompt_session_attribute("tone", "brief")
/// }
/// # let _ = handler;
/// ```
#[derive(Debug)]
pub struct Response<B> {
    body: B,
    status: u16,
    attributes: AttributeChanges,
}

impl<B: IntoReply> Response<B> {
    /// Wraps a body with status 200 and no session changes.
    pub fn new(body: B) -> Self {
        Self {
            body,
            status: 200,
            attributes: AttributeChanges::default(),
        }
    }

    /// Sets the HTTP-like status (2xx).
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Sets one session attribute (kept across the agent session).
    pub fn session_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes
            .session
            .push(AttributeChange::Set(key.into(), value.into()));
        self
    }

    /// Removes one session attribute.
    pub fn remove_session_attribute(mut self, key: impl Into<String>) -> Self {
        self.attributes
            .session
            .push(AttributeChange::Remove(key.into()));
        self
    }

    /// Replaces all session attributes (instead of echoing the incoming ones).
    pub fn session_attributes(mut self, all: HashMap<String, String>) -> Self {
        self.attributes.session.push(AttributeChange::Replace(all));
        self
    }

    /// Sets one prompt session attribute (kept for this turn).
    pub fn prompt_session_attribute(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.attributes
            .prompt_session
            .push(AttributeChange::Set(key.into(), value.into()));
        self
    }

    /// Replaces all prompt session attributes.
    pub fn prompt_session_attributes(mut self, all: HashMap<String, String>) -> Self {
        self.attributes
            .prompt_session
            .push(AttributeChange::Replace(all));
        self
    }

    /// Returns a `knowledgeBasesConfiguration` to the agent.
    pub fn knowledge_bases_configuration(mut self, configuration: Value) -> Self {
        self.attributes.knowledge_bases = Some(configuration);
        self
    }
}

impl<B: IntoReply> IntoReply for Response<B> {
    fn into_reply(self) -> Reply {
        let mut reply = self.body.into_reply();
        if reply.outcome.is_ok() {
            reply.status = self.status;
        }
        reply.attributes = self.attributes;
        reply
    }

    fn describe(doc: &mut OperationDoc) {
        B::describe(doc);
    }
}

impl<T: IntoReply, E: Into<ActionError>> IntoReply for Result<T, E> {
    fn into_reply(self) -> Reply {
        match self {
            Ok(body) => body.into_reply(),
            Err(error) => Reply::error(error.into()),
        }
    }

    fn describe(doc: &mut OperationDoc) {
        T::describe(doc);
    }
}

impl IntoReply for ActionError {
    fn into_reply(self) -> Reply {
        Reply::error(self)
    }
}
