//! The query policy: what a model may run, decided on the tokens of the
//! Logs Insights language ([`crate::insights_ql`]), and the query that is
//! sent — re-emitted from the checked tokens, without comments, with the
//! row cap as its real last command.

use actionkit::ActionError;
use unicode_normalization::UnicodeNormalization;

use crate::insights_ql::{LexError, Reading, Token, TokenKind, commands, is_line_break, tokenize};

/// CloudWatch Logs Insights' limit on a query string.
pub const MAX_QUERY_CHARS: usize = 10_000;

/// What the policy refuses, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// `SOURCE` picks log groups by itself, bypassing the allowlist.
    Source,
    /// `unmask(...)` reveals data masked by a data protection policy.
    Unmask,
}

/// Refuses what a model must not run, and returns the query to send: the
/// checked tokens without comments, white space normalized, and the row cap
/// enforced as the last command.
pub fn checked_query(query: &str, row_cap: usize) -> Result<String, ActionError> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(ActionError::invalid_parameter(
            "query",
            "`query` is empty. Write a Logs Insights query, e.g. `fields @timestamp, @message | sort @timestamp desc | limit 20`.",
        ));
    }
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(too_long(chars));
    }
    if query
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ActionError::invalid_parameter(
            "query",
            "`query` contains control characters.",
        ));
    }
    if query.chars().any(is_invisible) {
        return Err(ActionError::invalid_parameter(
            "query",
            "`query` contains invisible formatting characters (zero-width spaces, direction marks); \
             write it in plain text.",
        ));
    }
    let tokens = tokenize(trimmed, Reading::DOCUMENTED).map_err(malformed_lex)?;
    if let Some(token) = tokens.iter().find(|t| compatibility_punctuation(t)) {
        return Err(ActionError::invalid_parameter(
            "query",
            format!(
                "`query` uses the full-width or compatibility character {:?} outside a string at character {}; write it in ASCII.",
                token.text,
                trimmed[..token.start].chars().count() + 1
            ),
        ));
    }
    check_balanced(&tokens)?;
    if commands(&tokens).iter().any(Vec::is_empty) {
        return Err(malformed(
            "a command is empty (a pipe at the start or end, two pipes in a row, or only a comment)".into(),
        ));
    }
    refuse(&tokens)?;
    let sent = emit(&tokens, row_cap)?;
    // The service's grammar is not published: what is sent must split into
    // the same tokens however it reads a backslash, so that no escape read
    // differently can turn a string into a command or a cap into a comment.
    // `emit` writes literals so that this holds; this is the proof.
    let sent_tokens = tokenize(&sent, Reading::DOCUMENTED).map_err(malformed_lex)?;
    for reading in Reading::ALL {
        let agrees = tokenize(&sent, reading).is_ok_and(|other| {
            other.len() == sent_tokens.len()
                && other
                    .iter()
                    .zip(&sent_tokens)
                    .all(|(a, b)| a.kind == b.kind && a.start == b.start)
        });
        if !agrees {
            return Err(malformed(
                "its backslashes can be read in more than one way; write quotes inside a string with the other quote character".into(),
            ));
        }
    }
    refuse(&sent_tokens)?;
    let chars = sent.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(too_long(chars));
    }
    Ok(sent)
}

fn too_long(chars: usize) -> ActionError {
    ActionError::invalid_parameter(
        "query",
        format!(
            "`query` is {chars} characters with the row limit applied; CloudWatch Logs Insights accepts at most {MAX_QUERY_CHARS}."
        ),
    )
}

/// Zero-width and direction-control characters (Unicode category Cf) that
/// render as nothing: a keyword split by one reads differently to a person,
/// a regex and the service.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Whether a token outside literals is punctuation that normalizes to ASCII
/// punctuation (`｜`, `＃`, `＇`): a service that normalizes text would read
/// a pipe, a comment or a quote where the lexer saw none.
fn compatibility_punctuation(token: &Token<'_>) -> bool {
    matches!(
        token.kind,
        TokenKind::Word | TokenKind::Punct | TokenKind::Pipe
    ) && !token.text.is_ascii()
        && {
            let normalized: String = token.text.nfkc().collect();
            normalized != token.text && normalized.chars().any(|c| c.is_ascii_punctuation())
        }
}

