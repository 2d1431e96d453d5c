//! Checks on the query text a model wrote, and the row cap.

use std::sync::LazyLock;

use actionkit::ActionError;
use regex::Regex;

/// CloudWatch Logs Insights' limit on a query string.
pub const MAX_QUERY_CHARS: usize = 10_000;

// `SOURCE` picks log groups by itself, bypassing the allowlist; it is a
// command, so it starts the query or follows a pipe. Any case, any spacing.
static SOURCE_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|\|)\s*source\b").unwrap_or_else(|_| unreachable!("valid regex"))
});
// `unmask(...)` reveals data masked by a data protection policy.
static UNMASK_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bunmask\s*\(").unwrap_or_else(|_| unreachable!("valid regex"))
});
// The last `| limit N` of the query.
static LIMIT_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\|\s*limit\s+(\d+)\s*$").unwrap_or_else(|_| unreachable!("valid regex"))
});

/// Refuses what a model must not run, and returns the query with the row
/// cap enforced (a `| limit` added, or lowered).
pub fn checked_query(query: &str, row_cap: usize) -> Result<String, ActionError> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(ActionError::bad_request(
            "`query` is empty. Write a Logs Insights query, e.g. `fields @timestamp, @message | sort @timestamp desc | limit 20`.",
        )
        .with_detail("parameter", "query"));
    }
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(ActionError::bad_request(format!(
            "`query` is {chars} characters; CloudWatch Logs Insights accepts at most {MAX_QUERY_CHARS}."
        ))
        .with_detail("parameter", "query"));
    }
    if query
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(
            ActionError::bad_request("`query` contains control characters.")
                .with_detail("parameter", "query"),
        );
    }
    if SOURCE_COMMAND.is_match(trimmed) {
        return Err(ActionError::forbidden(
            "Queries may not use the SOURCE command: log groups are chosen with the log_group parameter, \
             from the allowlist. Remove SOURCE and pass the group as log_group.",
        )
        .with_detail("parameter", "query"));
    }
    check_balanced(trimmed)?;
    if UNMASK_CALL.is_match(trimmed) {
        return Err(ActionError::forbidden(
            "Queries may not call unmask(): masked data stays masked. Remove unmask() from the query.",
        )
        .with_detail("parameter", "query"));
    }
    Ok(enforce_limit(trimmed, row_cap))
}

/// Catches the commonest syntax slip of a model, an unclosed bracket or
/// quote, before a round trip to CloudWatch. String and regex literals are
/// skipped: a regex may hold any bracket.
fn check_balanced(query: &str) -> Result<(), ActionError> {
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut chars = query.char_indices();
    // The last run of non-space characters, kept across the spaces after
    // it; `(` and `,` end a run too. It tells a regex `/` from a division.
    let mut previous_token = String::new();
    let mut after_space = false;
    while let Some((at, c)) = chars.next() {
        let regex_context = c == '/'
            && (previous_token.eq_ignore_ascii_case("like")
                || previous_token == "=~"
                || previous_token.ends_with(['(', ',']));
        if matches!(c, '\'' | '"' | '`') || regex_context {
            let mut closed = false;
            while let Some((_, inner)) = chars.next() {
                if inner == '\\' {
                    chars.next();
                } else if inner == c {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(malformed(format!(
                    "the {} opened at character {} is never closed",
                    describe(c),
                    at + 1
                )));
            }
            previous_token.clear();
            after_space = false;
            continue;
        }
        match c {
            '(' | '[' => open.push((c, at)),
            ')' | ']' => {
                let expected = if c == ')' { '(' } else { '[' };
                match open.pop() {
                    Some((o, _)) if o == expected => {}
                    _ => {
                        return Err(malformed(format!(
                            "the `{c}` at character {} closes nothing",
                            at + 1
                        )));
                    }
                }
            }
            _ => {}
        }
        if c.is_whitespace() {
            after_space = true;
        } else {
            if after_space || previous_token.ends_with(['(', ',']) {
                previous_token.clear();
            }
            after_space = false;
            previous_token.push(c);
        }
    }
    match open.pop() {
        Some((c, at)) => Err(malformed(format!(
            "the `{c}` at character {} is never closed",
            at + 1
        ))),
        None => Ok(()),
    }
}

fn describe(c: char) -> &'static str {
    match c {
        '/' => "regex `/`",
        '`' => "backquote",
        _ => "quote",
    }
}

