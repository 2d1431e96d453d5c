//! Procedural macros of [actionkit](https://docs.rs/actionkit): use them
//! through `actionkit::model` and `actionkit::action`, not this crate.

mod action;
mod docs;
mod model;
mod rename;

use proc_macro::TokenStream;

/// Declares a parameter, body or response type once: serde's derives, the
/// defaults, bounds, allowed values, descriptions (doc comments) and
/// examples that drive decoding, validation and every schema.
///
/// See `actionkit::model` for the full documentation and examples.
#[proc_macro_attribute]
pub fn model(args: TokenStream, item: TokenStream) -> TokenStream {
    model::expand(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a handler once: its doc comment is its description, the
/// attribute where it is exposed and which statuses it answers.
///
/// See `actionkit::action` for the full documentation and examples.
#[proc_macro_attribute]
pub fn action(args: TokenStream, item: TokenStream) -> TokenStream {
    let original: proc_macro2::TokenStream = item.clone().into();
    match action::expand(args.into(), item.into()) {
        Ok(expanded) => expanded.into(),
        // The function as written beside the error, so that only the
        // declaration is reported, not every use of what it imports.
        Err(error) => {
            let mut out = error.into_compile_error();
            out.extend(original);
            out.into()
        }
    }
}
