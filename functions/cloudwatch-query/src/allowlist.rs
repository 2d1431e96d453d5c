//! Which log groups the agent may see: exact names and prefixes from the
//! environment, checked before any AWS call.

use actionkit::ActionError;

/// CloudWatch Logs' own limit on a log group name.
const MAX_NAME_LEN: usize = 512;

/// One allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Exact(String),
    Prefix(String),
}

/// The log groups an agent may query or list.
///
/// Written as a comma-separated list: `/aws/lambda/api-handler` allows that
/// group only, `/aws/lambda/orders-*` every group whose name starts with
/// `/aws/lambda/orders-`. An empty list allows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    entries: Vec<Entry>,
}

/// An allowlist entry that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("allowlist entry `{entry}`: {reason}")]
pub struct AllowlistError {
    entry: String,
    reason: &'static str,
}

impl Allowlist {
    /// Parses `a,b,prefix-*`. A `*` is allowed only at the end of an entry.
    pub fn parse(spec: &str) -> Result<Self, AllowlistError> {
        let mut entries = Vec::new();
        for raw in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let error = |reason| AllowlistError {
                entry: raw.to_owned(),
                reason,
            };
            let (name, prefix) = match raw.strip_suffix('*') {
                Some(stem) => (stem, true),
                None => (raw, false),
            };
            if name.is_empty() {
                return Err(error(
                    "a bare `*` would allow every log group; list prefixes instead",
                ));
            }
            if name.contains('*') {
                return Err(error("`*` is allowed only at the end"));
            }
            check_name(name).map_err(|_| error("not a valid log group name or prefix"))?;
            entries.push(if prefix {
                Entry::Prefix(name.to_owned())
            } else {
                Entry::Exact(name.to_owned())
            });
        }
        Ok(Self { entries })
    }

    /// Whether the (already validated) log group name is allowed.
    pub fn allows(&self, name: &str) -> bool {
        self.entries.iter().any(|e| match e {
            Entry::Exact(exact) => exact == name,
            Entry::Prefix(prefix) => name.starts_with(prefix.as_str()),
        })
    }

    /// The entries as written (`*` marks a prefix), to tell the model.
    pub fn patterns(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Exact(exact) => exact.clone(),
                Entry::Prefix(prefix) => format!("{prefix}*"),
            })
            .collect()
    }

    /// The name prefixes to list for a caller's `prefix`: one per entry
    /// that can hold names starting with it, narrowed to the longer of the
    /// two. Exact entries are returned with `true`.
    pub fn listing_prefixes(&self, wanted: &str) -> Vec<(String, bool)> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Exact(exact) => exact.starts_with(wanted).then(|| (exact.clone(), true)),
                Entry::Prefix(prefix) if wanted.starts_with(prefix.as_str()) => {
                    Some((wanted.to_owned(), false))
                }
                Entry::Prefix(prefix) if prefix.starts_with(wanted) => {
                    Some((prefix.clone(), false))
                }
                Entry::Prefix(_) => None,
            })
            .collect()
    }

    /// Validates a caller-supplied name and checks it against the list:
    /// 400 for a name that cannot be a log group, 403 for one not allowed.
    pub fn check(&self, parameter: &str, name: &str) -> Result<(), ActionError> {
        check_name(name).map_err(|reason| {
            ActionError::bad_request(format!(
                "`{parameter}` is not a valid log group name: {reason}. Use a name from the list_log_groups operation."
            ))
            .with_detail("parameter", parameter)
        })?;
        if self.allows(name) {
            Ok(())
        } else {
            Err(ActionError::forbidden(format!(
                "Log group {} is not on this agent's allowlist. Allowed: {}.",
                name,
                self.describe()
            ))
            .with_detail("parameter", parameter)
            .with_detail("allowed", self.patterns()))
        }
    }

    fn describe(&self) -> String {
        if self.entries.is_empty() {
            "none (set ALLOWED_LOG_GROUPS)".to_owned()
        } else {
            self.patterns().join(", ")
        }
    }
}

/// CloudWatch's name rule (`[\.\-_/#A-Za-z0-9]+`, 1–512 characters), plus
/// refusals of what only an injection would send: `..` and `//` segments.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Err("it is longer than 512 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#'))
    {
        return Err("only letters, digits and . - _ / # are allowed");
    }
    if name.contains("..") || name.contains("//") {
        return Err("`..` and `//` are not allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_prefix_entries() {
        let a = Allowlist::parse(" /aws/lambda/api-handler , /aws/lambda/orders-*,").unwrap();
        assert!(a.allows("/aws/lambda/api-handler"));
        assert!(!a.allows("/aws/lambda/api-handler-2"));
        assert!(a.allows("/aws/lambda/orders-eu"));
        assert!(!a.allows("/aws/lambda/payments"));
        assert_eq!(
            a.patterns(),
            ["/aws/lambda/api-handler", "/aws/lambda/orders-*"]
        );
    }

    #[test]
    fn refuses_bad_entries() {
        assert!(Allowlist::parse("*").is_err());
        assert!(Allowlist::parse("/a/*/b").is_err());
        assert!(Allowlist::parse("/a b").is_err());
        assert_eq!(Allowlist::parse("").unwrap(), Allowlist::default());
    }

    #[test]
    fn names_with_tricks_are_400_and_unlisted_are_403() {
        let a = Allowlist::parse("/aws/lambda/*").unwrap();
        for bad in [
            "/aws/lambda/../secrets",
            "/aws/lambda//x",
            "/aws/lambda/x\n",
            "/aws/lambda/x\u{0}",
            "",
            "/aws/lambda/*",
            "arn:aws:logs:us-east-1:1:log-group:x",
        ] {
            assert_eq!(
                a.check("log_group", bad).unwrap_err().status(),
                400,
                "{bad:?}"
            );
        }
        assert_eq!(
            a.check("log_group", &"a".repeat(513)).unwrap_err().status(),
            400
        );
        let err = a.check("log_group", "/aws/rds/prod").unwrap_err();
        assert_eq!(err.status(), 403);
        assert!(err.message().contains("Allowed: /aws/lambda/*"));
        assert!(a.check("log_group", "/aws/lambda/api").is_ok());
        assert_eq!(
            Allowlist::default().check("g", "/x").unwrap_err().status(),
            403
        );
    }

    #[test]
    fn listing_prefixes_narrow_to_the_allowlist() {
        let a = Allowlist::parse("/aws/lambda/orders-*,/aws/ecs/web").unwrap();
        assert_eq!(
            a.listing_prefixes(""),
            [
                ("/aws/lambda/orders-".to_owned(), false),
                ("/aws/ecs/web".to_owned(), true)
            ]
        );
        assert_eq!(
            a.listing_prefixes("/aws/lambda/orders-eu"),
            [("/aws/lambda/orders-eu".to_owned(), false)]
        );
        assert_eq!(
            a.listing_prefixes("/aws/lambda/"),
            [("/aws/lambda/orders-".to_owned(), false)]
        );
        assert!(a.listing_prefixes("/aws/rds").is_empty());
    }
}
