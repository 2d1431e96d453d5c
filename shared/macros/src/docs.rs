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
        for line in s.value().lines() {
            let line = line.trim();
            let current = paragraphs.last_mut();
            match current {
                Some(p) if line.is_empty() => {
                    if !p.is_empty() {
                        paragraphs.push(String::new());
                    }
                }
                Some(p) => {
                    if !p.is_empty() {
                        p.push(' ');
                    }
                    p.push_str(line);
                }
                None => {}
            }
        }
    }
    let text = paragraphs
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}
