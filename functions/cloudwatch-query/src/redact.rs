//! Redaction of secrets in log lines before they reach the model.

use regex::Regex;

/// Replaces secrets in text with `[REDACTED:<kind>]` and counts them.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Vec<(&'static str, Regex)>,
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

/// The built-in rules: (kind, pattern). Key/value rules keep the key and
/// redact the value, so the model still sees *that* a password was logged.
const RULES: [(&str, &str); 6] = [
    (
        "aws_access_key_id",
        r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b",
    ),
    (
        "aws_secret_access_key",
        r#"(?i)(aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+]{40}"#,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
    ),
    ("bearer_token", r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"),
    (
        "credential",
        r#"(?i)(\b(?:password|passwd|pwd|secret|client_secret|api_?key|apikey|access_?token|auth_?token|token|private_?key)\b["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)"#,
    ),
    (
        "private_key_block",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    ),
];

impl Redactor {
    /// The built-in rules plus `extra` patterns; `enabled = false` turns
    /// redaction off (for log groups known to hold no secrets).
    pub fn new(enabled: bool, extra: &[String]) -> Result<Self, PatternError> {
        let rules = RULES
            .iter()
            .filter_map(|(kind, pattern)| Regex::new(pattern).ok().map(|r| (*kind, r)))
            .collect();
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
        Ok(Self {
            rules,
            extra,
            enabled,
        })
    }

    /// Whether redaction is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Redacts `text`, returning the new text and how many secrets were found.
    pub fn redact(&self, text: &str) -> (String, usize) {
        if !self.enabled {
            return (text.to_owned(), 0);
        }
        let mut out = text.to_owned();
        let mut count = 0;
        for (kind, rule) in &self.rules {
            if !rule.is_match(&out) {
                continue;
            }
            let replaced = rule.replace_all(&out, |caps: &regex::Captures<'_>| {
                let whole = caps.get(0).map_or("", |m| m.as_str());
                // Rules with a key group keep the key.
                let key = if caps.len() > 1 {
                    caps.get(1).map_or("", |m| m.as_str())
                } else {
                    ""
                };
                if whole[key.len()..].starts_with("[REDACTED:") {
                    // Already redacted by an earlier rule (`token=<jwt>`).
                    return whole.to_owned();
                }
                count += 1;
                format!("{key}[REDACTED:{kind}]")
            });
            out = replaced.into_owned();
        }
        for rule in &self.extra {
            if !rule.is_match(&out) {
                continue;
            }
            out = rule
                .replace_all(&out, |_: &regex::Captures<'_>| {
                    count += 1;
                    "[REDACTED:custom]"
                })
                .into_owned();
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
