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
    LazyLock::new(|| rule(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^\s/?#@:]*:)?([^\s/@]+)@"));
/// An authorization scheme and its credentials, wherever they stand.
static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*|(?-i:(\bBasic\s+)[A-Za-z0-9+/]{8,}={0,2})")
});
/// A key and its separator: `key=`, `key: `, `"key": `, `\"key\": `,
/// `'key' => `, `key := `, `user[password]=`. A key may be two words when
/// the second names a secret (`API Key: …`, `Root Password: …`).
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r#"(?P<name>[A-Za-z0-9_.\-\[\]%]+(?: (?i:key|token|secret|password|passphrase))?)(?:\\?["'])?[ \t]*(?:=>|:=|[:=])[ \t]*"#,
    )
});
/// A quoted value (escapes honoured), at the start of the text.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| rule(r#"\A(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\\"(?:[^\\]|\\[^"])*\\")"#));
/// Where an unquoted value ends: the next `key=` after white space (a
/// password may hold `&x=`), a line break, a closing brace or a quote.
static VALUE_END: LazyLock<Regex> = LazyLock::new(|| {
    rule(r#"[,;&]?[ \t]+[A-Za-z][A-Za-z0-9_.\-\[\]]*["']?[ \t]*(?:=>|:=|=|:\s)|[\r\n}"]"#)
});
/// An authorization scheme's one-token credentials (RFC 6750 b64token).
static TOKEN68: LazyLock<Regex> = LazyLock::new(|| rule(r"\A[A-Za-z0-9\-._~+/]+=*"));
/// After an `Authorization` key: an optional opening quote and the first word.
static AUTH_VALUE: LazyLock<Regex> =
    LazyLock::new(|| rule(r#"\A(?P<open>\[|\\?["']?)(?P<scheme>[A-Za-z][A-Za-z0-9\-]*[ \t]+)?"#));
/// `<password>…</password>`, `<db.password attr="…">…</…>`.
static XML_ELEMENT: LazyLock<Regex> =
    LazyLock::new(|| rule(r"<(?P<k>[A-Za-z_][A-Za-z0-9_.:\-]*)(?:\s[^<>]*)?>(?P<v>[^<]+)</"));
/// Name/value pairs: `<add key="DbPassword" value="…"/>`,
/// `{"name": "DB_PASSWORD", "value": "…"}` (ECS and Kubernetes env lists).
static NAME_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r#"(?i)\b(?:key|name)\\?["']?\s*[:=]\s*\\?["'](?P<k>[^"'\\]{1,200})\\?["']\s*,?\s*\\?["']?value\\?["']?\s*[:=]\s*\\?["'](?P<v>(?:[^"'\\]|\\[^"'])*)\\?["']"#,
    )
});
/// Header tuples: `(b'authorization', b'Basic …')`, `('X-Api-Key', '…')`.
static TUPLE: LazyLock<Regex> = LazyLock::new(|| {
    rule(r#"\(\s*b?["'](?P<k>[^"'\s]{1,100})["']\s*,\s*b?["'](?P<v>[^"']*)["']\s*\)"#)
});
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
/// Values that say whether, not what: `authenticated: true`.
const PLAIN_VALUES: [&str; 8] = [
    "true", "false", "null", "none", "yes", "no", "enabled", "disabled",
];

/// Key words found anywhere in a key once separators are removed and the
/// key is lowercased: `DB_PASSWORD`, `userpassword`, `x-api-key`, `pwdvalue`.
const SECRET_SUBSTRINGS: [&str; 10] = [
    "auth",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "credential",
    "apikey",
    "privatekey",
    "token",
];
/// Key words that make a key secret whatever its last word says.
const STRICT_SUBSTRINGS: [&str; 3] = ["password", "passwd", "passphrase"];
/// Key parts that name an authorization secret (`db_auth`, `authToken`).
const AUTH_PARTS: [&str; 9] = [
    "auth",
    "authorization",
    "authtoken",
    "authkey",
    "authheader",
    "authcode",
    "authstring",
    "xauth",
    "basicauth",
];
/// Token counters of model APIs, which are numbers, not tokens.
const TOKEN_COUNTERS: [&str; 10] = [
    "maxtokens",
    "prompttokens",
    "completiontokens",
    "totaltokens",
    "inputtokens",
    "outputtokens",
    "numtokens",
    "cachedtokens",
    "reasoningtokens",
    "tokensused",
];
/// A last key word that makes a non-strict key describe a secret rather
/// than hold one: `token_count`, `secret_name`, `auth_method`, `api_key_id`.
const DESCRIBING_PARTS: [&str; 26] = [
    "count",
    "type",
    "method",
    "provider",
    "status",
    "name",
    "id",
    "enabled",
    "required",
    "expires",
    "expiry",
    "expiration",
    "ttl",
    "length",
    "len",
    "size",
    "version",
    "arn",
    "url",
    "uri",
    "path",
    "file",
    "policy",
    "prefix",
    "service",
    "mode",
];
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
    if STRICT_SUBSTRINGS.iter().any(|w| squashed.contains(w)) || squashed.contains("authorization")
    {
        return true;
    }
    let parts = key_parts(key);
    if parts
        .last()
        .is_some_and(|last| DESCRIBING_PARTS.contains(&last.as_str()))
        && parts.len() > 1
    {
        return false;
    }
    for counter in TOKEN_COUNTERS {
        squashed = squashed.replace(counter, "-");
    }
    for benign in ["tokeniz", "author", "authent"] {
        squashed = squashed.replace(benign, "-");
    }
    SECRET_SUBSTRINGS.iter().any(|w| squashed.contains(w))
        || (squashed.ends_with("pass") && !PASS_WORDS.iter().any(|w| squashed.ends_with(w)))
        || parts.iter().any(|part| {
            SECRET_PARTS.contains(&part.as_str()) || AUTH_PARTS.contains(&part.as_str())
        })
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

/// Where a secret value that starts `rest` ends (bytes), or `None` when
/// there is nothing to redact.
fn value_len(rest: &str, to_line_end: bool) -> Option<usize> {
    let first = rest.chars().next()?;
    if let Some(quoted) = QUOTED.find(rest) {
        return Some(quoted.end());
    }
    if first == '[' || first == '{' {
        return Some(balanced_len(rest));
    }
    let end = if to_line_end {
        rest.find(['\r', '\n']).unwrap_or(rest.len())
    } else {
        // From the second character: a password may start with `)`.
        let skip = first.len_utf8();
        VALUE_END
            .find(&rest[skip..])
            .map_or(rest.len(), |m| m.start() + skip)
    };
    let value = rest[..end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let plain = PLAIN_VALUES.contains(&value.to_ascii_lowercase().as_str());
    (!value.is_empty() && !plain).then_some(value.len())
}

/// The length of the bracketed value at the start of `text`, quotes
/// respected; to the end of the line when it never closes.
fn balanced_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + c.len_utf8();
                    }
                }
                '\r' | '\n' => return i,
                _ => {}
            },
        }
    }
    text.len()
}

