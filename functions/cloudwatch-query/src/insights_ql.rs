//! A lexer for the CloudWatch Logs Insights query language (Logs Insights QL).
//!
//! The guard that decides what a model may run works on these tokens, never
//! on the raw text: only a lexer knows where a command starts, what is a
//! comment and what is inside a string.
//!
//! # The grammar subset it reads
//!
//! From the AWS pages on the
//! [query syntax](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html),
//! [comments](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-alias.html),
//! and [fields with special characters](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Guidelines.html):
//!
//! ```text
//! query     := command ( "|" command )*
//! command   := token*                      the first word names it: fields, filter, stats, SOURCE, ...
//! comment   := "#" … end of line           anywhere outside a literal
//! string    := "'" … "'" | '"' … '"'       backslash escapes the next character
//! backquote := "`" … "`"                   a field name; no escapes
//! regex     := "/" … "/"                   where an operand is expected (after like, =~, parse <field>,
//!                                          "(", ",", "|", an operator, or at the start)
//! word      := ( letter | digit | _ . @ $ )+   commands, fields (@message), functions, numbers
//! space     := Unicode white space; a run holding a line break is a newline
//! punct     := any other character; runs of = ! < > ~ are one operator
//! ```
//!
//! The service's own grammar is not published, so the lexer offers every
//! reading of backslashes ([`Reading::ALL`]: escapes in strings on or off,
//! escapes in regex literals on or off). A guard that sends only text all
//! readings split alike holds however the service reads a backslash.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// How to read backslashes inside literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// A backslash escapes the next character inside `'…'` and `"…"`.
    pub string_escapes: bool,
    /// A backslash escapes the next character inside `/…/`.
    pub regex_escapes: bool,
}

impl Reading {
    /// The documented reading: backslash escapes in strings and regexes.
    pub const DOCUMENTED: Reading = Reading {
        string_escapes: true,
        regex_escapes: true,
    };
    /// Every reading the service might use.
    pub const ALL: [Reading; 4] = [
        Reading::DOCUMENTED,
        Reading {
            string_escapes: false,
            regex_escapes: true,
        },
        Reading {
            string_escapes: true,
            regex_escapes: false,
        },
        Reading {
            string_escapes: false,
            regex_escapes: false,
        },
    ];
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A command, field, function name, keyword or number.
    Word,
    /// A `'…'` or `"…"` string literal, quotes included.
    Str,
    /// A `` `…` `` field name, backquotes included.
    Backquoted,
    /// A `/…/` regex literal, slashes included.
    Regex,
    /// The command separator `|`.
    Pipe,
    /// Any other character, or a run of `= ! < > ~`.
    Punct,
    /// `#` to the end of the line (the line break is not part of it).
    Comment,
    /// White space without a line break.
    Space,
    /// White space holding at least one line break.
    Newline,
}

/// One token: its kind and where it stands in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'q> {
    /// What it is.
    pub kind: TokenKind,
    /// Its text, exactly as in the query.
    pub text: &'q str,
    /// Its byte offset in the query.
    pub start: usize,
}

impl Token<'_> {
    /// Whether the token is a word (bare or backquoted) that the service
    /// could read as `keyword`: compared after NFKC normalization and
    /// case folding of every character that folds to ASCII, so `SoUrCe`,
    /// `ＳＯＵＲＣＥ` and `ſource` all name the `source` command.
    pub fn names(&self, keyword: &str) -> bool {
        self.folded().is_some_and(|w| w == keyword)
    }

    /// The folded word ([`names`](Self::names)), or `None` for other kinds.
    pub fn folded(&self) -> Option<String> {
        let word = match self.kind {
            TokenKind::Word => self.text,
            TokenKind::Backquoted => self.text.trim_matches('`'),
            _ => return None,
        };
        Some(fold(word))
    }

    /// Whether the token carries meaning (not space, newline or comment).
    pub fn is_significant(&self) -> bool {
        !matches!(
            self.kind,
            TokenKind::Space | TokenKind::Newline | TokenKind::Comment
        )
    }
}

