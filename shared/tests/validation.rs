//! Documented rules are enforced: every keyword the schema carries
//! (bounds, exclusive bounds, `multipleOf`, lengths, `pattern`, item counts,
//! `uniqueItems`, allowed values), on every part a handler reads (query and
//! path parameters, body properties nested or in lists), for every caller
//! (OpenAPI agent, function-details agent, Step Functions task, Gateway
//! tool), each answered in the caller's own words. Named cases pin the
//! wording; generated values inside and outside each rule pin the class.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use actionkit::{ActionError, Body, Json, Path, Query, Resolver};
use actionkit_testkit::{agent_api_event, agent_function_event, gateway_context, with_body};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// Allowed values of `status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Pending,
    Closed,
}

/// One field per keyword, as parameters and as a body.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[allow(dead_code)]
struct Rules {
    /// 1..=100.
    #[param(minimum = 1, maximum = 100)]
    #[schema(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Strictly between 0 and 1.
    #[param(exclusive_minimum = 0, exclusive_maximum = 1)]
    #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
    ratio: Option<f64>,
    /// Steps of 5.
    #[param(multiple_of = 5)]
    #[schema(multiple_of = 5)]
    step: Option<i64>,
    /// 2 to 8 characters.
    #[param(min_length = 2, max_length = 8)]
    #[schema(min_length = 2, max_length = 8)]
    code: Option<String>,
    /// A ticket id.
    #[param(pattern = "^T-[0-9]+$")]
    #[schema(pattern = "^T-[0-9]+$")]
    ticket: Option<String>,
    /// 1 to 3 tags.
    #[param(min_items = 1, max_items = 3)]
    #[schema(min_items = 1, max_items = 3)]
    tags: Option<Vec<String>>,
    /// open, pending or closed.
    #[param(inline)]
    #[schema(inline)]
    status: Option<Status>,
}

/// A path parameter with a length and a pattern.
#[derive(Debug, Deserialize, IntoParams)]
#[allow(dead_code)]
struct TicketPath {
    /// The ticket id.
    #[param(pattern = "^T-[0-9]+$", max_length = 12)]
    ticket_id: String,
}

/// A nested body: an object property, a list of objects, a set.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct Comment {
    /// Who writes.
    author: Author,
    /// Earlier versions.
    #[schema(max_items = 2)]
    history: Option<Vec<Author>>,
    /// Labels, each once.
    labels: Option<BTreeSet<String>>,
}

/// The author of a comment.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct Author {
    /// The author's name.
    #[schema(min_length = 1, max_length = 20)]
    name: String,
    /// Seniority, 0..=10.
    #[schema(maximum = 10)]
    level: Option<u8>,
}

async fn query_ok(Query(_): Query<Rules>) -> Json<&'static str> {
    Json("ok")
}

async fn body_ok(Body(_): Body<Rules>) -> Json<&'static str> {
    Json("ok")
}

async fn path_ok(Path(_): Path<TicketPath>) -> Json<&'static str> {
    Json("ok")
}

async fn comment_ok(Body(_): Body<Comment>) -> Result<Json<&'static str>, ActionError> {
    Ok(Json("ok"))
}

fn resolver() -> Resolver {
    Resolver::new("Rules")
        .error_prefix("Rules")
        .get("/rules", "Check the rules as query parameters", query_ok)
        .post("/rules", "Check the rules as a body", body_ok)
        .get("/tickets/{ticket_id}", "Check a path parameter", path_ok)
        .post("/comments", "Check a nested body", comment_ok)
        .function("rules", "Check the rules as function arguments", query_ok)
        .task("rules", body_ok)
        .task("comment", comment_ok)
}

/// What a caller got back when the call was refused.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    name: String,
    message: String,
    rule: Option<String>,
    parameter: Option<String>,
}

/// The callers a rule is enforced for, each sending values in its own form.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    AgentQuery,
    AgentBody,
    Function,
    Task,
    Tool,
}

const CALLERS: [Caller; 5] = [
    Caller::AgentQuery,
    Caller::AgentBody,
    Caller::Function,
    Caller::Task,
    Caller::Tool,
];

impl Caller {
    /// How this caller names a field in its messages.
    fn noun(self) -> &'static str {
        match self {
            Caller::AgentQuery => "Query parameter",
            Caller::AgentBody => "Body property",
            Caller::Function => "Function argument",
            Caller::Task => "Input field",
            Caller::Tool => "Tool argument",
        }
    }

    /// The error name of a broken rule.
    fn error_name(self) -> &'static str {
        match self {
            Caller::Task => "Rules.InvalidInput",
            _ => "InvalidParameter",
        }
    }
}

