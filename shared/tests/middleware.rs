//! Middleware around handlers: a role check on session attributes answered
//! in every caller's envelope, an audit line, a per-route timeout, layer
//! order and scope.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actionkit::middleware::{Call, Caller, Next, from_fn};
use actionkit::testing::{
    agent_api_event, agent_function_event, context, gateway_tool_call, task_event,
    with_session_attributes,
};
use actionkit::{ActionError, Json, Path, Resolver, State};
use actionkit_testkit::CapturedLogs;
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
struct TicketId {
    /// The ticket's id.
    ticket_id: String,
}

/// How many times a handler body ran.
type Runs = Arc<AtomicUsize>;

async fn escalate(State(runs): State<Runs>, Path(t): Path<TicketId>) -> Json<String> {
    runs.fetch_add(1, Ordering::SeqCst);
    Json(format!("{} escalated", t.ticket_id))
}

async fn list(State(runs): State<Runs>) -> Json<Vec<String>> {
    runs.fetch_add(1, Ordering::SeqCst);
    Json(vec!["T-1".into()])
}

async fn slow(State(runs): State<Runs>) -> Json<&'static str> {
    tokio::time::sleep(Duration::from_secs(30)).await;
    runs.fetch_add(1, Ordering::SeqCst);
    Json("done")
}

/// The role check of the README: the handlers registered above it need a
/// `support-lead` session attribute `role`.
fn require_support_lead() -> impl actionkit::middleware::Middleware {
    from_fn(|call: Call, next: Next| async move {
        if call.session_attribute("role") != Some("support-lead") {
            return Err(ActionError::forbidden(
                "Escalating needs the support-lead role; ask a support lead.",
            ));
        }
        Ok(next.run().await)
    })
}

fn resolver(runs: &Runs) -> Resolver<Runs> {
    Resolver::with_state("Tickets", runs.clone())
        .post(
            "/tickets/{ticket_id}/escalate",
            "Escalate a ticket",
            escalate,
        )
        .function("escalate_ticket", "Escalate a ticket", escalate)
        .task("escalate", escalate)
        .layer(require_support_lead())
        .get("/tickets", "List tickets", list)
        .get("/slow", "A slow listing", slow)
        .layer_where(
            |operation| operation == "GET /slow",
            from_fn(|_: Call, next: Next| async move {
                tokio::time::timeout(Duration::from_millis(50), next.run())
                    .await
                    .map_err(|_| ActionError::unavailable("Listing timed out; try again."))
            }),
        )
        .layer(from_fn(|call: Call, next: Next| async move {
            let reply = next.run().await;
            tracing::info!(
                operation = call.operation(),
                caller = ?call.caller(),
                status = reply.status(),
                error = reply.error_name(),
                "audit"
            );
            reply
        }))
}

async fn answer(r: &Resolver<Runs>, event: Value) -> Value {
    let raw = r
        .handle(event, context())
        .await
        .expect("agent events answer");
    serde_json::from_str(raw.get()).unwrap()
}

