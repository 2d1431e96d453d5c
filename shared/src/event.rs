//! The shapes of the events a function built on actionkit can receive, and
//! how they are told apart.

use std::collections::HashMap;

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use lambda_runtime::Context;

use crate::error::MalformedEvent;
use crate::gateway::gateway_tool_name;

/// One `{name, type, value}` entry of Bedrock's `parameters` or body
/// `properties` list.
#[derive(Debug, Deserialize)]
struct NamedValue {
    name: String,
    #[serde(default)]
    value: Value,
}

/// Bedrock Agent events, both kinds, parsed straight from the payload text.
/// Every field is optional so that one parse also tells an agent event from
/// a task payload; unknown fields (`inputText`, `agent`'s contents) are
/// skipped without being copied.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentEventWire<'a> {
    #[serde(borrow)]
    message_version: Option<Cow<'a, str>>,
    agent: Option<IgnoredAny>,
    #[serde(borrow)]
    action_group: Option<Cow<'a, str>>,
    session_id: Option<IgnoredAny>,
    #[serde(borrow)]
    api_path: Option<Cow<'a, str>>,
    #[serde(borrow)]
    http_method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function: Option<Cow<'a, str>>,
    parameters: Option<Vec<NamedValue>>,
    request_body: Option<RequestBodyWire>,
    session_attributes: Option<HashMap<String, String>>,
    prompt_session_attributes: Option<HashMap<String, String>>,
}

impl AgentEventWire<'_> {
    /// How many keys only an agent event carries are present. Two are
    /// enough to say "this was meant to be an agent event"; a Step Functions
    /// payload that happens to use one of these names is still a task.
    fn agent_markers(&self) -> usize {
        [
            self.message_version.is_some(),
            self.agent.is_some(),
            self.action_group.is_some(),
            self.session_id.is_some(),
        ]
        .into_iter()
        .filter(|present| *present)
        .count()
    }
}

/// The keys counted by [`AgentEventWire::agent_markers`].
const AGENT_MARKERS: [&str; 4] = ["messageVersion", "agent", "actionGroup", "sessionId"];

#[derive(Debug, Deserialize)]
struct RequestBodyWire {
    #[serde(default)]
    content: HashMap<String, MediaWire>,
}

#[derive(Debug, Deserialize)]
struct MediaWire {
    #[serde(default)]
    properties: Vec<NamedValue>,
}

/// What a Bedrock Agent asked for: an OpenAPI operation or a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AgentTarget {
    Api {
        api_path: String,
        http_method: String,
    },
    Function {
        name: String,
    },
}

/// A parsed Bedrock Agent action-group event (either mode).
#[derive(Debug)]
pub(crate) struct AgentEvent {
    pub(crate) message_version: String,
    pub(crate) action_group: String,
    pub(crate) target: AgentTarget,
    /// Parameter name → value (a JSON string as Bedrock sent it).
    pub(crate) parameters: Value,
    /// Body property name → value, when a request body was sent.
    pub(crate) body: Option<Value>,
    pub(crate) session_attributes: HashMap<String, String>,
    pub(crate) prompt_session_attributes: HashMap<String, String>,
}

/// What kind of invocation an incoming payload is: decided once, by
/// [`classify`], and answered by the caller's own file (`agent.rs`,
/// `function.rs`, `task.rs`, `gateway.rs`).
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A Bedrock Agent event of an OpenAPI action group.
    Agent(Box<AgentEvent>),
    /// A Bedrock Agent event of a function-details action group.
    Function(Box<AgentEvent>),
    /// Anything that is not shaped like an agent event: a Step Functions
    /// task payload (or a direct invocation), parsed.
    Task(Value),
    /// An AgentCore Gateway tool call: the tool named in the client context,
    /// and its arguments (`None` when they are not a JSON object).
    Tool {
        name: String,
        arguments: Option<Value>,
    },
    /// An HTTP request through a Lambda function URL (payload format 2.0,
    /// which API Gateway HTTP APIs send too): the MCP Streamable HTTP
    /// endpoint of the function.
    Url(Box<UrlRequest>),
}