/// Case-folds `word` for keyword comparison (see [`Token::names`]).
fn fold(word: &str) -> String {
    word.nfkc()
        .map(|c| {
            if c.is_ascii() {
                return c.to_ascii_lowercase();
            }
            // Java's equalsIgnoreCase (and others) compare per character
            // through both cases: U+017F ſ → S, U+212A K (Kelvin) → k.
            let lower = c.to_lowercase().next().unwrap_or(c);
            if lower.is_ascii() {
                return lower;
            }
            let upper = c.to_uppercase().next().unwrap_or(c);
            if upper.is_ascii() {
                upper.to_ascii_lowercase()
            } else {
                lower
            }
        })
        .collect()
}

/// Why the text cannot be lexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    /// A string, backquote or regex literal that is never closed.
    Unclosed {
        /// What was opened: "quote", "backquote" or "regex `/`".
        what: &'static str,
        /// The character position (1-based) where it opened.
        at: usize,
    },
    /// A backslash inside a backquoted field name, which the service's
    /// documentation gives no meaning: refused rather than guessed.
    BackslashInBackquotes {
        /// The character position (1-based) of the field name.
        at: usize,
    },
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexError::Unclosed { what, at } => {
                write!(f, "the {what} opened at character {at} is never closed")
            }
            LexError::BackslashInBackquotes { at } => write!(
                f,
                "the backquoted field name at character {at} holds a backslash, which is not supported"
            ),
        }
    }
}

/// Whether `c` ends a line (and so a comment).
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '$')
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>' | '~')
}

/// Splits `query` into tokens; their texts concatenated give `query` back.
pub fn tokenize(query: &str, reading: Reading) -> Result<Vec<Token<'_>>, LexError> {
    let mut tokens: Vec<Token<'_>> = Vec::new();
    let mut chars = query.char_indices().peekable();
    let char_pos = |byte: usize| query[..byte].chars().count() + 1;
    while let Some(&(start, c)) = chars.peek() {
        let kind = if c.is_whitespace() {
            let mut line_break = false;
            while let Some(&(_, c)) = chars.peek() {
                if !c.is_whitespace() {
                    break;
                }
                line_break |= is_line_break(c);
                chars.next();
            }
            if line_break {
                TokenKind::Newline
            } else {
                TokenKind::Space
            }
        } else if c == '#' {
            while chars.peek().is_some_and(|&(_, c)| !is_line_break(c)) {
                chars.next();
            }
            TokenKind::Comment
        } else if c == '\'' || c == '"' || c == '`' || (c == '/' && regex_allowed(&tokens)) {
            chars.next();
            let escapes = match c {
                '`' => false,
                '/' => reading.regex_escapes,
                _ => reading.string_escapes,
            };
            let mut closed = false;
            while let Some((_, inner)) = chars.next() {
                if inner == '\\' && c == '`' {
                    return Err(LexError::BackslashInBackquotes {
                        at: char_pos(start),
                    });
                }
                if inner == '\\' && escapes {
                    chars.next();
                } else if inner == c {
                    closed = true;
                    break;
                }
            }
            if !closed {
                let what = match c {
                    '/' => "regex `/`",
                    '`' => "backquote",
                    _ => "quote",
                };
                return Err(LexError::Unclosed {
                    what,
                    at: char_pos(start),
                });
            }
            match c {
                '/' => TokenKind::Regex,
                '`' => TokenKind::Backquoted,
                _ => TokenKind::Str,
            }
        } else if is_word_char(c) {
            while chars.peek().is_some_and(|&(_, c)| is_word_char(c)) {
                chars.next();
            }
            TokenKind::Word
        } else if is_operator_char(c) {
            while chars.peek().is_some_and(|&(_, c)| is_operator_char(c)) {
                chars.next();
            }
            TokenKind::Punct
        } else {
            chars.next();
            if c == '|' {
                TokenKind::Pipe
            } else {
                TokenKind::Punct
            }
        };
        let end = chars.peek().map_or(query.len(), |&(at, _)| at);
        tokens.push(Token {
            kind,
            text: &query[start..end],
            start,
        });
    }
    Ok(tokens)
}

