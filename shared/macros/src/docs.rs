//! Doc comments as descriptions: the text a model reads is the text a
//! programmer reads.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The doc comment of an item as one description: lines of a paragraph
/// joined by spaces, paragraphs by a blank line. `None` when there is none.
pub(crate) fn description(attrs: &[Attribute]) -> Option<String> {
    let mut paragraphs: Vec<String> = vec![String::new()];
    for attr in attrs {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = &nv.value
        else {
            continue;
        };
        // `split`, not `lines`: a blank `///` line is an empty string, a paragraph break.
        for line in s.value().split('\n') {
            let line = line.trim();
            let Some(current) = paragraphs.last_mut() else {
                continue;
            };
            if line.is_empty() {
                // A blank line ends a paragraph (once, however many follow).
                if !current.is_empty() {
                    paragraphs.push(String::new());
                }
                continue;
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    let text = paragraphs
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}
