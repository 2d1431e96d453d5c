//! `actionkit::aws_sdk_config` resolves the same region and credentials as
//! `aws_config`'s default chains, whatever the environment and profile
//! files hold: it only skips building the chains when their first link
//! (the environment) answers. Each generated case runs the
//! `sdk_config_probe` example in a process of its own, with nothing but the
//! generated variables and a home directory of generated profile files.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use proptest::prelude::*;
use serde_json::Value;

/// Values that exercise the readers' edges: unset, empty, blank, ordinary.
fn value() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some(""),
        Some(" "),
        Some("x"),
        Some("us-west-2"),
    ])
}

fn key() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some(""),
        Some(" "),
        Some("AKIDENV"),
        Some("AKIDOTHER"),
    ])
}

#[derive(Debug, Clone)]
struct Case {
    vars: Vec<(&'static str, &'static str)>,
    /// `[default]` (and `[profile other]`) in `~/.aws/config` with a region,
    /// and keys in `~/.aws/credentials`.
    profiles: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (value(), value(), key(), key(), key()),
        (
            value(),
            value(),
            prop::sample::select(vec![None, Some("other"), Some("missing")]),
        ),
        any::<bool>(),
    )
        .prop_map(
            |(
                (region, default_region, access, secret, alt_secret),
                (token, account, profile),
                profiles,
            )| {
                let account = account.map(|a| if a == "x" { "123456789012" } else { a });
                let vars = [
                    ("AWS_REGION", region),
                    ("AWS_DEFAULT_REGION", default_region),
                    ("AWS_ACCESS_KEY_ID", access),
                    ("AWS_SECRET_ACCESS_KEY", secret),
                    ("SECRET_ACCESS_KEY", alt_secret),
                    ("AWS_SESSION_TOKEN", token),
                    ("AWS_ACCOUNT_ID", account),
                    ("AWS_PROFILE", profile),
                ]
                .into_iter()
                .filter_map(|(name, v)| v.map(|v| (name, v)))
                .collect();
                Case { vars, profiles }
            },
        )
}

fn home(n: usize, profiles: bool) -> PathBuf {
    let home =
        std::env::temp_dir().join(format!("actionkit-sdk-config-{}-{n}", std::process::id()));
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    if profiles {
        std::fs::write(
            aws.join("config"),
            "[default]\nregion = eu-central-1\n\n[profile other]\nregion = ap-south-1\n",
        )
        .unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n\n\
             [other]\naws_access_key_id = AKIDOTHERPROFILE\naws_secret_access_key = other-secret\n",
        )
        .unwrap();
    }
    home
}

fn probe(n: usize, case: &Case) -> Value {
    let home = home(n, case.profiles);
    let output = Command::new(actionkit_testkit::example_binary("sdk_config_probe"))
        .env_clear()
        .env("HOME", &home)
        // No instance metadata service here: the chains' last link answers
        // at once instead of timing out.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(case.vars.iter().copied())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&home);
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{case:?}: not one JSON line ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn same_region_and_credentials_as_the_default_chains(case in case()) {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let seen = probe(n, &case);
        prop_assert_eq!(&seen["actionkit"], &seen["aws_config"], "{:?}", case);
    }
}

/// Lambda's own environment: region and role keys from the variables.
#[test]
fn a_lambda_environment_resolves_from_the_variables() {
    let case = Case {
        vars: vec![
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "lambda-secret"),
            ("AWS_SESSION_TOKEN", "lambda-token"),
        ],
        profiles: false,
    };
    let seen = probe(usize::MAX, &case);
    assert_eq!(seen["actionkit"], seen["aws_config"]);
    assert_eq!(seen["actionkit"]["region"], "eu-west-1");
    assert_eq!(
        seen["actionkit"]["credentials"]["access_key_id"],
        "ASIAEXAMPLE"
    );
    assert_eq!(
        seen["actionkit"]["credentials"]["session_token"],
        "lambda-token"
    );
}
