//! Fitting an answer into the caller's size limit, on every path: a reply is
//! asked to trim itself round by round; an error that is still too large
//! loses its details, then its long echoed labels, then the echoed session
//! attributes — so no answer, errors included, goes out over the limit.

use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::error::ActionError;
use crate::response::ReplyBody;

/// How many times a too-large reply is asked to trim itself before the
/// resolver gives up and answers `ResponseTooLarge`.
const MAX_TRIM_ROUNDS: usize = 16;

/// Caller-supplied labels quoted in messages, logs or a shortened envelope
/// are cut to this many characters.
const LABEL_CHARS: usize = 100;

/// An error message shortened to fit keeps at most this many characters.
const SHORT_MESSAGE_CHARS: usize = 1_000;

/// How much of the request an agent envelope echoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Echo {
    /// Everything, as received.
    Full,
    /// Echoed labels (action group, path, function) cut to a short excerpt:
    /// a 100 KB `apiPath` is not sent back whole.
    ShortLabels,
    /// Short labels and no session attributes: the last resort when even
    /// those make the answer too large.
    Bare,
}

impl Echo {
    /// `label` as this level echoes it.
    pub(crate) fn label<'a>(self, label: &'a str) -> std::borrow::Cow<'a, str> {
        match self {
            Echo::Full => std::borrow::Cow::Borrowed(label),
            Echo::ShortLabels | Echo::Bare => std::borrow::Cow::Owned(label_excerpt(label)),
        }
    }
}

/// Renders `body` with `render`, trimming it until the result is at most
/// `limit` bytes; the `ResponseTooLarge` error when it cannot shrink enough.
pub(crate) fn fit_body(
    mut body: Box<dyn ReplyBody>,
    limit: usize,
    caller: &str,
    render: impl Fn(&str) -> Box<RawValue>,
) -> Result<Box<RawValue>, ActionError> {
    let mut rounds = 0;
    loop {
        let json = body
            .to_json()
            .map_err(|e| ActionError::internal(format!("response serialization failed: {e}")))?;
        let rendered = render(&json);
        let size = rendered.get().len();
        if size <= limit {
            if rounds > 0 {
                tracing::info!(rounds, bytes = size, "response trimmed to fit");
            }
            return Ok(rendered);
        }
        if rounds >= MAX_TRIM_ROUNDS || !body.trim(size - limit) {
            return Err(too_large(size, limit, caller));
        }
        rounds += 1;
    }
}

/// The error sent when a result cannot be trimmed to the limit.
fn too_large(size: usize, limit: usize, caller: &str) -> ActionError {
    ActionError::new(
        413,
        "ResponseTooLarge",
        format!(
            "The result is {size} bytes, over the {limit}-byte limit of {caller}. \
             Ask for less: a narrower filter, a shorter time range or a smaller limit."
        ),
    )
    .with_detail("response_bytes", size)
    .with_detail("limit_bytes", limit)
}

/// Renders an error body (`{"error", "message", ...details}`) so that the
/// answer fits `limit`: in full when it does; otherwise without details and
/// with a shortened message, then with short echoed labels, then bare.
pub(crate) fn fit_error(
    error: &ActionError,
    limit: usize,
    render: impl Fn(&str, Echo) -> Box<RawValue>,
) -> Box<RawValue> {
    let full = render(&error.body().to_string(), Echo::Full);
    if full.get().len() <= limit {
        return full;
    }
    let compact = compact_body(error).to_string();
    let mut last = full;
    for echo in [Echo::Full, Echo::ShortLabels, Echo::Bare] {
        last = render(&compact, echo);
        if last.get().len() <= limit {
            break;
        }
    }
    last
}

/// The error's name and a shortened message, without details.
fn compact_body(error: &ActionError) -> Value {
    json!({"error": error.name(), "message": excerpt(error.message(), SHORT_MESSAGE_CHARS)})
}

/// A Gateway tool's error result, fitted to `limit` like agent errors: the
/// full structured error when it fits, else name, status and a short message.
pub(crate) fn fit_tool_error(error: &ActionError, limit: usize) -> Box<RawValue> {
    let full = tool_error(error, true).to_string();
    let json = if full.len() <= limit {
        full
    } else {
        tool_error(error, false).to_string()
    };
    // Serializer output, hence valid JSON.
    RawValue::from_string(json).unwrap_or_default()
}

/// The result a tool returns on error. MCP clients show tool results to the
/// model; `isError` is MCP's own flag for a failed call, and the error
/// object carries what failed and what to change, with the same stable
/// names the agent and Step Functions paths use.
///
/// ```json
/// {"isError": true, "error": {"name": "InvalidParameter", "status": 400, "retryable": false,
///   "message": "Tool argument `minutes_back` must be …", "parameter": "minutes_back", ...}}
/// ```
pub(crate) fn tool_error(error: &ActionError, with_details: bool) -> Value {
    let mut detail = match error.body() {
        Value::Object(map) if with_details => map,
        _ => compact_body(error).as_object().cloned().unwrap_or_default(),
    };
    let name = detail
        .remove("error")
        .unwrap_or_else(|| Value::String(error.name().to_owned()));
    let mut out = Map::new();
    out.insert("name".into(), name);
    out.insert("status".into(), error.status().into());
    out.insert("retryable".into(), error.is_retryable().into());
    out.extend(detail);
    json!({"isError": true, "error": out})
}

/// A caller-supplied label as quoted back: control characters removed, at
/// most [`LABEL_CHARS`] characters, `…` when cut.
pub(crate) fn label_excerpt(label: &str) -> String {
    let clean: String = label.chars().filter(|c| !c.is_control()).collect();
    excerpt(&clean, LABEL_CHARS)
}

/// `text` cut to `max_chars` characters, with `…` when cut.
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// `text` cut to at most `max_bytes` bytes on a character boundary, with `…`
/// when cut (Step Functions caps an error's cause; Lambda a header).
pub(crate) fn excerpt_bytes(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut at = max_bytes.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}…", &text[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_on_character_boundaries() {
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc…");
        assert_eq!(label_excerpt("a\u{7}b"), "ab");
        let long = "é".repeat(100);
        let cut = excerpt_bytes(&long, 51);
        assert!(cut.len() <= 51 && cut.ends_with('…'), "{cut}");
        assert_eq!(excerpt_bytes("short", 51), "short");
    }

    #[test]
    fn an_error_too_large_for_the_limit_is_shortened_step_by_step() {
        let error = ActionError::not_found("x".repeat(5_000)).with_detail("big", "y".repeat(5_000));
        let render = |body: &str, echo: Echo| {
            let label = "p".repeat(3_000);
            let session = if echo == Echo::Bare {
                String::new()
            } else {
                "s".repeat(2_000)
            };
            let text = json!({"label": echo.label(&label), "session": session, "body": body});
            RawValue::from_string(text.to_string()).unwrap_or_default()
        };
        assert!(fit_error(&error, 20_000, render).get().contains("yyyy"));
        let short = fit_error(&error, 4_000, render);
        assert!(short.get().len() <= 4_000, "{}", short.get().len());
        assert!(!short.get().contains("yyyy"));
        let bare = fit_error(&error, 1_200, render);
        assert!(bare.get().len() <= 1_200, "{}", bare.get().len());
        assert!(bare.get().contains("\"session\":\"\""), "{}", bare.get());
    }
}