/// An HTTP request as a function URL delivers it (payload format 2.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlRequest {
    /// `GET`, `POST`, ... as sent.
    pub(crate) method: String,
    /// The path, e.g. `/mcp`.
    pub(crate) path: String,
    /// The query string without `?` (may be empty).
    pub(crate) query: String,
    /// Header names (lower case, as function URLs send them) and values.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, base64-decoded when the event says so; `None` when that
    /// decoding fails.
    pub(crate) body: Option<Vec<u8>>,
}

/// Payload format 2.0 of a function URL, as far as it is read here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UrlEventWire {
    version: String,
    raw_path: String,
    // Emulators send `null` for what a function URL leaves out.
    #[serde(default)]
    raw_query_string: Option<String>,
    #[serde(default)]
    headers: Option<HashMap<String, HeaderWire>>,
    #[serde(default)]
    cookies: Option<Vec<String>>,
    request_context: UrlContextWire,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    is_base64_encoded: Option<bool>,
}

/// A header value: one string, or several (joined with `, ` as HTTP does).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum HeaderWire {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct UrlContextWire {
    http: UrlHttpWire,
}

#[derive(Debug, Deserialize)]
struct UrlHttpWire {
    method: String,
}

/// A function URL request, when `value` is one: version `2.0`, a `rawPath`
/// and a `requestContext.http.method` (a Step Functions payload carries
/// these three by accident only).
fn url_request(value: &Value) -> Option<UrlRequest> {
    let object = value.as_object()?;
    if object.get("version").and_then(Value::as_str) != Some("2.0")
        || !object.contains_key("rawPath")
        || value.pointer("/requestContext/http/method").is_none()
    {
        return None;
    }
    let wire = match UrlEventWire::deserialize(value) {
        Ok(wire) if wire.version == "2.0" => wire,
        Ok(_) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "shaped like a function URL request but unreadable; answered as a task");
            return None;
        }
    };
    let body = match (wire.body, wire.is_base64_encoded.unwrap_or(false)) {
        (None, _) => Some(Vec::new()),
        (Some(text), false) => Some(text.into_bytes()),
        (Some(text), true) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .ok()
        }
    };
    let mut headers: Vec<(String, String)> = wire
        .headers
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| match value {
            HeaderWire::One(v) => (name, v),
            HeaderWire::Many(vs) => (name, vs.join(", ")),
        })
        .collect();
    if let Some(cookies) = wire.cookies.filter(|c| !c.is_empty()) {
        headers.push(("cookie".into(), cookies.join("; ")));
    }
    Some(UrlRequest {
        method: wire.request_context.http.method,
        path: wire.raw_path,
        query: wire.raw_query_string.unwrap_or_default(),
        headers,
        body,
    })
}

/// A payload that is not an agent event: a function URL request or a task.
fn url_or_task(value: Value) -> Incoming {
    match url_request(&value) {
        Some(request) => Incoming::Url(Box::new(request)),
        None => Incoming::Task(value),
    }
}

/// The payload as received, parsed into a `Value` only when something asks.
#[derive(Debug)]
pub(crate) struct RawPayload<'a> {
    text: &'a str,
    parsed: OnceLock<Value>,
}

impl<'a> RawPayload<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            parsed: OnceLock::new(),
        }
    }

    pub(crate) fn parsed(text: &'a str, value: Value) -> Self {
        Self {
            text,
            parsed: OnceLock::from(value),
        }
    }

    /// The payload text as received.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The payload as a JSON value (parsed on first use).
    pub(crate) fn value(&self) -> &Value {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.text).unwrap_or(Value::Null))
    }
}