/// Bedrock's string form of a value: JSON text for arrays and objects.
fn bedrock_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Sends `args` as `caller` sends them; `Ok` when the handler ran.
async fn call(r: &Resolver, caller: Caller, args: &[(&str, Value)]) -> Result<(), Refusal> {
    let strings: Vec<(&str, &str, String)> = args
        .iter()
        .map(|(n, v)| (*n, "string", bedrock_string(v)))
        .collect();
    let listed: Vec<(&str, &str, &str)> = strings
        .iter()
        .map(|(n, t, v)| (*n, *t, v.as_str()))
        .collect();
    let object: Value = Value::Object(
        args.iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect(),
    );
    match caller {
        Caller::AgentQuery | Caller::AgentBody => {
            let event = if caller == Caller::AgentQuery {
                agent_api_event("Rules", "GET", "/rules", &listed)
            } else {
                with_body(agent_api_event("Rules", "POST", "/rules", &[]), &listed)
            };
            agent_answer(r, event).await
        }
        Caller::Function => {
            let out = r
                .handle(
                    agent_function_event("Rules", "rules", &listed),
                    Default::default(),
                )
                .await
                .expect("agent events are never Lambda errors");
            let out: Value = serde_json::from_str(out.get()).unwrap();
            let response = &out["response"]["functionResponse"];
            let body: Value =
                serde_json::from_str(response["responseBody"]["TEXT"]["body"].as_str().unwrap())
                    .unwrap();
            match response.get("responseState") {
                None => Ok(()),
                Some(state) => {
                    assert_eq!(
                        state, "REPROMPT",
                        "a broken rule lets the model retry: {out}"
                    );
                    Err(refusal(&body, "error"))
                }
            }
        }
        Caller::Task => {
            let event = json!({"task": "rules", "input": object});
            match r.handle(event, Default::default()).await {
                Ok(_) => Ok(()),
                Err(d) => Err(Refusal {
                    name: d.error_type.to_string(),
                    message: d.error_message.to_string(),
                    rule: None,
                    parameter: None,
                }),
            }
        }
        Caller::Tool => {
            let out = r
                .handle(object, gateway_context("T___get_rules"))
                .await
                .expect("tool calls are never Lambda errors");
            let out: Value = serde_json::from_str(out.get()).unwrap();
            if out["isError"] == true {
                Err(refusal(&out["error"], "name"))
            } else {
                Ok(())
            }
        }
    }
}

fn refusal(body: &Value, name_key: &str) -> Refusal {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    Refusal {
        name: text(name_key).unwrap_or_default(),
        message: text("message").unwrap_or_default(),
        rule: text("rule"),
        parameter: text("parameter"),
    }
}

