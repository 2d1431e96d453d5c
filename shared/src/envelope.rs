//! The response envelopes Bedrock Agents expect, serialized without an
//! intermediate `Value`.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::{RawValue, to_raw_value};

/// What every agent envelope echoes or carries besides the response.
pub(crate) struct EnvelopeCommon<'a> {
    pub(crate) message_version: &'a str,
    pub(crate) action_group: &'a str,
    pub(crate) session_attributes: &'a HashMap<String, String>,
    pub(crate) prompt_session_attributes: &'a HashMap<String, String>,
    pub(crate) knowledge_bases: Option<&'a Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, R> {
    message_version: &'a str,
    response: R,
    session_attributes: &'a HashMap<String, String>,
    prompt_session_attributes: &'a HashMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    knowledge_bases_configuration: Option<&'a Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApiResponse<'a> {
    action_group: &'a str,
    api_path: &'a str,
    http_method: &'a str,
    http_status_code: u16,
    response_body: ApiBody<'a>,
}

#[derive(Serialize)]
struct ApiBody<'a> {
    #[serde(rename = "application/json")]
    json: TextBody<'a>,
}

#[derive(Serialize)]
struct TextBody<'a> {
    body: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionResponse<'a> {
    action_group: &'a str,
    function: &'a str,
    function_response: FunctionResult<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    response_state: Option<&'static str>,
    response_body: FunctionBody<'a>,
}

#[derive(Serialize)]
struct FunctionBody<'a> {
    #[serde(rename = "TEXT")]
    text: TextBody<'a>,
}

fn envelope<R: Serialize>(common: &EnvelopeCommon<'_>, response: R) -> Box<RawValue> {
    let envelope = Envelope {
        message_version: common.message_version,
        response,
        session_attributes: common.session_attributes,
        prompt_session_attributes: common.prompt_session_attributes,
        knowledge_bases_configuration: common.knowledge_bases,
    };
    // Only strings, maps of strings and `Value`s: serialization cannot fail.
    // Serializing straight into a `RawValue` skips re-parsing the output.
    to_raw_value(&envelope).unwrap_or_default()
}

/// The OpenAPI-mode envelope.
pub(crate) fn api_envelope(
    common: &EnvelopeCommon<'_>,
    api_path: &str,
    http_method: &str,
    status: u16,
    body: &str,
) -> Box<RawValue> {
    envelope(
        common,
        ApiResponse {
            action_group: common.action_group,
            api_path,
            http_method,
            http_status_code: status,
            response_body: ApiBody {
                json: TextBody { body },
            },
        },
    )
}

/// The function-details envelope. `status` decides `responseState`:
/// 4xx → `REPROMPT` (the model can fix its arguments), 5xx → `FAILURE`.
pub(crate) fn function_envelope(
    common: &EnvelopeCommon<'_>,
    function: &str,
    status: u16,
    body: &str,
) -> Box<RawValue> {
    let response_state = match status {
        400..=499 => Some("REPROMPT"),
        500.. => Some("FAILURE"),
        _ => None,
    };
    envelope(
        common,
        FunctionResponse {
            action_group: common.action_group,
            function,
            function_response: FunctionResult {
                response_state,
                response_body: FunctionBody {
                    text: TextBody { body },
                },
            },
        },
    )
}
