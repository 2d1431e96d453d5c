//! Answering event files: one, printed raw (a cold-start harness), or a
//! directory of them, printed for a person to read.

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actionkit::{Context, Resolver};
use serde_json::Value;

fn context(request_id: &str) -> Context {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    context.deadline = (now + Duration::from_secs(30)).as_millis() as u64;
    context
}

fn read_event(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path} is not JSON: {e}"))
}

/// Answers the event in `path` and prints the raw response (or the Lambda
/// error) as JSON; exits non-zero on a Lambda error.
pub async fn answer_file<S: Clone + Send + Sync + 'static>(
    resolver: &Resolver<S>,
    path: &str,
) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match resolver.handle_json(&text, context("harness")).await {
        Ok(response) => {
            println!("{}", response.get());
            ExitCode::SUCCESS
        }
        Err(diagnostic) => {
            println!(
                "{}",
                serde_json::json!({"errorType": diagnostic.error_type, "errorMessage": diagnostic.error_message})
            );
            ExitCode::FAILURE
        }
    }
}

/// Answers every `*.json` event in `dir`, in name order, and prints what
/// was asked and what came back.
pub async fn run<S: Clone + Send + Sync + 'static>(resolver: &Resolver<S>, dir: &str) -> ExitCode {
    let mut paths: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => {
            eprintln!("cannot read {dir}: {e}");
            return ExitCode::from(2);
        }
    };
    paths.sort();
    let mut answered = 0;
    for (i, path) in paths.iter().enumerate() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .replace('-', " ");
        let Ok(event) = read_event(&path.to_string_lossy()) else {
            continue;
        };
        println!("\n[{}] {}", i + 1, name);
        println!("    asked:    {}", describe_request(&event));
        let started = Instant::now();
        let outcome = resolver
            .handle(event, context(&format!("demo-{}", i + 1)))
            .await;
        let elapsed = started.elapsed();
        match outcome {
            Ok(raw) => {
                let response: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
                println!(
                    "    answered: {}  ({} µs)",
                    describe_response(&response),
                    elapsed.as_micros()
                );
            }
            Err(d) => println!(
                "    answered: Lambda error {} — {}  ({} µs)",
                d.error_type,
                d.error_message,
                elapsed.as_micros()
            ),
        }
        answered += 1;
    }
    println!("\n{answered} events answered.");
    ExitCode::SUCCESS
}

fn describe_request(event: &Value) -> String {
    let params = event
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| format!("{}={}", p["name"].as_str().unwrap_or("?"), p["value"]))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    if let (Some(method), Some(path)) = (event["httpMethod"].as_str(), event["apiPath"].as_str()) {
        format!("agent  {method} {path}  {params}")
    } else if let Some(function) = event["function"].as_str() {
        format!("agent  function {function}  {params}")
    } else if event.get("messageVersion").is_some() {
        format!("agent? {}", shorten(&event.to_string(), 110))
    } else {
        format!("task   {}", shorten(&event.to_string(), 110))
    }
}

fn describe_response(response: &Value) -> String {
    let r = &response["response"];
    if let Some(status) = r["httpStatusCode"].as_u64() {
        let body = r["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap_or("");
        format!("HTTP {status}  {}", shorten(body, 160))
    } else if r.get("functionResponse").is_some() {
        let f = &r["functionResponse"];
        let state = f["responseState"].as_str().unwrap_or("OK");
        format!(
            "{state}  {}",
            shorten(
                f["responseBody"]["TEXT"]["body"].as_str().unwrap_or(""),
                160
            )
        )
    } else {
        format!("task output  {}", shorten(&response.to_string(), 160))
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
