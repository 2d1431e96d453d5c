//! The cold-start benchmark (`make bench`): for each function binary and a
//! trivial `lambda_runtime` function (`plain-lambda-runtime`), start the
//! process against the Runtime API stand-in with one invocation waiting,
//! and measure spawn → first `/next` (init) and spawn → first answer, as
//! the median of RUNS alternating runs; printed side by side.
//!
//! A benchmark, not a test: it asserts only that every run answered.
//! cloudwatch-query's first answer is a real Logs Insights round trip on a
//! moto server; vendor-enrichment's and crypto-preprocess's are computed
//! in-process (embedded vendor master, local key).
//!
//! ```text
//! cargo build --release -p cloudwatch-query -p vendor-enrichment -p crypto-preprocess -p actionkit-testkit --bins
//! target/release/coldstart [RUNS] [BIN_DIR]
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use actionkit_testkit::{Moto, RuntimeApiStub, StubInvocation, aws_json, repo_root};
use serde_json::json;

struct Subject {
    name: &'static str,
    binary: PathBuf,
    env: Vec<(&'static str, String)>,
    event: String,
}

fn event(path: &str) -> String {
    let file = repo_root().join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A moto log group with a few events, for a real Insights round trip.
fn seed(moto: &Moto) {
    let call = |target: &str, body: serde_json::Value| {
        aws_json(
            moto.port(),
            "logs",
            &format!("Logs_20140328.{target}"),
            &body,
        )
        .unwrap_or_else(|e| panic!("moto {target}: {e:?}"));
    };
    let group = "/aws/lambda/api-handler";
    call("CreateLogGroup", json!({"logGroupName": group}));
    call(
        "CreateLogStream",
        json!({"logGroupName": group, "logStreamName": "s"}),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let events: Vec<_> = (0..5)
        .map(|i| json!({"timestamp": now - 60_000 + i, "message": format!("ERROR event {i}")}))
        .collect();
    call(
        "PutLogEvents",
        json!({"logGroupName": group, "logStreamName": "s", "logEvents": events}),
    );
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(15);
    let bin_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/release"));
    // The functions inherit this environment. Lambda sets neither variable;
    // with one set, they read the platform's certificate store at init
    // (actionkit::aws_sdk_config honours it), which is not what Lambda runs.
    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            eprintln!(
                "note: {var} is set, so the functions read the platform's certificates at init; \
                 run with `env -u SSL_CERT_FILE -u SSL_CERT_DIR` to measure as on Lambda"
            );
        }
    }
    let moto = Moto::start();
    seed(&moto);
    let aws = |extra: &[(&'static str, String)]| {
        // What Lambda sets for every function: the region and the role's keys.
        let mut env = vec![
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_ENDPOINT_URL", moto.endpoint()),
        ];
        env.extend_from_slice(extra);
        env
    };
    let subjects = [
        Subject {
            name: "plain lambda_runtime",
            binary: bin_dir.join("plain-lambda-runtime"),
            env: Vec::new(),
            event: r#"{"ping": 1}"#.to_owned(),
        },
        Subject {
            name: "cloudwatch-query",
            binary: bin_dir.join("cloudwatch-query"),
            env: aws(&[("ALLOWED_LOG_GROUPS", "/aws/lambda/*".to_owned())]),
            event: event("events/cloudwatch-query/query-recent-errors.json"),
        },
        Subject {
            name: "vendor-enrichment",
            binary: bin_dir.join("vendor-enrichment"),
            env: aws(&[]),
            event: event("events/vendor-enrichment/agent-get-vendor.json"),
        },
        Subject {
            name: "crypto-preprocess",
            binary: bin_dir.join("crypto-preprocess"),
            env: aws(&[
                (
                    "LOCAL_MASTER_KEY",
                    "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=".to_owned(),
                ),
                ("TOKEN_KEY", "bench-token-key".to_owned()),
                ("WEBHOOK_SECRET", "whsec_bench".to_owned()),
            ]),
            event: event("events/crypto-preprocess/agent-digest-json.json"),
        },
    ];
    for s in &subjects {
        assert!(
            s.binary.exists(),
            "{} is missing: cargo build --release -p cloudwatch-query -p vendor-enrichment -p crypto-preprocess -p actionkit-testkit --bins",
            s.binary.display()
        );
    }
    let mut figures: Vec<(Vec<Duration>, Vec<Duration>)> = vec![Default::default(); subjects.len()];
    for _ in 0..runs {
        for (s, (inits, answers)) in subjects.iter().zip(figures.iter_mut()) {
            let stub = RuntimeApiStub::start(vec![StubInvocation {
                request_id: "bench".into(),
                client_context: None,
                body: s.event.clone(),
            }]);
            let function = stub.spawn(&s.binary, &s.env);
            let spawned = function.spawned;
            let exit = function.wait(Duration::from_secs(30));
            let answered = stub.answers();
            assert!(
                answered.len() == 1 && answered[0].kind == "response",
                "{} did not answer: {answered:?} {}",
                s.name,
                exit.stderr
            );
            let (next, answer) = stub.first_next_and_answer();
            let since = |t: Option<Instant>| t.map_or(Duration::MAX, |t| t - spawned);
            inits.push(since(next));
            answers.push(since(answer));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let floor = median(figures[0].0.clone());
    println!(
        "\ncold start through the Runtime API stand-in, median of {runs} runs (release builds):"
    );
    println!(
        "  {:22} {:>18} {:>20} {:>14}",
        "function", "spawn → first /next", "spawn → first answer", "init vs plain"
    );
    for (s, (inits, answers)) in subjects.iter().zip(figures) {
        let init = median(inits);
        println!(
            "  {:22} {:>15.2} ms {:>17.2} ms {:>+11.2} ms",
            s.name,
            ms(init),
            ms(median(answers)),
            ms(init) - ms(floor)
        );
    }
}