async fn agent_answer(r: &Resolver, event: Value) -> Result<(), Refusal> {
    let out = r
        .handle(event, Default::default())
        .await
        .expect("agent events are never Lambda errors");
    let out: Value = serde_json::from_str(out.get()).unwrap();
    let status = out["response"]["httpStatusCode"].as_u64().unwrap();
    let body: Value = serde_json::from_str(
        out["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    if status == 200 {
        Ok(())
    } else {
        assert_eq!(status, 400, "{body}");
        Err(refusal(&body, "error"))
    }
}

/// Asserts the refusal of `caller` names `field` and says `rule_words`.
fn assert_refused(
    caller: Caller,
    outcome: Result<(), Refusal>,
    field: &str,
    rule: &str,
    rule_words: &str,
) {
    let refusal = outcome.expect_err(&format!("{caller:?}: `{field}` should break {rule}"));
    assert_eq!(refusal.name, caller.error_name(), "{caller:?}: {refusal:?}");
    let opening = format!("{} `{field}` must be {rule_words}", caller.noun());
    assert!(
        refusal.message.starts_with(&opening),
        "{caller:?}: {:?} should start with {opening:?}",
        refusal.message
    );
    assert!(
        refusal.message.len() < 400,
        "{caller:?}: {}",
        refusal.message
    );
    if caller != Caller::Task {
        assert_eq!(
            refusal.rule.as_deref(),
            Some(rule),
            "{caller:?}: {refusal:?}"
        );
        assert_eq!(
            refusal.parameter.as_deref(),
            Some(field),
            "{caller:?}: {refusal:?}"
        );
    }
}

/// One named case per keyword, for every caller: the message names the
/// field in the caller's words, the rule in the documented bounds, and (but
/// for a workflow's stored history) the value received.
#[test]
fn every_keyword_is_enforced_for_every_caller_in_its_words() {
    let r = resolver();
    let rt = runtime();
    let cases: [(&str, Value, &str, &str, &str); 10] = [
        ("limit", json!(0), "minimum", "from 1 to 100", "0"),
        ("limit", json!(250), "maximum", "from 1 to 100", "250"),
        (
            "ratio",
            json!(0),
            "exclusiveMinimum",
            "greater than 0 and less than 1",
            "0",
        ),
        (
            "ratio",
            json!(1),
            "exclusiveMaximum",
            "greater than 0 and less than 1",
            "1",
        ),
        ("step", json!(12), "multipleOf", "a multiple of 5", "12"),
        (
            "code",
            json!("x"),
            "minLength",
            "2 to 8 characters long",
            "\"x\" (1 character)",
        ),
        (
            "code",
            json!("abcdefghij"),
            "maxLength",
            "2 to 8 characters long",
            "(10 characters)",
        ),
        (
            "ticket",
            json!("X-12"),
            "pattern",
            "text matching the pattern ^T-[0-9]+$",
            "\"X-12\"",
        ),
        (
            "tags",
            json!(["a", "b", "c", "d"]),
            "maxItems",
            "a list of 1 to 3 items",
            "4 items",
        ),
        (
            "status",
            json!("reopened"),
            "enum",
            "one of open, pending, closed",
            "\"reopened\"",
        ),
    ];
    for caller in CALLERS {
        for (field, value, rule, words, received) in &cases {
            let outcome = rt.block_on(call(&r, caller, &[(field, value.clone())]));
            let message = outcome.clone().err().map(|r| r.message).unwrap_or_default();
            assert_refused(caller, outcome, field, rule, words);
            if caller == Caller::Task {
                // Step Functions keeps error messages in the execution
                // history: no received value there.
                assert!(!message.contains("received"), "{message}");
            } else {
                assert!(
                    message.contains(received),
                    "{caller:?}: {message} lacks {received}"
                );
            }
        }
        // Values inside every rule pass.
        let good = [
            ("limit", json!(100)),
            ("ratio", json!(0.5)),
            ("step", json!(-15)),
            ("code", json!("ab")),
            ("ticket", json!("T-1")),
            ("tags", json!(["a"])),
            ("status", json!("pending")),
        ];
        assert_eq!(rt.block_on(call(&r, caller, &good)), Ok(()), "{caller:?}");
    }
}

#[test]
fn path_parameters_and_nested_body_properties_are_named_by_their_path() {
    let r = resolver();
    let rt = runtime();
    let path = |id: &str| {
        agent_api_event(
            "Rules",
            "GET",
            "/tickets/{ticket_id}",
            &[("ticket_id", "string", id)],
        )
    };
    assert_eq!(rt.block_on(agent_answer(&r, path("T-42"))), Ok(()));
    let refusal = rt.block_on(agent_answer(&r, path("42"))).unwrap_err();
    assert_eq!(
        refusal.message,
        "Path parameter `ticket_id` must be text matching the pattern ^T-[0-9]+$; received \"42\"."
    );
    let refusal = rt
        .block_on(agent_answer(&r, path("T-1234567890123")))
        .unwrap_err();
    assert_eq!(refusal.rule.as_deref(), Some("maxLength"));

    let comment = |props: &[(&str, &str, &str)]| {
        with_body(agent_api_event("Rules", "POST", "/comments", &[]), props)
    };
    let ok = comment(&[
        ("author", "object", r#"{"name": "Ada", "level": 3}"#),
        ("history", "array", r#"[{"name": "Ada"}]"#),
        ("labels", "array", "[a, b]"),
    ]);
    assert_eq!(rt.block_on(agent_answer(&r, ok)), Ok(()));
    let cases = [
        (
            ("author", "object", r#"{"name": "", "level": 3}"#),
            "author.name",
            "minLength",
        ),
        (
            ("author", "object", r#"{"name": "Ada", "level": "11"}"#),
            "author.level",
            "maximum",
        ),
        (
            (
                "history",
                "array",
                r#"[{"name": "Ada"}, {"name": "Bob", "level": 12}]"#,
            ),
            "history[1].level",
            "maximum",
        ),
        (
            (
                "history",
                "array",
                r#"[{"name": "a"}, {"name": "b"}, {"name": "c"}]"#,
            ),
            "history",
            "maxItems",
        ),
        (("labels", "array", "[a, b, a]"), "labels", "uniqueItems"),
    ];
    for (prop, path, rule) in cases {
        let event = comment(&[("author", "object", r#"{"name": "Ada"}"#), prop]);
        let refusal = rt.block_on(agent_answer(&r, event)).unwrap_err();
        assert_eq!(refusal.parameter.as_deref(), Some(path), "{refusal:?}");
        assert_eq!(refusal.rule.as_deref(), Some(rule), "{refusal:?}");
        assert!(
            refusal
                .message
                .starts_with(&format!("Body property `{path}` must be")),
            "{refusal:?}"
        );
    }
    // The same nested rule for a workflow: named as an input field.
    let event = json!({"task": "comment", "input": {"author": {"name": "Ada", "level": 99}}});
    let err = rt
        .block_on(r.handle(event, Default::default()))
        .unwrap_err();
    assert_eq!(err.error_type, "Rules.InvalidInput");
    assert_eq!(
        err.error_message,
        "Input field `author.level` must be from 0 to 10."
    );
}

#[test]
fn wrong_types_are_named_without_rust_type_ranges() {
    let r = resolver();
    let rt = runtime();
    for (field, value, words) in [
        ("limit", json!("many"), "a whole number from 0 up"),
        ("limit", json!("2.5"), "a whole number from 0 up"),
        (
            "step",
            json!("100000000000000000000"),
            "a smaller whole number",
        ),
        (
            "step",
            json!("-100000000000000000000"),
            "a whole number closer to 0",
        ),
    ] {
        for caller in [Caller::AgentQuery, Caller::Function, Caller::Tool] {
            let refusal = rt
                .block_on(call(&r, caller, &[(field, value.clone())]))
                .unwrap_err();
            assert!(
                refusal
                    .message
                    .starts_with(&format!("{} `{field}` must be {words}", caller.noun())),
                "{refusal:?}"
            );
            assert!(!refusal.message.contains("4294967295"), "{refusal:?}");
            assert!(
                !refusal.message.contains("9223372036854775807"),
                "{refusal:?}"
            );
        }
    }
}

#[test]
fn long_values_and_long_allowed_lists_are_quoted_short() {
    let r = resolver();
    let rt = runtime();
    let long = "T".repeat(50_000);
    for field in ["code", "ticket", "status"] {
        for caller in CALLERS {
            let refusal = rt
                .block_on(call(&r, caller, &[(field, json!(long.clone()))]))
                .unwrap_err();
            assert!(
                refusal.message.len() < 400,
                "{caller:?} {field}: {}",
                refusal.message.len()
            );
        }
    }
}

#[test]
#[should_panic(expected = "pattern `[unclosed` is not a regular expression")]
fn an_invalid_pattern_refuses_registration() {
    #[derive(Deserialize, IntoParams)]
    #[allow(dead_code)]
    struct Bad {
        /// Never compiles.
        #[param(pattern = "[unclosed")]
        id: String,
    }
    async fn bad(Query(_): Query<Bad>) -> Json<&'static str> {
        Json("never")
    }
    let _ = Resolver::new("Bad").get("/bad", "A route with a broken pattern", bad);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any whole number: accepted exactly when 1 ≤ n ≤ 100, whoever sends it.
    #[test]
    fn bounds_hold_for_generated_numbers(n in -1_000i64..1_000, caller in 0..CALLERS.len()) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("limit", json!(n))]));
        if (1..=100).contains(&n) {
            prop_assert_eq!(outcome, Ok(()));
        } else if n < 0 {
            // Out of u32 too: the documented range is still what is said.
            let refusal = outcome.unwrap_err();
            prop_assert!(refusal.message.contains("from 1 to 100"), "{:?}", refusal);
        } else {
            let rule = if n < 1 { "minimum" } else { "maximum" };
            assert_refused(caller, outcome, "limit", rule, "from 1 to 100");
        }
    }

    /// Any float: accepted exactly when 0 < x < 1.
    #[test]
    fn exclusive_bounds_hold_for_generated_floats(x in -2.0f64..2.0, caller in 0..CALLERS.len()) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("ratio", json!(x))]));
        if x > 0.0 && x < 1.0 {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            let rule = if x <= 0.0 { "exclusiveMinimum" } else { "exclusiveMaximum" };
            assert_refused(caller, outcome, "ratio", rule, "greater than 0 and less than 1");
        }
    }

    /// Any whole number: accepted exactly when a multiple of 5.
    #[test]
    fn multiples_hold_for_generated_numbers(n in -10_000i64..10_000, caller in 0..CALLERS.len()) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("step", json!(n))]));
        if n % 5 == 0 {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            assert_refused(caller, outcome, "step", "multipleOf", "a multiple of 5");
        }
    }

    /// Any text (any script, control characters): accepted exactly when 2
    /// to 8 characters (not bytes) long.
    #[test]
    fn lengths_hold_for_generated_text(s in "\\PC{0,12}", caller in 0..CALLERS.len()) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("code", json!(s))]));
        let n = s.chars().count();
        if (2..=8).contains(&n) {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            let rule = if n < 2 { "minLength" } else { "maxLength" };
            assert_refused(caller, outcome, "code", rule, "2 to 8 characters long");
        }
    }

    /// Ticket ids pass; anything with another prefix or a non-digit fails.
    #[test]
    fn patterns_hold_for_generated_ids(
        digits in "[0-9]{1,9}",
        prefix in "[A-Z]-|T_|t-|-",
        junk in "[a-z ]{1,3}",
        caller in 0..CALLERS.len(),
    ) {
        let caller = CALLERS[caller];
        let r = resolver();
        let rt = runtime();
        let good = format!("T-{digits}");
        prop_assert_eq!(rt.block_on(call(&r, caller, &[("ticket", json!(good))])), Ok(()));
        if prefix != "T-" {
            let bad = format!("{prefix}{digits}");
            let outcome = rt.block_on(call(&r, caller, &[("ticket", json!(bad))]));
            assert_refused(caller, outcome, "ticket", "pattern", "text matching the pattern");
        }
        let bad = format!("T-{digits}{junk}");
        let outcome = rt.block_on(call(&r, caller, &[("ticket", json!(bad))]));
        assert_refused(caller, outcome, "ticket", "pattern", "text matching the pattern");
    }

    /// Lists of any length: accepted exactly when 1 to 3 items.
    #[test]
    fn item_counts_hold_for_generated_lists(
        tags in proptest::collection::vec("[a-z]{1,6}", 0..7),
        caller in 0..CALLERS.len(),
    ) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("tags", json!(tags))]));
        if (1..=3).contains(&tags.len()) {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            let rule = if tags.is_empty() { "minItems" } else { "maxItems" };
            assert_refused(caller, outcome, "tags", rule, "a list of 1 to 3 items");
        }
    }

    /// Any word: accepted exactly when one of the allowed values.
    #[test]
    fn allowed_values_hold_for_generated_words(
        word in "open|pending|closed|[a-z]{1,8}",
        caller in 0..CALLERS.len(),
    ) {
        let caller = CALLERS[caller];
        let outcome = runtime().block_on(call(&resolver(), caller, &[("status", json!(word))]));
        if ["open", "pending", "closed"].contains(&word.as_str()) {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            assert_refused(caller, outcome, "status", "enum", "one of open, pending, closed");
        }
    }

    /// Sets: accepted exactly when no label repeats.
    #[test]
    fn unique_items_hold_for_generated_lists(labels in proptest::collection::vec("[a-c]", 0..5)) {
        let r = resolver();
        let json = serde_json::to_string(&labels).unwrap();
        let event = with_body(
            agent_api_event("Rules", "POST", "/comments", &[]),
            &[("author", "object", r#"{"name": "Ada"}"#), ("labels", "array", &json)],
        );
        let outcome = runtime().block_on(agent_answer(&r, event));
        let distinct: BTreeSet<&String> = labels.iter().collect();
        if distinct.len() == labels.len() {
            prop_assert_eq!(outcome, Ok(()));
        } else {
            let rule = outcome.unwrap_err().rule;
            prop_assert_eq!(rule.as_deref(), Some("uniqueItems"));
        }
    }
}

/// Types declared once with `#[model]`: the facts in `#[field(..)]` are
/// enforced, for parameters and bodies, enums by reference included.
mod declared {
    use actionkit::model;

    /// How urgent.
    #[model]
    #[derive(Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    pub enum Priority {
        Low,
        High,
    }

    #[model]
    pub struct Filter {
        /// Only this priority.
        pub priority: Option<Priority>,
        /// How many.
        #[field(default = 20, minimum = 1, maximum = 100)]
        pub limit: u32,
        /// A ticket id.
        #[field(pattern = "^T-[0-9]+$")]
        pub ticket: Option<String>,
        /// Labels.
        #[field(default, max_items = 2, allowed = ["a", "b", "c"])]
        pub labels: Vec<String>,
    }

    #[model]
    pub struct Note {
        /// The text.
        #[field(min_length = 1, max_length = 5)]
        pub text: String,
        /// Its priority.
        pub priority: Priority,
    }
}