fn escalate_event(role: Option<&str>) -> Value {
    let event = agent_api_event(
        "Tickets",
        "POST",
        "/tickets/{ticket_id}/escalate",
        &[("ticket_id", "string", "T-1")],
    );
    match role {
        Some(role) => with_session_attributes(event, &[("role", role)]),
        None => event,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_route_without_the_role_is_refused_with_403_and_the_handler_never_runs() {
    let runs = Runs::default();
    let r = resolver(&runs);
    let response = answer(&r, escalate_event(None)).await;
    assert_eq!(response["response"]["httpStatusCode"], 403);
    let body: Value = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["error"], "Forbidden");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("support-lead role"),
        "{body}"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    let response = answer(&r, escalate_event(Some("support-lead"))).await;
    assert_eq!(response["response"]["httpStatusCode"], 200);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn the_refusal_comes_before_decoding_errors() {
    // No ticket_id at all: without the role the caller learns it needs the
    // role, not which parameter is missing.
    let runs = Runs::default();
    let event = agent_api_event("Tickets", "POST", "/tickets/{ticket_id}/escalate", &[]);
    let response = answer(&resolver(&runs), event).await;
    assert_eq!(response["response"]["httpStatusCode"], 403);
}

#[tokio::test(flavor = "current_thread")]
async fn every_caller_gets_the_refusal_in_its_own_envelope() {
    let runs = Runs::default();
    let r = resolver(&runs);

    let function = agent_function_event(
        "Tickets",
        "escalate_ticket",
        &[("ticket_id", "string", "T-1")],
    );
    let response = answer(&r, function).await;
    assert_eq!(
        response["response"]["functionResponse"]["responseState"],
        "REPROMPT"
    );
    let body = response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
        .as_str()
        .unwrap();
    assert!(body.contains("Forbidden"), "{body}");

    // Step Functions has no session attributes: a task behind the check is
    // refused under the task's error name.
    let task = task_event("escalate", json!({"ticket_id": "T-1"}));
    let r2 = Resolver::with_state("Tickets", runs.clone())
        .task("escalate", escalate)
        .task("other", list)
        .layer(require_support_lead());
    let failure = r2.handle(task, context()).await.unwrap_err();
    assert_eq!(failure.error_type, "ActionKit.Forbidden");

    let (payload, gateway) =
        gateway_tool_call("tickets___escalate_ticket", json!({"ticket_id": "T-1"}));
    let raw = r.handle(payload, gateway).await.unwrap();
    let result: Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn layers_wrap_only_what_was_registered_before_them() {
    let runs = Runs::default();
    let r = resolver(&runs);
    let response = answer(&r, agent_api_event("Tickets", "GET", "/tickets", &[])).await;
    assert_eq!(response["response"]["httpStatusCode"], 200);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_per_route_timeout_answers_503_and_leaves_other_routes_alone() {
    let runs = Runs::default();
    let r = resolver(&runs);
    let response = answer(&r, agent_api_event("Tickets", "GET", "/slow", &[])).await;
    assert_eq!(response["response"]["httpStatusCode"], 503);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn the_audit_line_names_operation_caller_and_outcome_without_the_payload() {
    let logs = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runs = Runs::default();
    let r = resolver(&runs);
    answer(&r, escalate_event(Some("guest"))).await;
    let audit: Vec<Value> = logs
        .text()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "audit")
        .collect();
    assert_eq!(audit.len(), 1, "{}", logs.text());
    let fields = &audit[0]["fields"];
    assert_eq!(fields["operation"], "POST /tickets/{ticket_id}/escalate");
    assert_eq!(fields["caller"], "AgentApi");
    assert_eq!(fields["status"], 403);
    assert_eq!(fields["error"], "Forbidden");
    assert!(!logs.text().contains("T-1"), "no payload in the audit line");
}

#[tokio::test(flavor = "current_thread")]
async fn the_call_describes_each_caller() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let r = {
        let seen = seen.clone();
        Resolver::with_state("Tickets", Runs::default())
            .get("/tickets", "List tickets", list)
            .function("list_tickets", "List tickets", list)
            .layer(from_fn(move |call: Call, next: Next| {
                let seen = seen.clone();
                async move {
                    seen.lock()
                        .unwrap()
                        .push((call.caller(), call.operation().to_owned()));
                    next.run().await
                }
            }))
    };
    r.handle(
        agent_api_event("Tickets", "GET", "/tickets", &[]),
        context(),
    )
    .await
    .unwrap();
    r.handle(
        agent_function_event("Tickets", "list_tickets", &[]),
        context(),
    )
    .await
    .unwrap();
    let (payload, gateway) = gateway_tool_call("tickets___list_tickets", json!({}));
    r.handle(payload, gateway).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (Caller::AgentApi, "GET /tickets".to_owned()),
            (Caller::AgentFunction, "list_tickets".to_owned()),
            (Caller::Tool, "list_tickets".to_owned()),
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever role (or none) the session holds, the call is answered, and
    /// the handler runs exactly when the role is the one required.
    #[test]
    fn only_the_required_role_reaches_the_handler(role in proptest::option::of("[ -~]{0,24}")) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let runs = Runs::default();
        let r = resolver(&runs);
        let response = rt.block_on(answer(&r, escalate_event(role.as_deref())));
        let allowed = role.as_deref() == Some("support-lead");
        prop_assert_eq!(
            response["response"]["httpStatusCode"].as_u64(),
            Some(if allowed { 200 } else { 403 })
        );
        prop_assert_eq!(runs.load(Ordering::SeqCst), usize::from(allowed));
    }
}