fn malformed(problem: String) -> ActionError {
    ActionError::new(
        400,
        "MalformedQuery",
        format!("The query is malformed: {problem}. Fix the query syntax and try again."),
    )
    .with_detail("parameter", "query")
}

fn enforce_limit(query: &str, row_cap: usize) -> String {
    match LIMIT_COMMAND.captures(query) {
        Some(captures) => {
            let asked: usize = captures[1].parse().unwrap_or(usize::MAX);
            if asked <= row_cap {
                query.to_owned()
            } else {
                let start = captures.get(0).map_or(query.len(), |m| m.start());
                format!("{}| limit {row_cap}", &query[..start])
            }
        }
        None => format!("{query} | limit {row_cap}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_and_unmask_are_refused_in_any_case_and_spacing() {
        for q in [
            "SOURCE logGroups(namePrefix: ['/aws/rds']) | fields @message",
            "source logGroups()",
            "  SoUrCe\tlogGroups()",
            "fields @message |source logGroups()",
            "fields @message\n| SOURCE x",
            "fields unmask(@message)",
            "fields UNMASK (@message)",
            "filter x | display Unmask\n(@message)",
        ] {
            assert_eq!(checked_query(q, 100).unwrap_err().status(), 403, "{q}");
        }
        // The words inside other tokens are fine.
        for q in [
            "fields @message | filter @message like /resource/",
            "fields sourceIp, unmasked_count",
        ] {
            assert!(checked_query(q, 100).is_ok(), "{q}");
        }
    }

    #[test]
    fn empty_long_and_control_queries_are_400() {
        assert_eq!(checked_query("  ", 100).unwrap_err().status(), 400);
        let long = format!(
            "fields @message | filter @message like /{}/",
            "x".repeat(10_000)
        );
        let err = checked_query(&long, 100).unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.message().contains("at most 10000"));
        assert!(checked_query(&"f".repeat(10_000), 100).is_ok());
        assert!(checked_query(&"f".repeat(10_001), 100).is_err());
        assert_eq!(
            checked_query("fields @message\u{7}", 100)
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn unbalanced_brackets_and_quotes_are_caught_locally() {
        for q in [
            "fields @message | stats count( by bin(5m)",
            "fields @message | filter @message like 'timeout",
            "fields @message | filter (a = 1))",
            "fields @message | filter @message like /ERROR",
        ] {
            let err = checked_query(q, 100).unwrap_err();
            assert_eq!((err.status(), err.name()), (400, "MalformedQuery"), "{q}");
        }
        for q in [
            r"fields @message | filter @message like /timeout \(3000 ms/",
            "fields @message | filter @message like /a(b/",
            r"fields @message | filter @message =~ /\[x/ | stats count(*) by bin(5m)",
            r#"fields @message | filter msg = 'it\'s' or msg = "(""#,
            "fields latency / 1000 as seconds | sort seconds desc",
        ] {
            assert!(checked_query(q, 100).is_ok(), "{q}");
        }
    }

    #[test]
    fn the_row_cap_is_always_enforced() {
        assert_eq!(
            checked_query("fields @message", 100).unwrap(),
            "fields @message | limit 100"
        );
        assert_eq!(
            checked_query("fields @message | limit 20", 100).unwrap(),
            "fields @message | limit 20"
        );
        assert_eq!(
            checked_query("fields @message | LIMIT 5000 ", 100).unwrap(),
            "fields @message | limit 100"
        );
        assert_eq!(
            checked_query("fields @message | limit 99999999999999999999999", 100).unwrap(),
            "fields @message | limit 100"
        );
        // A limit in the middle is not the last word: one is added.
        assert_eq!(
            checked_query("fields @message | limit 5000 | sort @timestamp", 100).unwrap(),
            "fields @message | limit 5000 | sort @timestamp | limit 100"
        );
    }
}