#[test]
fn model_declarations_are_enforced_where_they_are_declared() {
    async fn list(Query(f): Query<declared::Filter>) -> Json<u32> {
        Json(f.limit)
    }
    async fn note(Body(n): Body<declared::Note>) -> Json<String> {
        Json(n.text)
    }
    let r = Resolver::new("Declared")
        .get("/filter", "Filter", list)
        .post("/note", "Note", note);
    let rt = runtime();
    let get = |params: &[(&str, &str, &str)]| agent_api_event("Declared", "GET", "/filter", params);
    assert_eq!(
        rt.block_on(agent_answer(&r, get(&[]))),
        Ok(()),
        "defaults pass"
    );
    type Params<'a> = &'a [(&'a str, &'a str, &'a str)];
    let cases: [(Params, &str, &str); 5] = [
        (&[("limit", "integer", "0")], "limit", "minimum"),
        (&[("limit", "integer", "101")], "limit", "maximum"),
        (&[("ticket", "string", "X")], "ticket", "pattern"),
        (&[("labels", "array", "[a, b, c]")], "labels", "maxItems"),
        (&[("priority", "string", "urgent")], "priority", "enum"),
    ];
    for (params, field, rule) in cases {
        let refusal = rt.block_on(agent_answer(&r, get(params))).unwrap_err();
        assert_eq!(refusal.parameter.as_deref(), Some(field), "{refusal:?}");
        if field == "priority" {
            // Whether the enum's rule or the decoder answers, the allowed
            // values are named.
            assert!(refusal.message.contains("low, high"), "{refusal:?}");
        } else {
            assert_eq!(refusal.rule.as_deref(), Some(rule), "{refusal:?}");
        }
        assert!(
            refusal
                .message
                .starts_with(&format!("Query parameter `{field}` must be")),
            "{refusal:?}"
        );
    }
    let post = |props: &[(&str, &str, &str)]| {
        with_body(agent_api_event("Declared", "POST", "/note", &[]), props)
    };
    let ok = post(&[("text", "string", "hi"), ("priority", "string", "low")]);
    assert_eq!(rt.block_on(agent_answer(&r, ok)), Ok(()));
    let long = post(&[
        ("text", "string", "too long"),
        ("priority", "string", "low"),
    ]);
    let refusal = rt.block_on(agent_answer(&r, long)).unwrap_err();
    assert_eq!(
        refusal.message,
        "Body property `text` must be 1 to 5 characters long; received \"too long\" (8 characters)."
    );
    let bad = post(&[("text", "string", "hi"), ("priority", "string", "urgent")]);
    let refusal = rt.block_on(agent_answer(&r, bad)).unwrap_err();
    assert_eq!(refusal.rule.as_deref(), Some("enum"), "{refusal:?}");
    assert_eq!(
        refusal.message,
        "Body property `priority` must be one of low, high; received \"urgent\"."
    );
}

/// Map values are checked under their key, and a caller's long key is
/// quoted back shortened like any value.
#[test]
fn map_values_are_checked_under_their_shortened_key() {
    #[derive(Debug, Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Team {
        /// Members by nickname.
        members: std::collections::HashMap<String, Author>,
    }
    async fn team(Body(_): Body<Team>) -> Json<&'static str> {
        Json("ok")
    }
    let r = Resolver::new("Teams").post("/teams", "Create a team", team);
    let rt = runtime();
    let key = "k".repeat(5_000);
    let members = json!({ "ada": {"name": "Ada"}, key.clone(): {"name": "Bob", "level": 50} });
    let event = with_body(
        agent_api_event("Teams", "POST", "/teams", &[]),
        &[("members", "object", &members.to_string())],
    );
    let refusal = rt.block_on(agent_answer(&r, event)).unwrap_err();
    assert_eq!(refusal.rule.as_deref(), Some("maximum"), "{refusal:?}");
    let parameter = refusal.parameter.unwrap();
    assert!(parameter.starts_with("members.kkk"), "{parameter}");
    assert!(parameter.ends_with(".level"), "{parameter}");
    assert!(parameter.len() < 200, "{}", parameter.len());
    assert!(refusal.message.len() < 600, "{}", refusal.message.len());
}

