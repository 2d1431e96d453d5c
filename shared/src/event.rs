//! The shapes of the events a function built on actionkit can receive, and
//! how they are told apart.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::MalformedEvent;

/// One `{name, type, value}` entry of Bedrock's `parameters` or body
/// `properties` list.
#[derive(Debug, Deserialize)]
struct NamedValue {
    name: String,
    #[serde(default)]
    value: Value,
}

/// The fields shared by both Bedrock Agent action-group event kinds.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentEventWire {
    message_version: String,
    action_group: String,
    #[serde(default)]
    api_path: Option<String>,
    #[serde(default)]
    http_method: Option<String>,
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    parameters: Option<Vec<NamedValue>>,
    #[serde(default)]
    request_body: Option<RequestBodyWire>,
    #[serde(default)]
    session_attributes: Option<HashMap<String, String>>,
    #[serde(default)]
    prompt_session_attributes: Option<HashMap<String, String>>,
}

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

/// What kind of invocation an incoming payload is.
#[derive(Debug)]
pub(crate) enum Incoming {
    Agent(Box<AgentEvent>),
    /// Anything that is not shaped like an agent event: a Step Functions
    /// task payload (or a direct invocation).
    Task,
}

/// Keys only a Bedrock Agent event carries together. Two of them are enough
/// to say "this was meant to be an agent event"; a Step Functions payload
/// that happens to use one of these names is still treated as a task.
const AGENT_MARKERS: [&str; 4] = ["messageVersion", "agent", "actionGroup", "sessionId"];

/// Classifies a raw payload. An object carrying at least two agent markers
/// must parse as an agent event, or it is a [`MalformedEvent`].
pub(crate) fn classify(event: &Value) -> Result<Incoming, MalformedEvent> {
    let Value::Object(object) = event else {
        return Ok(Incoming::Task);
    };
    let markers = AGENT_MARKERS
        .iter()
        .filter(|k| object.contains_key(**k))
        .count();
    if markers < 2 {
        return Ok(Incoming::Task);
    }
    parse_agent_event(event).map(|e| Incoming::Agent(Box::new(e)))
}

fn parse_agent_event(event: &Value) -> Result<AgentEvent, MalformedEvent> {
    let wire = AgentEventWire::deserialize(event)
        .map_err(|e| MalformedEvent::new(format!("not a Bedrock agent event: {e}")))?;
    let target = match (wire.api_path, wire.http_method, wire.function) {
        (Some(api_path), Some(http_method), _) => {
            if !api_path.starts_with('/') {
                return Err(MalformedEvent::new("apiPath must start with '/'"));
            }
            AgentTarget::Api {
                api_path,
                http_method: http_method.to_ascii_uppercase(),
            }
        }
        (None, None, Some(name)) => AgentTarget::Function { name },
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
        message_version: wire.message_version,
        action_group: wire.action_group,
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
        let Incoming::Agent(e) = classify(&api).unwrap() else {
            panic!()
        };
        assert_eq!(
            e.target,
            AgentTarget::Api {
                api_path: "/x".into(),
                http_method: "GET".into()
            }
        );
        let func = json!({"messageVersion":"1.0","agent":{},"actionGroup":"g","function":"f"});
        let Incoming::Agent(e) = classify(&func).unwrap() else {
            panic!()
        };
        assert_eq!(e.target, AgentTarget::Function { name: "f".into() });
        for task in [
            json!({"agent":"007","items":[]}),
            json!([1, 2]),
            json!("text"),
            json!(null),
        ] {
            assert!(matches!(classify(&task), Ok(Incoming::Task)), "{task}");
        }
        for bad in [
            json!({"messageVersion":"1.0","agent":{},"actionGroup":"g"}),
            json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"/x"}),
            json!({"messageVersion":1,"actionGroup":"g","function":"f"}),
            json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"x","httpMethod":"GET"}),
        ] {
            assert!(classify(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn collects_parameters_and_body_properties() {
        let ev = json!({"messageVersion":"1.0","actionGroup":"g","apiPath":"/x","httpMethod":"POST",
            "parameters":[{"name":"a","type":"integer","value":"1"}],
            "requestBody":{"content":{"application/json":{"properties":[{"name":"b","type":"string","value":"x,y"}]}}}});
        let Incoming::Agent(e) = classify(&ev).unwrap() else {
            panic!()
        };
        assert_eq!(e.parameters, json!({"a":"1"}));
        assert_eq!(e.body, Some(json!({"b":"x,y"})));
    }
}