/// Whether a `/` here opens a regex literal: where an operand is expected.
fn regex_allowed(tokens: &[Token<'_>]) -> bool {
    let mut significant = tokens.iter().rev().filter(|t| t.is_significant());
    let Some(previous) = significant.next() else {
        return true;
    };
    match previous.kind {
        TokenKind::Pipe => true,
        TokenKind::Punct => previous.text != ")" && previous.text != "]",
        TokenKind::Word => {
            let word = fold(previous.text);
            if matches!(word.as_str(), "like" | "not" | "and" | "or" | "in") {
                return true;
            }
            // `parse <field> /regex/`: the word before the field is `parse`
            // and it starts its command.
            let before = significant.next();
            before.is_some_and(|t| t.names("parse"))
                && significant.next().is_none_or(|t| t.kind == TokenKind::Pipe)
        }
        _ => false,
    }
}

/// The commands of a token list: the significant tokens between pipes.
pub fn commands<'t, 'q>(tokens: &'t [Token<'q>]) -> Vec<Vec<&'t Token<'q>>> {
    let mut out = vec![Vec::new()];
    for token in tokens.iter().filter(|t| t.is_significant()) {
        if token.kind == TokenKind::Pipe {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str, reading: Reading) -> Vec<(TokenKind, &str)> {
        tokenize(q, reading)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn tokens_give_the_query_back() {
        for q in [
            "fields @timestamp, @message | filter @message like /ERROR \\/ x/ # c\n| sort @timestamp desc",
            "parse @message /(?<id>\\d+)/ | stats count(*) by bin(5m)",
            "filter msg = 'it\\'s \\'x' or `foo-bar` != \"x | y\"",
        ] {
            for reading in Reading::ALL {
                let text: String = tokenize(q, reading)
                    .unwrap()
                    .iter()
                    .map(|t| t.text)
                    .collect();
                assert_eq!(text, q);
            }
        }
    }

    #[test]
    fn literals_comments_and_regexes() {
        use TokenKind::*;
        assert_eq!(
            kinds("fields a # x | SOURCE y\nb", Reading::DOCUMENTED),
            [
                (Word, "fields"),
                (Space, " "),
                (Word, "a"),
                (Space, " "),
                (Comment, "# x | SOURCE y"),
                (Newline, "\n"),
                (Word, "b")
            ]
        );
        // A slash after an operand divides; after `like` it opens a regex.
        assert_eq!(kinds("fields x / 2", Reading::DOCUMENTED)[4], (Punct, "/"));
        assert_eq!(
            kinds("filter m like /a#b/", Reading::DOCUMENTED)[6],
            (Regex, "/a#b/")
        );
        assert_eq!(
            kinds("parse @message /a|b/", Reading::DOCUMENTED)[4],
            (Regex, "/a|b/")
        );
        // Without regex escapes, `\/` ends a regex.
        let no_regex_escapes = Reading::ALL[2];
        assert_eq!(
            kinds("filter m like /a\\/ b/", no_regex_escapes)[6],
            (Regex, "/a\\/")
        );
        assert_eq!(kinds("'a\\' b'", Reading::DOCUMENTED), [(Str, "'a\\' b'")]);
        assert!(matches!(
            tokenize("'a\\' b'", Reading::ALL[1]),
            Err(LexError::Unclosed {
                what: "quote",
                at: 7
            })
        ));
    }

    #[test]
    fn lex_errors_name_the_place() {
        assert_eq!(
            tokenize("filter m like 'x", Reading::DOCUMENTED),
            Err(LexError::Unclosed {
                what: "quote",
                at: 15
            })
        );
        assert!(matches!(
            tokenize("fields `a\\` | x", Reading::DOCUMENTED),
            Err(LexError::BackslashInBackquotes { at: 8 })
        ));
    }

    #[test]
    fn keyword_folding() {
        for word in [
            "source",
            "SOURCE",
            "SoUrCe",
            "ＳＯＵＲＣＥ",
            "\u{17f}ource",
            "`source`",
        ] {
            let tokens = tokenize(word, Reading::DOCUMENTED).unwrap();
            assert!(tokens[0].names("source"), "{word}");
        }
        let tokens = tokenize("un\u{212a}mask sourceIp", Reading::DOCUMENTED).unwrap();
        assert!(!tokens[0].names("unmask"));
        assert!(!tokens[2].names("source"));
        let tokens = tokenize("unmas\u{212a}", Reading::DOCUMENTED).unwrap();
        assert!(tokens[0].names("unmask"));
    }
}