/// Numbers beyond `f64` (`1e400`), spelled as text by every caller or
/// written raw in a tool call's or task's JSON, break the documented bound
/// in its words: never refused as "not a JSON object", "not JSON" or in the
/// Rust type's words ("a whole number from 0 up").
#[test]
fn numbers_beyond_f64_break_the_documented_bound() {
    let r = resolver();
    let rt = runtime();
    for (field, value, rule, words) in [
        ("limit", "1e400", "maximum", "from 1 to 100"),
        ("limit", "-1e400", "minimum", "from 1 to 100"),
        ("limit", " 2E+999 ", "maximum", "from 1 to 100"),
        (
            "ratio",
            "1e400",
            "exclusiveMaximum",
            "greater than 0 and less than 1",
        ),
        (
            "ratio",
            "-1e400",
            "exclusiveMinimum",
            "greater than 0 and less than 1",
        ),
    ] {
        for caller in CALLERS {
            let outcome = rt.block_on(call(&r, caller, &[(field, json!(value))]));
            assert_refused(caller, outcome, field, rule, words);
        }
    }
    // Raw in the payload: serde_json alone cannot hold it and refused the
    // whole call.
    let tool = |text: &str| -> Value {
        let out = rt
            .block_on(r.handle_json(text, gateway_context("T___get_rules")))
            .unwrap();
        serde_json::from_str(out.get()).unwrap()
    };
    let out = tool(r#"{"limit": 1e400, "code": "ab"}"#);
    assert_eq!(out["error"]["rule"], "maximum", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Tool argument `limit` must be from 1 to 100; received \"1e400\""),
        "{out}"
    );
    let out = tool(r#"{"ratio": -1E+400}"#);
    assert_eq!(out["error"]["rule"], "exclusiveMinimum", "{out}");
    let task = rt
        .block_on(r.handle_json(
            r#"{"task": "rules", "input": {"limit": 1e999}}"#,
            Default::default(),
        ))
        .unwrap_err();
    assert_eq!(
        task.error_message,
        "Input field `limit` must be from 1 to 100."
    );
    // Numbers within f64 are untouched; words `f64` parses are no numbers.
    assert_eq!(tool(r#"{"limit": 1e2}"#), json!("ok"));
    for word in ["inf", "-infinity", "NaN", "1e400x", "e400"] {
        let refusal = rt
            .block_on(call(&r, Caller::Tool, &[("limit", json!(word))]))
            .unwrap_err();
        assert_eq!(refusal.rule, None, "{word}: {refusal:?}");
        assert!(
            refusal
                .message
                .starts_with("Tool argument `limit` must be a whole number")
        );
    }
}

/// A lone surrogate escape (half of an emoji a model cut) in a tool call or
/// a task no longer makes the whole payload unreadable: it is U+FFFD, one
/// character, and the rules see the rest.
#[test]
fn lone_surrogates_in_a_payload_are_one_replacement_character() {
    let r = resolver();
    let rt = runtime();
    let tool = |text: &str| -> Value {
        let out = rt
            .block_on(r.handle_json(text, gateway_context("T___get_rules")))
            .unwrap();
        serde_json::from_str(out.get()).unwrap()
    };
    assert_eq!(tool(r#"{"code": "\ud800x"}"#), json!("ok"));
    assert_eq!(tool(r#"{"code": "\ud83d\ude00\udc00"}"#), json!("ok"));
    let out = tool(r#"{"code": "\ud83d"}"#);
    assert_eq!(out["error"]["rule"], "minLength", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("received \"\u{fffd}\" (1 character)"),
        "{out}"
    );
    // An escaped backslash before `u` is no escape.
    let out = tool(r#"{"ticket": "\\ud800"}"#);
    assert_eq!(out["error"]["rule"], "pattern", "{out}");
    let task = rt
        .block_on(r.handle_json(
            r#"{"task": "rules", "input": {"code": "\udfff"}}"#,
            Default::default(),
        ))
        .unwrap_err();
    assert_eq!(
        task.error_message,
        "Input field `code` must be 2 to 8 characters long."
    );
    // What is broken otherwise stays refused as before.
    let out = tool(r#"{"code": "ab", "#);
    assert_eq!(out["error"]["name"], "InvalidArguments", "{out}");
}

proptest! {
    /// Any exponent past `f64`, either sign, any caller: the documented
    /// bound, in the caller's words, with no Rust type range.
    #[test]
    fn numbers_past_f64_break_bounds_for_every_caller(
        mantissa in 1u32..1000,
        exponent in 309u32..5000,
        negative in any::<bool>(),
        caller in 0..CALLERS.len(),
    ) {
        let r = resolver();
        let rt = runtime();
        let sign = if negative { "-" } else { "" };
        let text = format!("{sign}{mantissa}e{exponent}");
        let caller = CALLERS[caller];
        let outcome = rt.block_on(call(&r, caller, &[("limit", json!(text))]));
        let rule = if negative { "minimum" } else { "maximum" };
        let refusal = outcome.clone().unwrap_err();
        prop_assert!(!refusal.message.contains("4294967295") && !refusal.message.contains("u32"));
        assert_refused(caller, outcome, "limit", rule, "from 1 to 100");
        if caller == Caller::Tool {
            let raw = format!(r#"{{"limit": {text}}}"#);
            let out = rt.block_on(r.handle_json(&raw, gateway_context("T___get_rules"))).unwrap();
            let out: Value = serde_json::from_str(out.get()).unwrap();
            prop_assert_eq!(&out["error"]["rule"], rule);
        }
    }
}

/// A body property holding JSON text (how Bedrock sends an object or a
/// list) is read the same lenient way: a number beyond `f64` or a lone
/// surrogate escape inside it is checked against its own rule, not reported
/// as "must be a JSON object".
#[test]
fn json_text_in_a_property_is_read_past_what_serde_json_cannot_hold() {
    let r = resolver();
    let rt = runtime();
    let comment = |props: &[(&str, &str, &str)]| {
        with_body(agent_api_event("Rules", "POST", "/comments", &[]), props)
    };
    for (author, path, rule) in [
        (
            r#"{"name": "Ada", "level": 1e400}"#,
            "author.level",
            Some("maximum"),
        ),
        (r#"{"name": "\ud800", "level": 1}"#, "", None),
        (
            r#"{"name": "\ud800\ud800", "level": -1e999}"#,
            "author.level",
            Some("minimum"),
        ),
    ] {
        let outcome = rt.block_on(agent_answer(&r, comment(&[("author", "object", author)])));
        match rule {
            None => assert_eq!(outcome, Ok(()), "{author}"),
            Some(rule) => {
                let refusal = outcome.unwrap_err();
                assert_eq!(refusal.rule.as_deref(), Some(rule), "{author}: {refusal:?}");
                assert!(
                    refusal
                        .message
                        .starts_with(&format!("Body property `{path}` must be from 0 to 10")),
                    "{refusal:?}"
                );
            }
        }
    }
    let history = r#"[{"name": "Ada"}, {"name": "Bob", "level": 1e400}]"#;
    let refusal = rt
        .block_on(agent_answer(
            &r,
            comment(&[
                ("author", "object", r#"{"name": "A"}"#),
                ("history", "array", history),
            ]),
        ))
        .unwrap_err();
    assert_eq!(
        refusal.parameter.as_deref(),
        Some("history[1].level"),
        "{refusal:?}"
    );
    // Text that is not JSON stays refused as before.
    let refusal = rt
        .block_on(agent_answer(
            &r,
            comment(&[("author", "object", r#"{"name": "Ada"#)]),
        ))
        .unwrap_err();
    assert!(
        refusal
            .message
            .starts_with("Body property `author` must be a JSON object"),
        "{refusal:?}"
    );
}

/// A login, with a documented secret.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
struct Login {
    /// The user.
    #[schema(max_length = 8)]
    user: String,
    /// The password, 8 characters or more, no spaces.
    #[schema(format = Password, min_length = 8, pattern = "^[^ ]+$")]
    password: String,
    /// A PIN, sent once.
    #[schema(write_only, min_length = 4, max_length = 4)]
    pin: Option<String>,
}

/// A value its schema documents as a secret (`format: password`,
/// `writeOnly`) is never quoted back when it breaks a rule: the message
/// names the rule and the length only. Other fields are still quoted.
#[test]
fn secrets_are_not_quoted_back() {
    async fn login(Body(_): Body<Login>) -> Json<&'static str> {
        Json("ok")
    }
    let r = Resolver::new("Auth").post("/login", "Log in", login);
    let rt = runtime();
    for (props, field, rule, secret) in [
        (
            vec![("user", "ada"), ("password", "hunter2")],
            "password",
            "minLength",
            "hunter2",
        ),
        (
            vec![("user", "ada"), ("password", "correct horse")],
            "password",
            "pattern",
            "correct horse",
        ),
        (
            vec![
                ("user", "ada"),
                ("password", "longenough"),
                ("pin", "98765"),
            ],
            "pin",
            "maxLength",
            "98765",
        ),
    ] {
        let listed: Vec<(&str, &str, &str)> =
            props.iter().map(|(n, v)| (*n, "string", *v)).collect();
        let event = with_body(agent_api_event("Auth", "POST", "/login", &[]), &listed);
        let refusal = rt.block_on(agent_answer(&r, event)).unwrap_err();
        assert_eq!(refusal.rule.as_deref(), Some(rule), "{refusal:?}");
        assert_eq!(refusal.parameter.as_deref(), Some(field), "{refusal:?}");
        assert!(!refusal.message.contains(secret), "{refusal:?}");
        assert!(refusal.message.contains("a hidden value ("), "{refusal:?}");
        let args: Value = props
            .iter()
            .map(|(n, v)| ((*n).to_owned(), json!(v)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        let out = rt
            .block_on(r.handle(args, gateway_context("T___post_login")))
            .unwrap();
        assert!(!out.get().contains(secret), "{}", out.get());
        assert!(out.get().contains(rule), "{}", out.get());
    }
    let event = with_body(
        agent_api_event("Auth", "POST", "/login", &[]),
        &[
            ("user", "string", "adalovelace"),
            ("password", "string", "longenough"),
        ],
    );
    let refusal = rt.block_on(agent_answer(&r, event)).unwrap_err();
    assert!(refusal.message.contains("\"adalovelace\""), "{refusal:?}");
}
