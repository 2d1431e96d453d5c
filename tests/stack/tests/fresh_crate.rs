//! A new crate built from the library README alone: shared/README.md's
//! `Cargo.toml` and `src/main.rs` blocks are written to a directory outside
//! the workspace (actionkit by path, the one edit a README reader makes),
//! and the crate's own unit tests, its schema drift check, `cargo lambda
//! watch` and `cargo lambda build --release --arm64` run on it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use actionkit_testkit::{LambdaWatch, path_with_venv, repo_root};
use serde_json::{Value, json};

/// The README's placeholder for where actionkit is checked out.
const README_PATH_DEP: &str = "path = \"../actionkit/shared\"";

/// The fenced blocks of `readme` marked `<!-- fresh-crate: FILE -->`, as
/// `(FILE, contents)`.
fn marked_blocks(readme: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(file) = line
            .trim()
            .strip_prefix("<!-- fresh-crate:")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "a code block must follow the marker of {file}"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        blocks.push((file.trim().to_owned(), body.join("\n") + "\n"));
    }
    blocks
}

/// A directory outside the workspace, removed on drop.
struct TempCrate(PathBuf);

impl Drop for TempCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cargo(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with_venv())
        .env_remove("UPDATE_SNAPSHOTS")
        .env_remove("CARGO_MANIFEST_DIR");
    command
}

fn run(mut command: Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

#[test]
fn a_crate_written_from_the_readme_tests_serves_and_builds_for_arm64() {
    let readme = std::fs::read_to_string(repo_root().join("shared/README.md")).unwrap();
    let blocks = marked_blocks(&readme);
    let files: Vec<&str> = blocks.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["Cargo.toml", "src/main.rs"]);

    let dir = TempCrate(std::env::temp_dir().join(format!("ticket-triage-{}", std::process::id())));
    std::fs::create_dir_all(dir.0.join("src")).unwrap();
    let shared = repo_root().join("shared");
    for (file, text) in &blocks {
        let text = if file == "Cargo.toml" {
            assert!(
                text.contains(README_PATH_DEP),
                "the README's Cargo.toml depends on actionkit by path"
            );
            text.replace(
                README_PATH_DEP,
                &format!("path = {:?}", shared.display().to_string()),
            )
        } else {
            text.clone()
        };
        std::fs::write(dir.0.join(file), text).unwrap();
    }
    // The workspace's versions: nothing new to download or build.
    std::fs::copy(repo_root().join("Cargo.lock"), dir.0.join("Cargo.lock")).unwrap();
    // The workspace's target directory, for every cargo run here (`cargo
    // lambda watch` included): the dependencies are built once.
    std::fs::create_dir_all(dir.0.join(".cargo")).unwrap();
    std::fs::write(
        dir.0.join(".cargo/config.toml"),
        format!(
            "[build]\ntarget-dir = {:?}\n",
            repo_root().join("target").display().to_string()
        ),
    )
    .unwrap();

    // The README's testing workflow: write the schema, then check it.
    let mut first = cargo(&dir.0, &["test", "--quiet"]);
    first.env("UPDATE_SNAPSHOTS", "1");
    run(first, "cargo test (UPDATE_SNAPSHOTS=1)");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("openapi.json")).unwrap())
            .unwrap();
    assert!(schema["paths"]["/tickets"]["get"]["operationId"].is_string());
    assert!(actionkit::bedrock_openapi_violations(&schema, "Tickets").is_empty());
    let tests = run(cargo(&dir.0, &["test"]), "cargo test");
    assert!(tests.contains("test result: ok. 5 passed"), "{tests}");

    // A drifted schema fails the crate's own test, with a diff.
    let drifted = std::fs::read_to_string(dir.0.join("openapi.json"))
        .unwrap()
        .replace("Gets one ticket by its id.", "Gets a ticket.");
    std::fs::write(dir.0.join("openapi.json"), drifted).unwrap();
    let output = cargo(&dir.0, &["test", "the_committed_schema"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(
        text.contains("-")
            && text.contains("Gets a ticket.")
            && text.contains("UPDATE_SNAPSHOTS=1"),
        "{text}"
    );

    // Under the Runtime API emulator, as `cargo lambda watch` serves it.
    run(cargo(&dir.0, &["build", "--quiet"]), "cargo build");
    let watch = LambdaWatch::start_in(&dir.0, &[]);
    let event = dir.0.join("event.json");
    std::fs::write(
        &event,
        actionkit::testing::agent_api_event(
            "Tickets",
            "GET",
            "/tickets",
            &[("status", "string", "closed")],
        )
        .to_string(),
    )
    .unwrap();
    let response = watch.invoke("ticket-triage", &event).unwrap();
    assert_eq!(response["response"]["httpStatusCode"], 200, "{response}");
    let body: Value = serde_json::from_str(
        response["response"]["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!([{"id": "T-2", "title": "VPN drops", "status": "closed"}])
    );
    drop(watch);

    // The README's build command, for Lambda's arm64.
    run(
        cargo(&dir.0, &["lambda", "build", "--release", "--arm64"]),
        "cargo lambda build --release --arm64",
    );
    let bootstrap = repo_root().join("target/lambda/ticket-triage/bootstrap");
    let elf = std::fs::read(&bootstrap).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "{}", bootstrap.display());
    // e_machine 0xB7: AArch64.
    assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 0xB7);
}
