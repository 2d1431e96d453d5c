//! Redaction of secrets in log lines before they reach the model.
//!
//! Secrets are found *by key*, not by word: any `key=value`, `key: value`
//! or JSON `"key": "value"` whose key contains (in any case, with any
//! separators) password, passwd, pwd, pass, passphrase, secret, token, api
//! key, private key, credential or auth; URL userinfo; `Authorization`
//! schemes; PEM private keys, also split over several log events; and AWS
//! access keys, JWTs and bearer tokens wherever they stand.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Replaces secrets in text with `[REDACTED:<kind>]` and counts them.
#[derive(Debug, Clone)]
pub struct Redactor {
    extra: Vec<Regex>,
    enabled: bool,
}

/// A pattern in the configuration that is not a valid regex.
#[derive(Debug, Clone, thiserror::Error)]
#[error("redaction pattern #{index} is not a valid regex: {reason}")]
pub struct PatternError {
    index: usize,
    reason: String,
}

fn rule(pattern: &str) -> Regex {
    // The patterns are constants, tested below.
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("redaction pattern: {e}"))
}

/// PEM private keys (RSA, EC, PKCS#8, OpenSSH, PGP): a block, or a header
/// whose footer is in another log event (to the end of the value).
static PEM_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)",
    )
});
/// The end of a key whose header was in an earlier log event.
static PEM_TAIL: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\A[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"));
/// A line of a key's body on its own (a middle log event): long base64.
static PEM_BODY_LINE: LazyLock<Regex> =
    LazyLock::new(|| rule(r"(?m)^[ \t]*[A-Za-z0-9+/]{60,}={0,2}[ \t]*$"));
static AWS_ACCESS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b")
});
static JWT: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"));
/// `scheme://user:password@host`, also with an empty user.
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| rule(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s/?#@:]*:)([^\s/?#]+)@"));
/// An authorization scheme and its credentials, wherever they stand.
static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*|(?-i:(\bBasic\s+)[A-Za-z0-9+/]*[0-9+/][A-Za-z0-9+/]*={0,2})",
    )
});
/// A key and its separator: `key=`, `key: `, `"key": `, `'key' => `. The key
/// may hold one inner space (`API Key: …`).
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    rule(r#"(?P<name>[A-Za-z0-9_.\-]+(?: [A-Za-z0-9_.\-]+)?)["']?[ \t]*(?:=>|[:=])[ \t]*"#)
});
/// The value after a secret key: a quoted string (escapes honoured), or
/// everything to the next white space — punctuation (`&`, `;`, `!`) is part
/// of a password.
static VALUE: LazyLock<Regex> =
    LazyLock::new(|| rule(r#"\A(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+)"#));
/// After an `Authorization` key: an optional opening quote and the first word.
static AUTH_VALUE: LazyLock<Regex> =
    LazyLock::new(|| rule(r#"\A(?P<open>["']?)(?P<scheme>[A-Za-z][A-Za-z0-9\-]*[ \t]+)?"#));
/// Schemes whose credentials are one token (RFC 9110 token68).
const ONE_TOKEN_SCHEMES: [&str; 6] = ["bearer", "basic", "token", "apikey", "negotiate", "ntlm"];
/// Schemes whose parameters run to the end of the value (Digest,
/// AWS Signature V4, ...): the scheme stays, everything after it goes.
const PARAMETER_SCHEMES: [&str; 7] = [
    "digest",
    "aws4-hmac-sha256",
    "hoba",
    "mutual",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
];

/// Key words found anywhere in a key once separators are removed and the
/// key is lowercased: `DB_PASSWORD`, `userpassword`, `x-api-key`, `pwdvalue`.
const SECRET_SUBSTRINGS: [&str; 10] = [
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "credential",
    "apikey",
    "privatekey",
    "token",
    "auth",
];
/// Words that contain a key word without naming a secret; they are taken
/// out of the key before the search (`tokenizer`, `max_tokens`, `author`).
const BENIGN_WORDS: [&str; 3] = ["tokeniz", "tokens", "author"];
/// Words ending in `pass` that name no secret (`dbpass` does).
const PASS_WORDS: [&str; 6] = [
    "bypass",
    "compass",
    "overpass",
    "underpass",
    "trespass",
    "surpass",
];
/// Key words that must be a whole part of the key (`db_pass`), so that
/// `bypass` or `passage` are not read as secrets.
const SECRET_PARTS: [&str; 5] = ["pass", "pw", "jwt", "bearer", "cookie"];

/// Whether a key (or a field name) names a secret: see the module doc.
pub fn is_secret_key(key: &str) -> bool {
    let mut squashed: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if squashed.contains("authorization") {
        return true;
    }
    for benign in BENIGN_WORDS {
        squashed = squashed.replace(benign, "-");
    }
    SECRET_SUBSTRINGS.iter().any(|w| squashed.contains(w))
        || (squashed.ends_with("pass") && !PASS_WORDS.iter().any(|w| squashed.ends_with(w)))
        || key_parts(key)
            .iter()
            .any(|part| SECRET_PARTS.contains(&part.as_str()))
}

/// A key split at separators, lower-to-upper case changes and letter-digit
/// changes, lowercased: `MYSQL_ROOT_PASSWORD` → mysql, root, password;
/// `authToken` → auth, token; `pwd1` → pwd, 1.
fn key_parts(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        let digit_change = current
            .chars()
            .last()
            .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit());
        if (c.is_ascii_uppercase() && previous_lower || digit_change) && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

fn marker(kind: &str) -> String {
    format!("[REDACTED:{kind}]")
}

/// Applies `rule`, replacing what `replace` returns; counts replacements.
fn apply(
    text: String,
    rule: &Regex,
    count: &mut usize,
    replace: impl Fn(&Captures<'_>) -> Option<String>,
) -> String {
    if !rule.is_match(&text) {
        return text;
    }
    rule.replace_all(&text, |caps: &Captures<'_>| match replace(caps) {
        Some(replacement) => {
            *count += 1;
            replacement
        }
        None => caps.get(0).map_or("", |m| m.as_str()).to_owned(),
    })
    .into_owned()
}

/// A long base64 line that looks like key material (mixed case and digits),
/// not a hex digest or a word.
fn looks_like_key_material(line: &str) -> bool {
    let line = line.trim();
    line.bytes().any(|b| b.is_ascii_uppercase())
        && line.bytes().any(|b| b.is_ascii_lowercase())
        && line.bytes().any(|b| b.is_ascii_digit())
}

/// Redacts the value of every secret key in `text`.
fn redact_key_values(text: &str, count: &mut usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = KEY.captures_at(text, at) {
        let (Some(whole), Some(name)) = (found.get(0), found.name("name")) else {
            break;
        };
        let value_start = whole.end();
        out.push_str(&text[at..value_start]);
        at = value_start;
        let key = name.as_str();
        if !is_secret_key(key) {
            continue;
        }
        let rest = &text[value_start..];
        if rest.starts_with("[REDACTED:") {
            continue;
        }
        let authorization = key_parts(key).last().is_some_and(|p| p == "authorization");
        if authorization && let Some(v) = AUTH_VALUE.captures(rest) {
            let open = v.name("open").map_or("", |m| m.as_str());
            let first = v.name("scheme").map_or("", |m| m.as_str());
            let name = first.trim().to_ascii_lowercase();
            let after = &rest[open.len()..];
            let (scheme, cred) = if ONE_TOKEN_SCHEMES.contains(&name.as_str()) {
                let token = after[first.len()..].split_whitespace().next().unwrap_or("");
                let token = token.trim_end_matches(['"', '\'']);
                (first, token)
            } else {
                let scheme = if PARAMETER_SCHEMES.contains(&name.as_str()) {
                    first
                } else {
                    ""
                };
                let tail = &after[scheme.len()..];
                // To the closing quote when quoted, else to the end of the line.
                let end = tail
                    .char_indices()
                    .find(|&(_, c)| {
                        c == '\r' || c == '\n' || (!open.is_empty() && open.starts_with(c))
                    })
                    .map_or(tail.len(), |(i, _)| i);
                (scheme, &tail[..end])
            };
            if !cred.trim().is_empty() && !cred.starts_with("[REDACTED:") {
                out.push_str(open);
                out.push_str(scheme);
                out.push_str(&marker(if name == "bearer" {
                    "bearer_token"
                } else {
                    "authorization"
                }));
                *count += 1;
                at += open.len() + scheme.len() + cred.len();
                continue;
            }
        }
        let Some(value) = VALUE.find(rest) else {
            continue;
        };
        let quoted = value.as_str();
        let quote = quoted
            .chars()
            .next()
            .filter(|c| (*c == '"' || *c == '\'') && quoted.len() >= 2 && quoted.ends_with(*c));
        match quote {
            Some(q) => {
                out.push(q);
                out.push_str(&marker("credential"));
                out.push(q);
            }
            None => out.push_str(&marker("credential")),
        }
        *count += 1;
        at += quoted.len();
    }
    out.push_str(&text[at..]);
    out
}

impl Redactor {
    /// The built-in rules plus `extra` patterns; `enabled = false` turns
    /// redaction off (for log groups known to hold no secrets).
    pub fn new(enabled: bool, extra: &[String]) -> Result<Self, PatternError> {
        let extra = extra
            .iter()
            .enumerate()
            .map(|(index, p)| {
                Regex::new(p).map_err(|e| PatternError {
                    index,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { extra, enabled })
    }

    /// Whether redaction is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Redacts a field of a result row: the whole value when the field's
    /// name names a secret (`parse … as db_password`, `fields token`), else
    /// what [`redact`](Self::redact) finds in it.
    pub fn redact_field(&self, name: &str, value: &str) -> (String, usize) {
        if self.enabled && !value.is_empty() && is_secret_key(name.trim_start_matches('@')) {
            return (marker("credential"), 1);
        }
        self.redact(value)
    }

    /// Redacts `text`, returning the new text and how many secrets were found.
    pub fn redact(&self, text: &str) -> (String, usize) {
        if !self.enabled {
            return (text.to_owned(), 0);
        }
        let mut count = 0;
        let mut out = apply(text.to_owned(), &PEM_BLOCK, &mut count, |_| {
            Some(marker("private_key_block"))
        });
        out = apply(out, &PEM_TAIL, &mut count, |_| {
            Some(marker("private_key_block"))
        });
        out = apply(out, &PEM_BODY_LINE, &mut count, |caps| {
            let line = caps.get(0).map_or("", |m| m.as_str());
            looks_like_key_material(line).then(|| marker("private_key_block"))
        });
        out = apply(out, &AWS_ACCESS_KEY_ID, &mut count, |_| {
            Some(marker("aws_access_key_id"))
        });
        out = apply(out, &JWT, &mut count, |_| Some(marker("jwt")));
        out = apply(out, &URL_USERINFO, &mut count, |caps| {
            Some(format!("{}{}@", &caps[1], marker("url_credential")))
        });
        out = redact_key_values(&out, &mut count);
        out = apply(out, &AUTH_SCHEME, &mut count, |caps| {
            let scheme = caps.get(1).or_else(|| caps.get(2))?;
            let whole = caps.get(0)?;
            // `Basic` alone is a word; its credentials are base64 of 8+.
            (whole.len() >= scheme.len() + 8)
                .then(|| format!("{}{}", scheme.as_str(), marker("bearer_token")))
        });
        for rule in &self.extra {
            out = apply(out, rule, &mut count, |_| Some(marker("custom")));
        }
        (out, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> (String, usize) {
        Redactor::new(true, &[]).unwrap().redact(text)
    }

    #[test]
    fn every_built_in_kind_is_redacted_and_counted() {
        let line = concat!(
            "login ok key=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ",
            "Authorization: Bearer abcdef0123456789abcdef ",
            "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ",
            "password=hunter2, secret: 's3cr3t', api_key=\"k-123\""
        );
        let (out, count) = redact(line);
        for leaked in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI",
            "abcdef0123456789",
            "dozjgNryP4J3",
            "hunter2",
            "s3cr3t",
            "k-123",
        ] {
            assert!(!out.contains(leaked), "{leaked} leaked: {out}");
        }
        assert!(out.contains("password=[REDACTED:credential]"), "{out}");
        assert!(out.contains("Bearer [REDACTED:bearer_token]"), "{out}");
        assert_eq!(count, 7, "{out}");
    }

    #[test]
    fn ordinary_lines_are_untouched() {
        let line = "INFO GET /orders/1842 200 41ms user=42 tokenizer=fast";
        assert_eq!(redact(line), (line.to_owned(), 0));
    }

    #[test]
    fn private_keys_custom_patterns_and_off_switch() {
        let (out, n) =
            redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done");
        assert_eq!((out.as_str(), n), ("[REDACTED:private_key_block] done", 1));
        let custom = Redactor::new(true, &[r"\bINC-\d{4}\b".to_owned()]).unwrap();
        assert_eq!(
            custom.redact("see INC-2291"),
            ("see [REDACTED:custom]".to_owned(), 1)
        );
        assert!(Redactor::new(true, &["(".to_owned()]).is_err());
        let off = Redactor::new(false, &[]).unwrap();
        assert_eq!(off.redact("password=hunter2").1, 0);
    }
}