/// Refuses `SOURCE` wherever a command can start (the query's start, after
/// a pipe, at the start of any line) and `unmask` as a command or a call.
fn refuse(tokens: &[Token<'_>]) -> Result<(), ActionError> {
    match first_refused(tokens) {
        None => Ok(()),
        Some(Refused::Source) => Err(ActionError::forbidden(
            "Queries may not use the SOURCE command: log groups are chosen with the log_group parameter, \
             from the allowlist. Remove SOURCE and pass the group as log_group.",
        )
        .with_detail("parameter", "query")),
        Some(Refused::Unmask) => Err(ActionError::forbidden(
            "Queries may not call unmask(): masked data stays masked. Remove unmask() from the query.",
        )
        .with_detail("parameter", "query")),
    }
}

fn first_refused(tokens: &[Token<'_>]) -> Option<Refused> {
    // Where a command starts: the query's start and after a pipe. A line
    // start is treated like one for `SOURCE logGroups(…)`, without refusing
    // a field named `source` on a continuation line.
    let mut command_start = true;
    let mut line_start = false;
    for (i, token) in tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind != TokenKind::Space)
    {
        match token.kind {
            TokenKind::Pipe => {
                command_start = true;
                continue;
            }
            TokenKind::Newline => {
                line_start = true;
                continue;
            }
            TokenKind::Comment => continue,
            _ => {}
        }
        if let Some(word) = token.folded() {
            let next = next_significant(tokens, i);
            let calls = next.is_some_and(|t| t.text == "(");
            if word == "unmask" && (command_start || line_start || calls) {
                return Some(Refused::Unmask);
            }
            let names_groups = next
                .and_then(Token::folded)
                .is_some_and(|w| w.starts_with("loggroups"));
            let glued = word.starts_with("source") && (calls || word.contains("loggroups"));
            if (command_start && (word == "source" || glued))
                || (line_start && (glued || (word == "source" && (calls || names_groups))))
            {
                return Some(Refused::Source);
            }
        }
        command_start = false;
        line_start = false;
    }
    None
}

/// The next token after `i` that is not space, a newline or a comment.
fn next_significant<'t, 'q>(tokens: &'t [Token<'q>], i: usize) -> Option<&'t Token<'q>> {
    tokens[i + 1..].iter().find(|t| t.is_significant())
}

/// Catches the commonest syntax slip of a model, an unclosed bracket,
/// before a round trip to CloudWatch; literals and comments are skipped.
fn check_balanced(tokens: &[Token<'_>]) -> Result<(), ActionError> {
    // The open brackets, each with its (1-based) character position.
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut position = 1;
    for token in tokens {
        if token.kind == TokenKind::Punct {
            match token.text {
                "(" | "[" => open.push((token.text, position)),
                ")" | "]" => {
                    let expected = if token.text == ")" { "(" } else { "[" };
                    if open.pop().is_none_or(|(o, _)| o != expected) {
                        return Err(malformed(format!(
                            "the `{}` at character {position} closes nothing",
                            token.text
                        )));
                    }
                }
                _ => {}
            }
        }
        position += token.text.chars().count();
    }
    match open.pop() {
        Some((o, at)) => Err(malformed(format!(
            "the `{o}` at character {at} is never closed"
        ))),
        None => Ok(()),
    }
}

fn malformed_lex(error: LexError) -> ActionError {
    malformed(error.to_string())
}

fn malformed(problem: String) -> ActionError {
    ActionError::new(
        400,
        "MalformedQuery",
        format!("The query is malformed: {problem}. Fix the query syntax and try again."),
    )
    .with_detail("parameter", "query")
}

/// The query to send: tokens without comments, each run of white space one
/// space or one line break, and the row cap in force. A last `limit N` with
/// N within the cap stays; otherwise the last command is dropped if it is a
/// `limit`, and `limit <cap>` is appended on a line of its own (so no reading
/// of the text can comment it out).
fn emit(tokens: &[Token<'_>], row_cap: usize) -> Result<String, ActionError> {
    let last = commands(tokens).pop().unwrap_or_default();
    let last_limit = match last.as_slice() {
        [word, count] if word.names("limit") && count.kind == TokenKind::Word => Some(
            count
                .text
                .parse::<u128>()
                .ok()
                .filter(|n| (1..=row_cap as u128).contains(n)),
        ),
        _ => None,
    };
    // Where the kept tokens end: before the pipe of a `limit` to replace.
    let keep = match last_limit {
        Some(None) => tokens
            .iter()
            .rposition(|t| t.kind == TokenKind::Pipe)
            .unwrap_or(0),
        _ => tokens.len(),
    };
    let mut out = String::with_capacity(keep * 4 + 16);
    for token in &tokens[..keep] {
        match token.kind {
            TokenKind::Comment => {}
            TokenKind::Space => out.push(' '),
            TokenKind::Str => out.push_str(&canonical_string(token)?),
            TokenKind::Regex => out.push_str(&canonical_regex(token.text)),
            TokenKind::Newline => {
                // A removed comment leaves no space before its line break.
                out.truncate(out.trim_end_matches(' ').len());
                out.push('\n');
            }
            _ => out.push_str(token.text),
        }
    }
    let body = out.trim_end_matches(|c: char| c == ' ' || is_line_break(c));
    Ok(match last_limit {
        Some(Some(_)) => body.to_owned(),
        _ if body.is_empty() => format!("limit {row_cap}"),
        _ => format!("{body}\n| limit {row_cap}"),
    })
}

/// A string literal that ends at the same quote in every reading: as it is
/// when it holds no escaped quote; else with the other quote character and
/// no backslashes (`'it\'s'` → `"it's"`); else refused.
fn canonical_string(token: &Token<'_>) -> Result<String, ActionError> {
    let text = token.text;
    let quote = text.chars().next().unwrap_or('\'');
    let body = &text[quote.len_utf8()..text.len() - quote.len_utf8()];
    let mut escaped_quote = false;
    let mut other_escapes = false;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e) if e == quote => escaped_quote = true,
                _ => other_escapes = true,
            }
        }
    }
    if !escaped_quote {
        return Ok(text.to_owned());
    }
    let other = if quote == '\'' { '"' } else { '\'' };
    if other_escapes || body.contains(other) {
        return Err(malformed(format!(
            "the string at character {} holds an escaped quote together with other escapes or both quote characters; \
             split it into two conditions or use a regex",
            token.start + 1
        )));
    }
    let unescaped = body.replace(&format!("\\{quote}"), &quote.to_string());
    Ok(format!("{other}{unescaped}{other}"))
}

