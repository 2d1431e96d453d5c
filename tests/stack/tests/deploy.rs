//! `cargo lambda deploy` for real: the README's one-function commands (the
//! block marked for this test) build vendor-enrichment for arm64 and deploy
//! it to moto's Lambda API, and the function moto holds has the memory,
//! timeout, tracing, environment, runtime and architecture that
//! `[package.metadata.lambda.deploy]` and template.yaml give it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::Command;

use actionkit_stack::{resources_of_type, template};
use actionkit_testkit::{HttpMessage, Moto, moto_auth, path_with_venv, repo_root, send};
use serde_json::{Value, json};

/// The marker above the README block this test runs.
const MARKER: &str = "<!-- tested: tests/stack/tests/deploy.rs";

/// The commands of the marked block: continuation lines joined, comments
/// dropped, split into words (the block quotes nothing).
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let block = readme
        .split(MARKER)
        .nth(1)
        .unwrap_or_else(|| panic!("README.md has no block marked {MARKER}"));
    let body = block
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a sh block follows the marker");
    body.replace("\\\n", " ")
        .lines()
        .map(|l| l.split(" #").next().unwrap_or_default())
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// An IAM role in moto (its account is 123456789012, as in the README).
fn create_role(moto: &Moto, name: &str) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument={}",
        encode(&trust.to_string())
    );
    let response = send(
        moto.port(),
        &HttpMessage {
            start: "POST / HTTP/1.1".into(),
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                moto_auth("iam"),
            ],
            body: body.into_bytes(),
        },
    )
    .unwrap();
    assert_eq!(response.status(), 200, "CreateRole: {}", response.text());
    format!("arn:aws:iam::123456789012:role/{name}")
}

fn get_function(moto: &Moto, name: &str) -> Value {
    let response = send(
        moto.port(),
        &HttpMessage {
            start: format!("GET /2015-03-31/functions/{name} HTTP/1.1"),
            headers: vec![moto_auth("lambda")],
            body: Vec::new(),
        },
    )
    .unwrap();
    assert_eq!(response.status(), 200, "GetFunction: {}", response.text());
    serde_json::from_slice(&response.body).unwrap()
}

/// `[package.metadata.lambda.deploy]` of `package`, as cargo reads it.
fn deploy_metadata(package: &str) -> Value {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == package)
        .map(|p| p["metadata"]["lambda"]["deploy"].clone())
        .unwrap_or_else(|| panic!("no package {package}"))
}

#[test]
fn the_readme_deploy_creates_the_function_the_metadata_and_template_describe() {
    let commands = readme_commands();
    let moto = Moto::start();
    let role = create_role(&moto, "vendor-enrichment");
    let mut path = path_with_venv();
    let mut deployed = None;
    for words in &commands {
        match words.first().map(String::as_str) {
            Some("export") => {
                // `export PATH="$PWD/.venv/bin:$PATH"` from the repository root.
                assert_eq!(words[1], "PATH=\"$PWD/.venv/bin:$PATH\"", "{words:?}");
                path = format!("{}:{path}", repo_root().join(".venv/bin").display());
            }
            Some("cargo") => {
                let mut command = Command::new("cargo");
                command
                    .args(&words[1..])
                    .current_dir(repo_root())
                    .env("PATH", &path)
                    .env("AWS_ACCESS_KEY_ID", "testing")
                    .env("AWS_SECRET_ACCESS_KEY", "testing")
                    .env_remove("AWS_PROFILE")
                    .env_remove("AWS_ENDPOINT_URL");
                if words.get(2).map(String::as_str) == Some("deploy") {
                    // The one addition: moto instead of an AWS region.
                    command.args(["--endpoint-url", &moto.endpoint(), "--region", "us-east-1"]);
                    deployed = words.get(3).cloned();
                }
                let output = command.output().unwrap();
                assert!(
                    output.status.success(),
                    "{words:?} failed:\n{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            _ => panic!("unexpected command in the README block: {words:?}"),
        }
    }
    let name = deployed.expect("the block deploys a function");
    assert_eq!(name, "vendor-enrichment");
    // The README's role is the one moto holds.
    assert!(commands.iter().any(|w| w.contains(&role)), "{commands:?}");

    let function = get_function(&moto, &name);
    let config = &function["Configuration"];
    let metadata = deploy_metadata(&name);
    let stack = template();
    let (_, resource) = resources_of_type(&stack, "AWS::Serverless::Function")
        .into_iter()
        .find(|(_, f)| f["Metadata"]["BuildProperties"]["Binary"] == name.as_str())
        .expect("the template builds vendor-enrichment");
    let props = &resource["Properties"];

    assert_eq!(config["MemorySize"], metadata["memory"]);
    assert_eq!(config["MemorySize"], props["MemorySize"]);
    assert_eq!(config["Timeout"], metadata["timeout"]);
    assert_eq!(config["Timeout"], props["Timeout"]);
    assert_eq!(metadata["tracing"], "active");
    assert_eq!(config["TracingConfig"]["Mode"], "Active");
    assert_eq!(props["Tracing"], "Active");
    assert_eq!(config["Architectures"], json!(["arm64"]));
    assert_eq!(config["Architectures"], props["Architectures"]);
    assert_eq!(config["Runtime"], props["Runtime"]);
    assert_eq!(config["Role"], role.as_str());

    // The environment: the README's --env-var ones, which replace the
    // metadata's (cargo lambda does not merge them), so they repeat every
    // metadata variable; together they are the template's variables (and
    // the template's literal values).
    let env: BTreeMap<String, String> =
        serde_json::from_value(config["Environment"]["Variables"].clone()).unwrap();
    let mut expected = BTreeMap::new();
    for words in &commands {
        for pair in words.windows(2).filter(|w| w[0] == "--env-var") {
            let (k, v) = pair[1].split_once('=').unwrap();
            expected.insert(k.to_owned(), v.to_owned());
        }
    }
    assert_eq!(env, expected);
    let metadata_env: BTreeMap<String, String> =
        serde_json::from_value(metadata["env"].clone()).unwrap();
    for (key, value) in &metadata_env {
        assert_eq!(env.get(key), Some(value), "metadata variable {key}");
    }
    let template_env = props["Environment"]["Variables"].as_object().unwrap();
    assert_eq!(
        template_env
            .keys()
            .collect::<std::collections::BTreeSet<_>>(),
        env.keys().collect::<std::collections::BTreeSet<_>>(),
        "the deployed variables are the template's"
    );
    for (key, value) in template_env {
        if let Some(literal) = value.as_str() {
            assert_eq!(env[key], literal, "{key}");
        }
    }
}