/// The redacted form of a quoted value: the quotes stay.
fn redacted_value(value: &str, kind: &str) -> String {
    for quote in ["\\\"", "\"", "'"] {
        if value.len() >= 2 * quote.len() && value.starts_with(quote) && value.ends_with(quote) {
            return format!("{quote}{}{quote}", marker(kind));
        }
    }
    marker(kind)
}

/// An `Authorization` value: what stays (quote, scheme) and how long the
/// credentials are, or `None` when there are none.
fn authorization_value(rest: &str) -> Option<(usize, usize, &'static str)> {
    let v = AUTH_VALUE.captures(rest)?;
    let open = v.name("open").map_or("", |m| m.as_str());
    let first = v.name("scheme").map_or("", |m| m.as_str());
    let scheme = first.trim().to_ascii_lowercase();
    let kind = if scheme == "bearer" {
        "bearer_token"
    } else {
        "authorization"
    };
    let after = &rest[open.len()..];
    if ONE_TOKEN_SCHEMES.contains(&scheme.as_str()) {
        // Skip any white space but a line break before the token.
        let gap = after[first.len()..]
            .find(|c: char| !c.is_whitespace() || c == '\r' || c == '\n')
            .unwrap_or(after.len() - first.len());
        let kept = open.len() + first.len() + gap;
        let token = TOKEN68.find(&rest[kept..])?;
        return Some((kept, token.end(), kind));
    }
    let kept = open.len()
        + if PARAMETER_SCHEMES.contains(&scheme.as_str()) {
            first.len()
        } else {
            0
        };
    let tail = &rest[kept..];
    // To the closing quote when quoted, else to the end of the line.
    let closing = open.chars().last().map(|c| if c == '[' { ']' } else { c });
    let end = tail
        .find(|c: char| c == '\r' || c == '\n' || Some(c) == closing)
        .unwrap_or(tail.len());
    let end = if open.starts_with('\\') {
        end.saturating_sub(usize::from(tail[..end].ends_with('\\')))
    } else {
        end
    };
    (!tail[..end].trim().is_empty()).then_some((kept, end, kind))
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
        let rest = &text[value_start..];
        if !is_secret_key(key) || rest.starts_with("[REDACTED:") {
            continue;
        }
        let last = key_parts(key).pop().unwrap_or_default();
        if last == "authorization"
            && let Some((kept, len, kind)) = authorization_value(rest)
        {
            out.push_str(&rest[..kept]);
            out.push_str(&marker(kind));
            *count += 1;
            at += kept + len;
            continue;
        }
        // A cookie header holds many pairs: all of them go.
        let Some(len) = value_len(rest, last == "cookie") else {
            continue;
        };
        out.push_str(&redacted_value(&rest[..len], "credential"));
        *count += 1;
        at += len;
    }
    out.push_str(&text[at..]);
    out
}