/// Classifies an invocation. The Gateway names its tool in the client
/// context; otherwise a payload that carries at least two agent markers must
/// parse as an agent event, or it is a [`MalformedEvent`]; anything else is
/// a task payload.
pub(crate) fn classify(text: &str, context: &Context) -> Result<Incoming, MalformedEvent> {
    if let Some(name) = gateway_tool_name(context) {
        let arguments = match lenient_json(text) {
            Ok(Value::Null) => Some(Value::Object(Map::new())),
            Ok(v @ Value::Object(_)) => Some(v),
            _ => None,
        };
        return Ok(Incoming::Tool {
            name: name.to_owned(),
            arguments,
        });
    }
    match serde_json::from_str::<AgentEventWire<'_>>(text) {
        Ok(wire) if wire.agent_markers() >= 2 => agent_event(wire).map(|e| match e.target {
            AgentTarget::Api { .. } => Incoming::Agent(Box::new(e)),
            AgentTarget::Function { .. } => Incoming::Function(Box::new(e)),
        }),
        Ok(_) => parse_json(text).map(url_or_task),
        Err(typed_error) => {
            // Not an object of the agent event's shape: a task payload, or
            // an agent event with a field of the wrong type.
            let value = parse_json(text)?;
            let markers = value.as_object().map_or(0, |o| {
                AGENT_MARKERS.iter().filter(|k| o.contains_key(**k)).count()
            });
            if markers >= 2 {
                Err(MalformedEvent::new(format!(
                    "not a Bedrock agent event: {typed_error}"
                )))
            } else {
                Ok(url_or_task(value))
            }
        }
    }
}

fn parse_json(text: &str) -> Result<Value, MalformedEvent> {
    lenient_json(text).map_err(|e| MalformedEvent::new(format!("the payload is not JSON: {e}")))
}

/// `text` as JSON, where `serde_json` alone refuses a whole payload for
/// one value it cannot hold: a lone surrogate escape (`\ud800`, half of an
/// emoji a model cut) is read as U+FFFD, and a number beyond `f64`
/// (`1e400`) as its text, which the decoder and the rules read as the
/// number it spells ("must be at most 100", not "not a JSON object").
/// Only tried when the strict parse fails; any other error stands.
pub(crate) fn lenient_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text).or_else(|e| match repaired(text) {
        Some(fixed) => serde_json::from_str(&fixed).map_err(|_| e),
        None => Err(e),
    })
}

