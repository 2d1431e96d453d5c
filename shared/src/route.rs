//! HTTP methods and path templates of OpenAPI-mode routes.

use std::fmt;

/// The HTTP methods a Bedrock OpenAPI action group can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The upper-case name, as Bedrock sends it in `httpMethod`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The lower-case name, as an OpenAPI path item key.
    pub(crate) fn openapi_key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }

    pub(crate) fn matches(self, http_method: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(http_method.trim())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed path template such as `/vendors/{vendor_id}`.
#[derive(Debug, Clone)]
pub(crate) struct PathTemplate {
    raw: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl PathTemplate {
    /// Parses a template; panics on a template that cannot be right, since
    /// routes are registered by the programmer at cold start.
    pub(crate) fn parse(raw: &str) -> Self {
        assert!(
            raw.starts_with('/'),
            "actionkit: route path `{raw}` must start with '/'"
        );
        let segments = raw
            .split('/')
            .skip(1)
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        assert!(
                            !name.is_empty() && !name.contains(['{', '}']),
                            "actionkit: bad path parameter in `{raw}`"
                        );
                        Segment::Param(name.to_owned())
                    }
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        Self {
            raw: raw.to_owned(),
            segments,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.raw
    }

    /// Names of the `{params}` in the template, in order.
    pub(crate) fn param_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// Whether an incoming `apiPath` names this route: Bedrock sends the
    /// template itself; a concrete path with values in place also matches,
    /// and its values are returned.
    pub(crate) fn match_path(&self, api_path: &str) -> Option<Vec<(String, String)>> {
        if api_path == self.raw {
            return Some(Vec::new());
        }
        let parts: Vec<&str> = api_path
            .split('/')
            .skip(1)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut values = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(lit) if lit == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => {
                    if part != format!("{{{name}}}") {
                        values.push((name.clone(), part.to_owned()));
                    }
                }
            }
        }
        Some(values)
    }

    /// A default `operationId`: `get_vendors_by_vendor_id` for
    /// `GET /vendors/{vendor_id}`.
    pub(crate) fn operation_id(&self, method: Method) -> String {
        let mut id = method.openapi_key().to_owned();
        for segment in &self.segments {
            let (prefix, text) = match segment {
                Segment::Literal(lit) => ("_", lit.as_str()),
                Segment::Param(name) => ("_by_", name.as_str()),
            };
            id.push_str(prefix);
            id.extend(
                text.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
            );
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_and_derive_ids() {
        let t = PathTemplate::parse("/vendors/{vendor_id}");
        assert_eq!(t.match_path("/vendors/{vendor_id}"), Some(vec![]));
        assert_eq!(
            t.match_path("/vendors/V-1"),
            Some(vec![("vendor_id".into(), "V-1".into())])
        );
        assert_eq!(t.match_path("/vendors"), None);
        assert_eq!(t.match_path("/other/V-1"), None);
        assert_eq!(t.operation_id(Method::Get), "get_vendors_by_vendor_id");
        assert_eq!(
            PathTemplate::parse("/cloudwatch-logs").operation_id(Method::Post),
            "post_cloudwatch_logs"
        );
        assert!(Method::Get.matches("get"));
    }
}