/// A regex literal without `\/`, which ends the regex in a reading without
/// regex escapes: the slash is written `\x2F`, the same character to the
/// regex engine.
fn canonical_regex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\' {
            match chars.next() {
                Some('/') => {
                    out.pop();
                    out.push_str("\\x2F");
                }
                Some(e) => out.push(e),
                None => {}
            }
        }
    }
    out
}

/// Whether the row cap is in force on `sent`, in every reading of its
/// backslashes: its last command is `limit N` with N from 1 to `row_cap`,
/// no comment is left, and no command is refused.
#[cfg(test)]
pub(crate) fn row_cap_in_force(sent: &str, row_cap: usize) -> bool {
    Reading::ALL.iter().all(|reading| {
        let Ok(tokens) = tokenize(sent, *reading) else {
            return false;
        };
        !tokens.iter().any(|t| t.kind == TokenKind::Comment)
            && first_refused(&tokens).is_none()
            && matches!(
                commands(&tokens).pop().as_deref(),
                Some([word, count]) if word.text.eq_ignore_ascii_case("limit")
                    && count.text.parse::<usize>().is_ok_and(|n| (1..=row_cap).contains(&n))
            )
    })
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
        // The limit holds for what is sent, the row cap included.
        assert!(checked_query(&format!("{} | limit 5", "f".repeat(9_990)), 100).is_ok());
        let err = checked_query(&"f".repeat(10_000), 100).unwrap_err();
        assert!(
            err.message().contains("with the row limit applied"),
            "{err}"
        );
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
            "fields @message\n| limit 100"
        );
        assert_eq!(
            checked_query("fields @message | limit 20", 100).unwrap(),
            "fields @message | limit 20"
        );
        assert_eq!(
            checked_query("fields @message | LIMIT 5000 ", 100).unwrap(),
            "fields @message\n| limit 100"
        );
        assert_eq!(
            checked_query("fields @message | limit 99999999999999999999999", 100).unwrap(),
            "fields @message\n| limit 100"
        );
        // A limit in the middle is not the last word: one is added.
        assert_eq!(
            checked_query("fields @message | limit 5000 | sort @timestamp", 100).unwrap(),
            "fields @message | limit 5000 | sort @timestamp\n| limit 100"
        );
        // A trailing comment cannot swallow the cap: comments are not sent.
        assert_eq!(
            checked_query(
                "fields @message | limit 5000 | sort @timestamp desc\n# newest first",
                100
            )
            .unwrap(),
            "fields @message | limit 5000 | sort @timestamp desc\n| limit 100"
        );
        assert_eq!(checked_query("limit 0", 100).unwrap(), "limit 100");
    }

    #[test]
    fn comments_and_line_breaks_hide_nothing() {
        for q in [
            "# find errors\nSOURCE logGroups(namePrefix: ['/aws/rds']) | fields @message",
            "fields @message | # c\nSOURCE logGroups()",
            "fields @message\n  source logGroups()",
            "fields @message\n  SOURCE (x)",
            "fields @message |\u{3000}SoUrCe logGroups()",
            "fields @message\u{2028}SOURCE logGroups()",
            "fields @message | SOURCElogGroups()",
            "fields unmask # c\n (@message)",
            "fields @message | unmask @message",
            "fields `unmask`(@message)",
            "fields ＵＮＭＡＳＫ(@message)",
        ] {
            assert_eq!(checked_query(q, 100).unwrap_err().status(), 403, "{q:?}");
        }
    }

    #[test]
    fn comments_and_strings_are_not_read_as_code() {
        for (q, sent) in [
            ("fields @message # it's (", "fields @message\n| limit 100"),
            (
                "filter @message like 'x | source y'",
                "filter @message like 'x | source y'\n| limit 100",
            ),
            (
                "fields @timestamp,\n  source,\n  @message",
                "fields @timestamp,\nsource,\n@message\n| limit 100",
            ),
            (
                "filter @message like /(ERROR|source logGroups())/",
                "filter @message like /(ERROR|source logGroups())/\n| limit 100",
            ),
            (
                "filter msg like 'it\\'s'",
                "filter msg like \"it's\"\n| limit 100",
            ),
            (
                "filter @message like /order #\\d+/ | fields @message",
                "filter @message like /order #\\d+/ | fields @message\n| limit 100",
            ),
            (
                "fields @timestamp, @message, accountId # | filter accountId not like \"7983\"\n| sort @timestamp desc",
                "fields @timestamp, @message, accountId\n| sort @timestamp desc\n| limit 100",
            ),
        ] {
            assert_eq!(checked_query(q, 100).unwrap(), sent, "{q:?}");
        }
    }

    #[test]
    fn an_escaped_quote_cannot_smuggle_a_command() {
        // Read with escapes, one string; read without, `| SOURCE` is a
        // command: refused either way.
        // A string with an escaped quote is sent with the other quote
        // character and no backslash: one string in every reading.
        let q = r"filter a = 'x\' | SOURCE logGroups() | filter b = \'y'";
        assert_eq!(
            checked_query(q, 100).unwrap(),
            "filter a = \"x' | SOURCE logGroups() | filter b = 'y\"\n| limit 100"
        );
        // An escaped slash in a regex is sent as \x2F.
        assert_eq!(
            checked_query(r"filter m like /a\/ | SOURCE logGroups() | x/", 100).unwrap(),
            "filter m like /a\\x2F | SOURCE logGroups() | x/\n| limit 100"
        );
        // No reading can comment out the cap.
        assert_eq!(
            checked_query(
                r"fields @message | filter @message like 'x\' # ' | limit 10",
                100
            )
            .unwrap(),
            "fields @message | filter @message like \"x' # \" | limit 10"
        );
        // Both quotes and an escape: no form is the same in every reading.
        assert_eq!(
            checked_query(r#"filter a = 'x\' "' or b = 1"#, 100)
                .unwrap_err()
                .name(),
            "MalformedQuery"
        );
        assert_eq!(
            checked_query("fields a ｜ SOURCE logGroups()", 100)
                .unwrap_err()
                .status(),
            400
        );
        assert_eq!(
            checked_query("fields `a\\b`", 100).unwrap_err().name(),
            "MalformedQuery"
        );
        assert_eq!(
            checked_query("fields a | | sort b", 100)
                .unwrap_err()
                .name(),
            "MalformedQuery"
        );
        assert_eq!(
            checked_query("fields @message\u{200b}", 100)
                .unwrap_err()
                .status(),
            400
        );
    }

    mod generated {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngSeed};

        use super::super::{checked_query, row_cap_in_force};

        fn config() -> Config {
            Config {
                cases: 3_000,
                rng_seed: RngSeed::Fixed(0x5eed_c10d),
                failure_persistence: None,
                ..Config::default()
            }
        }

        /// Commands a model writes, none of them refused.
        fn command() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("fields @timestamp, @message".to_owned()),
                Just("fields sourceIp, unmasked_count, @source".to_owned()),
                Just("filter @message like /ERROR|Timeout/".to_owned()),
                Just("filter level = 'ERROR' and msg like \"a | b\"".to_owned()),
                Just("stats count(*) by bin(5m)".to_owned()),
                Just("sort @timestamp desc".to_owned()),
                Just("parse @message /user=(?<user>\\S+)/".to_owned()),
                Just("display @timestamp, `foo-bar`".to_owned()),
                (1u64..1_000_000).prop_map(|n| format!("limit {n}")),
            ]
        }

        /// White space, Unicode spaces and line breaks, comments.
        fn gap() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    Just(" ".to_owned()),
                    Just("\t".to_owned()),
                    Just("\n".to_owned()),
                    Just("\r\n".to_owned()),
                    Just("\u{a0}".to_owned()),
                    Just("\u{2003}".to_owned()),
                    Just("\u{3000}".to_owned()),
                    Just("\u{2028}".to_owned()),
                    Just(" # note | SOURCE x unmask(y) 'quote\n".to_owned()),
                ],
                0..3,
            )
            .prop_map(|parts| parts.concat())
        }

        fn random_case(word: &'static str) -> impl Strategy<Value = String> {
            prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
                word.chars()
                    .zip(upper)
                    .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                    .collect()
            })
        }

        fn query() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(command(), 1..5)
        }

        /// Joins commands with pipes and random gaps around them.
        fn join(commands: &[String], gaps: &[String]) -> String {
            let mut out = String::new();
            for (i, c) in commands.iter().enumerate() {
                if i > 0 {
                    out.push_str(&gaps[(2 * i) % gaps.len()]);
                    out.push('|');
                    out.push_str(&gaps[(2 * i + 1) % gaps.len()]);
                }
                out.push_str(c);
            }
            out
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn source_never_passes(
                commands in query(),
                gaps in prop::collection::vec(gap(), 4),
                source in random_case("source"),
                at in any::<prop::sample::Index>(),
                before in gap(),
                line_start in any::<bool>(),
            ) {
                let mut commands = commands;
                let smuggled = format!("{before}{source} logGroups(namePrefix: ['/aws/rds'])");
                let at = at.index(commands.len() + 1);
                let q = if line_start && at > 0 {
                    // At the start of a line inside a command.
                    commands[at - 1].push_str(&format!(" # c\n{smuggled}"));
                    join(&commands, &gaps)
                } else {
                    commands.insert(at, smuggled);
                    join(&commands, &gaps)
                };
                let err = checked_query(&q, 100).expect_err(&q);
                prop_assert_eq!(err.status(), 403, "{:?}", q);
            }

            #[test]
            fn unmask_never_passes(
                commands in query(),
                gaps in prop::collection::vec(gap(), 4),
                unmask in random_case("unmask"),
                between in gap(),
                at in any::<prop::sample::Index>(),
            ) {
                let mut commands = commands;
                let at = at.index(commands.len());
                commands[at] = format!("fields @timestamp, {unmask}{between}(@message)");
                let q = join(&commands, &gaps);
                let err = checked_query(&q, 100).expect_err(&q);
                prop_assert_eq!(err.status(), 403, "{:?}", q);
            }

            #[test]
            fn escapes_never_smuggle_a_command_in_any_reading(
                commands in query(),
                gaps in prop::collection::vec(gap(), 4),
                source in random_case("source"),
                quote in prop_oneof![Just('\''), Just('"')],
                escapes in prop::collection::vec(prop_oneof![Just("\\'"), Just("\\\""), Just("\\\\"), Just("\\/"), Just("#"), Just("x")], 0..4),
                in_regex in any::<bool>(),
                cap in 1usize..500,
            ) {
                let inner = format!("{}| {source} logGroups() | {}", escapes.concat(), escapes.concat());
                let literal = if in_regex {
                    format!("filter @message like /{inner}/")
                } else {
                    format!("filter a = {quote}{inner}{quote}")
                };
                let mut commands = commands;
                commands.push(literal);
                let q = join(&commands, &gaps);
                if let Ok(sent) = checked_query(&q, cap) {
                    prop_assert!(row_cap_in_force(&sent, cap), "{:?} sent as {:?}", q, sent);
                }
            }

            #[test]
            fn mentions_are_never_refused_and_the_cap_holds(
                commands in query(),
                gaps in prop::collection::vec(gap(), 4),
                word in prop_oneof![random_case("source"), random_case("unmask")],
                cap in 1usize..10_000,
                trailing in prop_oneof![Just(String::new()), Just("\n# newest first".to_owned()), Just(" # | limit 99999".to_owned())],
            ) {
                let mut commands = commands;
                commands.push(format!("filter @message like '{word} | {word}(x)' or msg = \"{word} logGroups()\""));
                commands.push(format!("fields {word}Ip, {word}_count # {word} logGroups() {word}(@message)"));
                let q = format!("{}{trailing}", join(&commands, &gaps));
                let sent = checked_query(&q, cap).map_err(|e| TestCaseError::fail(format!("{q:?}: {e}")))?;
                prop_assert!(row_cap_in_force(&sent, cap), "{:?} sent as {:?}", q, sent);
            }
        }
    }
}