/// `text` with lone surrogate escapes replaced by `\ufffd` and numbers
/// beyond `f64` quoted; `None` when there is neither.
fn repaired(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut in_string = false;
    let mut copied = 0;
    let mut i = 0;
    let hex = |at: usize| {
        text.get(at..at + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'"' => in_string = false,
                b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                    if let Some(code) = hex(i + 2) {
                        let pair = (0xD800..0xDC00).contains(&code)
                            && text.get(i + 6..i + 8) == Some("\\u")
                            && hex(i + 8).is_some_and(|low| (0xDC00..0xE000).contains(&low));
                        if pair {
                            i += 12;
                            continue;
                        }
                        if (0xD800..0xE000).contains(&code) {
                            out.push_str(&text[copied..i]);
                            out.push_str("\\ufffd");
                            changed = true;
                            copied = i + 6;
                        }
                        i += 6;
                        continue;
                    }
                    i += 2;
                    continue;
                }
                b'\\' => {
                    i += 2;
                    continue;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'-' | b'0'..=b'9' => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |n| i + n);
                let token = &text[i..end];
                if token.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str(&text[copied..i]);
                    out.push('"');
                    out.push_str(token);
                    out.push('"');
                    changed = true;
                    copied = end;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if !changed {
        return None;
    }
    out.push_str(&text[copied.min(text.len())..]);
    Some(out)
}

fn agent_event(wire: AgentEventWire<'_>) -> Result<AgentEvent, MalformedEvent> {
    let (Some(message_version), Some(action_group)) = (wire.message_version, wire.action_group)
    else {
        return Err(MalformedEvent::new(
            "not a Bedrock agent event: messageVersion and actionGroup are required",
        ));
    };
    let target = match (wire.api_path, wire.http_method, wire.function) {
        (Some(api_path), Some(http_method), _) => {
            if !api_path.starts_with('/') {
                return Err(MalformedEvent::new("apiPath must start with '/'"));
            }
            AgentTarget::Api {
                api_path: api_path.into_owned(),
                http_method: http_method.into_owned(),
            }
        }
        (None, None, Some(name)) => AgentTarget::Function {
            name: name.into_owned(),
        },
        _ => {
            return Err(MalformedEvent::new(
                "a Bedrock agent event needs either apiPath and httpMethod (OpenAPI action group) \
                 or function (function-details action group)",
            ));
        }
    };
    let parameters = Value::Object(named_values(wire.parameters.unwrap_or_default()));
    let body = wire.request_body.and_then(|b| {
        // Bedrock sends `application/json`; accept any media type it chose.
        let mut content = b.content;
        let media = content
            .remove("application/json")
            .or_else(|| content.into_values().next())?;
        Some(Value::Object(named_values(media.properties)))
    });
    Ok(AgentEvent {
        message_version: message_version.into_owned(),
        action_group: action_group.into_owned(),
        target,
        parameters,
        body,
        session_attributes: wire.session_attributes.unwrap_or_default(),
        prompt_session_attributes: wire.prompt_session_attributes.unwrap_or_default(),
    })
}

fn named_values(list: Vec<NamedValue>) -> Map<String, Value> {
    list.into_iter().map(|p| (p.name, p.value)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tells_the_shapes_apart() {
        let api = json!({"messageVersion":"1.0","agent":{},"actionGroup":"g","apiPath":"/x","httpMethod":"get","sessionId":"1"});
        let Incoming::Agent(e) = classify(&api.to_string(), &Context::default()).unwrap() else {
            panic!()
        };
        assert_eq!(
            e.target,
            AgentTarget::Api {
                api_path: "/x".into(),
                http_method: "get".into()
            }
        );
        let func = json!({"messageVersion":"1.0","agent":{},"actionGroup":"g","function":"f"});
        let Incoming::Function(e) = classify(&func.to_string(), &Context::default()).unwrap()
        else {
            panic!()
        };
        assert_eq!(e.target, AgentTarget::Function { name: "f".into() });
        for task in [
            json!({"agent":"007","items":[]}),
            json!([1, 2]),
            json!("text"),
            json!(null),
        ] {
            assert!(
                matches!(
                    classify(&task.to_string(), &Context::default()),
                    Ok(Incoming::Task(_))
                ),
                "{task}"
            );
        }
        for bad in [
            json!({"messageVersion":"1.0","agent":{},"actionGroup":"g"}),
            json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"/x"}),
            json!({"messageVersion":1,"actionGroup":"g","function":"f"}),
            json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"x","httpMethod":"GET"}),
        ] {
            assert!(
                classify(&bad.to_string(), &Context::default()).is_err(),
                "{bad}"
            );
        }
        // A Gateway tool call is told by its client context, whatever the payload.
        let mut gateway = Context::default();
        gateway.client_context = serde_json::from_value(
            json!({"custom": {crate::gateway::GATEWAY_TOOL_NAME_KEY: "t___x"}}),
        )
        .unwrap();
        for (payload, valid) in [
            (api.clone(), true),
            (json!(null), true),
            (json!([1]), false),
        ] {
            let Incoming::Tool { name, arguments } =
                classify(&payload.to_string(), &gateway).unwrap()
            else {
                panic!()
            };
            assert_eq!((name.as_str(), arguments.is_some()), ("t___x", valid));
        }
    }

    #[test]
    fn function_url_requests_are_told_apart() {
        // As `cargo lambda watch` sends them: nulls for what is absent.
        let url = json!({"version":"2.0","routeKey":"$default","rawPath":"/mcp","rawQueryString":null,
            "headers":{"content-type":"application/json","accept":["application/json","text/event-stream"]},
            "cookies":null,"queryStringParameters":{},"requestContext":{"http":{"method":"POST","path":"/mcp"}},
            "body":"e30=","isBase64Encoded":true});
        let Incoming::Url(request) = classify(&url.to_string(), &Context::default()).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/mcp")
        );
        assert_eq!(request.body.as_deref(), Some(&b"{}"[..]));
        assert!(request.headers.contains(&(
            "accept".to_owned(),
            "application/json, text/event-stream".to_owned()
        )));
        // A task payload that shares a key or two is still a task.
        for task in [
            json!({"version":"2.0","rawPath":"/x"}),
            json!({"version":"1.0","rawPath":"/x","requestContext":{"http":{"method":"GET"}}}),
            json!({"requestContext":{"http":{"method":"GET"}}}),
        ] {
            assert!(
                matches!(
                    classify(&task.to_string(), &Context::default()),
                    Ok(Incoming::Task(_))
                ),
                "{task}"
            );
        }
    }

    #[test]
    fn collects_parameters_and_body_properties() {
        let ev = json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"/x","httpMethod":"POST",
            "parameters":[{"name":"a","type":"integer","value":"1"}],
            "requestBody":{"content":{"application/json":{"properties":[{"name":"b","type":"string","value":"x,y"}]}}}});
        let Incoming::Agent(e) = classify(&ev.to_string(), &Context::default()).unwrap() else {
            panic!()
        };
        assert_eq!(e.parameters, json!({"a":"1"}));
        assert_eq!(e.body, Some(json!({"b":"x,y"})));
    }

    /// Any JSON value whose strings carry lone surrogate escapes and whose
    /// numbers go past `f64`: read whole, each such escape one U+FFFD, each
    /// such number its text; valid JSON is read exactly as `serde_json`
    /// reads it.
    mod lenient {
        use super::*;
        use proptest::prelude::*;

        /// Marks a lone surrogate (in strings) and a number past `f64`.
        const LONE: char = '\u{e000}';
        const HUGE: &str = "\u{e001}huge";

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>().prop_map(|n| json!(n)),
                any::<i64>().prop_map(|n| json!(n)),
                "[a-z0-9\"\\\\/\u{e000} ]{0,12}".prop_map(Value::String),
                any::<String>().prop_map(Value::String),
                Just(Value::String(HUGE.to_owned())),
            ];
            leaf.prop_recursive(4, 32, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z\u{e000}0-9]{0,6}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// What the lenient reading gives back for `v`.
        fn expected(v: &Value) -> Value {
            match v {
                Value::String(s) if s == HUGE => Value::String("-1e400".into()),
                Value::String(s) => Value::String(s.replace(LONE, "\u{fffd}")),
                Value::Array(a) => Value::Array(a.iter().map(expected).collect()),
                Value::Object(o) => Value::Object(
                    o.iter()
                        .map(|(k, v)| (k.replace(LONE, "\u{fffd}"), expected(v)))
                        .collect(),
                ),
                other => other.clone(),
            }
        }

        proptest! {
            #[test]
            fn unholdable_values_are_read_not_refused(v in value()) {
                let text = v
                    .to_string()
                    .replace(&format!("\"{HUGE}\""), "-1e400")
                    .replace(LONE, "\\ud800");
                prop_assert_eq!(lenient_json(&text).unwrap(), expected(&v), "{}", text);
            }

            #[test]
            fn valid_json_is_read_as_serde_json_reads_it(v in value()) {
                let text = v.to_string();
                prop_assert_eq!(lenient_json(&text).unwrap(), serde_json::from_str::<Value>(&text).unwrap());
            }

            #[test]
            fn any_text_never_panics(text in "[\\[\\]{}\",:\\\\u0-9a-fdeE.+ -]{0,80}") {
                let _ = lenient_json(&text);
            }
        }
    }
}