/// Redacts the `v` group of `rule`'s matches whose `k` group names a secret.
fn redact_pairs(text: String, rule: &Regex, count: &mut usize) -> String {
    apply(text, rule, count, |caps| {
        let (whole, key, value) = (caps.get(0)?, caps.name("k")?, caps.name("v")?);
        if !is_secret_key(key.as_str()) || value.as_str().trim().is_empty() {
            return None;
        }
        let w = whole.as_str();
        let (from, to) = (value.start() - whole.start(), value.end() - whole.start());
        Some(format!(
            "{}{}{}",
            &w[..from],
            marker("credential"),
            &w[to..]
        ))
    })
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
            // `user:password@` keeps the user; a lone `token@` goes whole.
            let user = caps.get(2).map_or("", |m| m.as_str());
            Some(format!("{}{user}{}@", &caps[1], marker("url_credential")))
        });
        out = redact_pairs(out, &NAME_VALUE, &mut count);
        out = redact_pairs(out, &TUPLE, &mut count);
        out = redact_pairs(out, &XML_ELEMENT, &mut count);
        out = redact_key_values(&out, &mut count);
        out = apply(out, &AUTH_SCHEME, &mut count, |caps| {
            let scheme = caps.get(1).or_else(|| caps.get(2))?;
            let credentials = &caps.get(0)?.as_str()[scheme.len()..];
            // `Basic` is also a word: its credentials are base64, with a
            // digit, `+`, `/` or `=`, or at least two capitals.
            let base64 = credentials
                .bytes()
                .any(|b| b.is_ascii_digit() || b"+/=".contains(&b))
                || credentials.bytes().filter(u8::is_ascii_uppercase).count() >= 2;
            (caps.get(1).is_some() || base64)
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
