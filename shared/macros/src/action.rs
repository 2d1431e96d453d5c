//! `#[action]`: a handler declared once. The doc comment is its
//! description; the attribute says where it is exposed (an OpenAPI route,
//! a function-details function, a Step Functions task) and which statuses
//! it answers. The function becomes a unit value of the same name that
//! `Resolver::register` takes (as dropshot's `#[endpoint]` does).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream, Parser as _};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, FnArg, Ident, ItemFn, LitInt, LitStr, ReturnType, Token};

use crate::docs::description;

/// One exposure or setting in `#[action(..)]`.
enum Setting {
    Route { method: Ident, path: LitStr },
    Function(Option<LitStr>),
    Task(Option<LitStr>),
    Status(LitInt),
    Errors(Vec<LitInt>),
    OperationId(LitStr),
    ToolName(LitStr),
    Confirm,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const HELP: &str = "expected `GET \"/path\"` (or POST, PUT, PATCH, DELETE), `function [= \"name\"]`, \
     `task [= \"Name\"]`, `status = 201`, `errors = [404, 409]`, `operation_id = \"..\"`, \
     `tool_name = \"..\"` or `confirm`";

impl Parse for Setting {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        let name = key.to_string();
        if METHODS.contains(&name.as_str()) {
            return Ok(Setting::Route {
                method: key,
                path: input.parse()?,
            });
        }
        let optional_name = |input: ParseStream<'_>| -> syn::Result<Option<LitStr>> {
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                Ok(Some(input.parse()?))
            } else {
                Ok(None)
            }
        };
        match name.as_str() {
            "function" => Ok(Setting::Function(optional_name(input)?)),
            "task" => Ok(Setting::Task(optional_name(input)?)),
            "confirm" => Ok(Setting::Confirm),
            "status" | "operation_id" | "tool_name" | "errors" => {
                input.parse::<Token![=]>()?;
                match name.as_str() {
                    "status" => {
                        let status: LitInt = input.parse()?;
                        if !(200..300).contains(&status.base10_parse::<u16>()?) {
                            return Err(Error::new(
                                status.span(),
                                "status is the success status (2xx); list error statuses in errors = [..]",
                            ));
                        }
                        Ok(Setting::Status(status))
                    }
                    "operation_id" => Ok(Setting::OperationId(input.parse()?)),
                    "tool_name" => Ok(Setting::ToolName(input.parse()?)),
                    _ => {
                        let content;
                        syn::bracketed!(content in input);
                        let list = Punctuated::<LitInt, Token![,]>::parse_terminated(&content)?;
                        for status in &list {
                            if !(400..600).contains(&status.base10_parse::<u16>()?) {
                                return Err(Error::new(
                                    status.span(),
                                    "errors lists error statuses (4xx or 5xx)",
                                ));
                            }
                        }
                        Ok(Setting::Errors(list.into_iter().collect()))
                    }
                }
            }
            _ => Err(Error::new(key.span(), HELP)),
        }
    }
}

/// Expands `#[action(..)]` on the handler `item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let settings = Punctuated::<Setting, Token![,]>::parse_terminated.parse2(args)?;
    let mut handler: ItemFn = syn::parse2(item)?;
    if handler.sig.asyncness.is_none() {
        return Err(Error::new(
            handler.sig.fn_token.span(),
            "#[action] handlers are `async fn`s",
        ));
    }
    if !handler.sig.generics.params.is_empty() {
        return Err(Error::new(
            handler.sig.generics.span(),
            "#[action] handlers cannot be generic",
        ));
    }
    let mut arg_types = Vec::new();
    for arg in &handler.sig.inputs {
        match arg {
            FnArg::Typed(t) => arg_types.push(t.ty.clone()),
            FnArg::Receiver(r) => {
                return Err(Error::new(
                    r.span(),
                    "#[action] handlers are free functions, without `self`",
                ));
            }
        }
    }
    // The reply bound, unless the type is opaque (`impl IntoReply`), which a
    // where clause cannot name: `Action::new` checks it then.
    let output_bound = match &handler.sig.output {
        ReturnType::Default => quote!((): ::actionkit::IntoReply,),
        ReturnType::Type(_, ty) if matches!(**ty, syn::Type::ImplTrait(_)) => quote!(),
        ReturnType::Type(_, ty) => quote!(#ty: ::actionkit::IntoReply + 'static,),
    };
    let ident = handler.sig.ident.clone();
    let vis = handler.vis.clone();
    let name = ident.to_string();
    let doc_attrs: Vec<_> = handler
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    let description = description(&handler.attrs).unwrap_or_default();
    handler.attrs.retain(|a| !a.path().is_ident("doc"));
    handler.vis = syn::Visibility::Inherited;

    let mut calls = Vec::new();
    for setting in settings {
        calls.push(match setting {
            Setting::Route { method, path } => {
                let method = Ident::new(
                    &(method.to_string()[..1].to_owned()
                        + &method.to_string()[1..].to_ascii_lowercase()),
                    method.span(),
                );
                quote!(.route(::actionkit::Method::#method, #path))
            }
            Setting::Function(None) => quote!(.function(#name)),
            Setting::Function(Some(n)) => quote!(.function(#n)),
            Setting::Task(None) => quote!(.task(#name)),
            Setting::Task(Some(n)) => quote!(.task(#n)),
            Setting::Status(s) => quote!(.status(#s)),
            Setting::Errors(list) => quote!(#(.error_status(#list))*),
            Setting::OperationId(id) => quote!(.operation_id(#id)),
            Setting::ToolName(n) => quote!(.tool_name(#n)),
            Setting::Confirm => quote!(.require_confirmation()),
        });
    }

    Ok(quote! {
        #(#doc_attrs)*
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy)]
        #vis struct #ident;

        impl<__S> ::actionkit::IntoAction<__S> for #ident
        where
            __S: ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
            #(#arg_types: ::actionkit::FromInvocation<__S> + ::core::marker::Send + 'static,)*
            #output_bound
        {
            fn into_action(self) -> ::actionkit::Action<__S> {
                #handler
                ::actionkit::Action::new(#name, #ident)
                    .description(#description)
                    #(#calls)*
            }
        }

        impl<__S> ::actionkit::Actions<__S> for #ident
        where
            #ident: ::actionkit::IntoAction<__S>,
        {
            fn collect_into(self, out: &mut ::std::vec::Vec<::actionkit::Action<__S>>) {
                out.push(::actionkit::IntoAction::into_action(self));
            }
        }
    })
}
