//! `#[model]`: one declaration of a parameter, body or response type. It
//! adds serde's derives (through actionkit's re-export, so the user's crate
//! needs no serde), turns each field's `#[field(..)]` into serde defaults
//! and schema keywords, and implements utoipa's `ToSchema`, its schema
//! composition and `IntoParams`, so the same type serves as `Query`, `Path`
//! and `Body`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Error, Expr, ExprLit, Field, Fields, GenericParam, Generics, Lit,
    LitStr, Meta, Token, Type, WherePredicate, parse_quote,
};

use crate::docs::description;
use crate::rename::RenameRule;

const PRIVATE: &str = "::actionkit::__private";

fn private() -> TokenStream {
    PRIVATE.parse().unwrap_or_default()
}

/// Expands `#[model]` on `item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !args.is_empty() {
        return Err(Error::new(
            args.span(),
            "#[model] takes no arguments; put facts on fields with #[field(..)]",
        ));
    }
    let mut input: DeriveInput = syn::parse2(item)?;
    if let Some(param) = input
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, GenericParam::Type(_)))
    {
        return Err(Error::new(
            param.span(),
            "#[model] types take type parameters only (no lifetimes or consts): they are decoded into owned values",
        ));
    }
    let serde = SerdeContainer::read(&input.attrs)?;
    let extra = match &mut input.data {
        Data::Struct(data) => {
            let Fields::Named(fields) = &mut data.fields else {
                return Err(Error::new(
                    input.ident.span(),
                    "#[model] structs need named fields (each one is a parameter or property)",
                ));
            };
            let fields = fields.named.iter_mut().collect::<Vec<_>>();
            expand_struct(&input.ident, &input.generics, &input.attrs, &serde, fields)?
        }
        Data::Enum(data) => {
            if !input.generics.params.is_empty() {
                return Err(Error::new(
                    input.generics.span(),
                    "#[model] enums are lists of allowed values: they take no type parameters",
                ));
            }
            let mut names = Vec::new();
            let mut meanings = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(Error::new(
                        variant.span(),
                        "#[model] enums are lists of allowed values: unit variants only",
                    ));
                }
                let attrs = SerdeField::read(&variant.attrs)?;
                if attrs.skip {
                    continue;
                }
                let name = attrs.rename.unwrap_or_else(|| {
                    let name = variant.ident.to_string();
                    serde.rename_all.map_or(name.clone(), |r| r.variant(&name))
                });
                // A variant's doc comment tells the model what the value means.
                if let Some(meaning) = description(&variant.attrs) {
                    meanings.push(format!("{name}: {}", meaning.trim_end_matches('.')));
                }
                names.push(name);
            }
            let mut text = description(&input.attrs).unwrap_or_default();
            if !meanings.is_empty() {
                let sep = match text.trim_end() {
                    "" => "",
                    t if t.ends_with('.') => " ",
                    _ => ". ",
                };
                text = format!("{}{sep}{}.", text.trim_end(), meanings.join("; "));
            }
            expand_enum(&input.ident, (!text.is_empty()).then_some(text), &names)
        }
        Data::Union(_) => {
            return Err(Error::new(
                input.ident.span(),
                "#[model] works on structs and enums",
            ));
        }
    };
    let p = private();
    let serde_path = LitStr::new(&format!("{PRIVATE}::serde"), Span::call_site());
    Ok(quote! {
        #[derive(#p::serde::Serialize, #p::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        #input
        #extra
    })
}

/// What the container's `#[serde(..)]` says about names and defaults.
#[derive(Default)]
struct SerdeContainer {
    rename_all: Option<RenameRule>,
    default: bool,
}

impl SerdeContainer {
    fn read(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for meta in serde_metas(attrs)? {
            match &meta {
                Meta::NameValue(nv) if nv.path.is_ident("rename_all") => {
                    if let Some(lit) = lit_str(&nv.value) {
                        out.rename_all = Some(RenameRule::parse(&lit)?);
                    }
                }
                Meta::Path(p) if p.is_ident("default") => out.default = true,
                Meta::Path(p) if p.is_ident("flatten") || p.is_ident("untagged") => {
                    return Err(Error::new(
                        p.span(),
                        "#[model] does not support this serde attribute",
                    ));
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// What a field's (or variant's) `#[serde(..)]` says.
#[derive(Default)]
struct SerdeField {
    rename: Option<String>,
    skip: bool,
    default: bool,
}

impl SerdeField {
    fn read(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for meta in serde_metas(attrs)? {
            match &meta {
                Meta::NameValue(nv) if nv.path.is_ident("rename") => {
                    out.rename = lit_str(&nv.value).map(|l| l.value());
                }
                Meta::NameValue(nv) if nv.path.is_ident("default") => out.default = true,
                Meta::Path(p) if p.is_ident("default") => out.default = true,
                Meta::Path(p) if p.is_ident("skip") || p.is_ident("skip_deserializing") => {
                    out.skip = true;
                }
                Meta::Path(p) if p.is_ident("flatten") => {
                    return Err(Error::new(
                        p.span(),
                        "#[model] does not support #[serde(flatten)]: nest the type instead",
                    ));
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

fn serde_metas(attrs: &[Attribute]) -> syn::Result<Vec<Meta>> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let list = attr.meta.require_list()?;
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())?;
        out.extend(metas);
    }
    Ok(out)
}

fn lit_str(expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        _ => None,
    }
}

/// The facts of one `#[field(..)]`.
#[derive(Default)]
struct FieldFacts {
    /// `Some(None)` for `default` alone (the type's `Default`).
    default: Option<Option<Expr>>,
    description: Option<String>,
    keywords: Vec<TokenStream>,
}

fn read_field_facts(field: &mut Field) -> syn::Result<FieldFacts> {
    let p = private();
    let mut facts = FieldFacts::default();
    let mut kept = Vec::new();
    for attr in std::mem::take(&mut field.attrs) {
        if !attr.path().is_ident("field") {
            kept.push(attr);
            continue;
        }
        let list = attr.meta.require_list()?;
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())?;
        for meta in metas {
            let key = meta
                .path()
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if let (Meta::Path(_), "default") = (&meta, key.as_str()) {
                facts.default = Some(None);
                continue;
            }
            let Meta::NameValue(nv) = &meta else {
                return Err(Error::new(meta.span(), FIELD_HELP));
            };
            let value = &nv.value;
            let keyword = match key.as_str() {
                "default" => {
                    facts.default = Some(Some(value.clone()));
                    continue;
                }
                "description" => {
                    let lit = lit_str(value)
                        .ok_or_else(|| Error::new(value.span(), "description is a string"))?;
                    facts.description = Some(lit.value());
                    continue;
                }
                "minimum" | "maximum" | "exclusive_minimum" | "exclusive_maximum" => {
                    let method = format_ident!("{key}");
                    quote!(.#method(#p::number(#value)))
                }
                "min_length" | "max_length" | "min_items" | "max_items" => {
                    let method = format_ident!("{key}");
                    quote!(.#method(#value))
                }
                "pattern" => quote!(.pattern(#value)),
                "example" => quote!(.example(#p::to_value(&(#value)))),
                "allowed" => {
                    let Expr::Array(array) = value else {
                        return Err(Error::new(
                            value.span(),
                            "allowed takes a list of values: allowed = [\"open\", \"closed\"]",
                        ));
                    };
                    let items = array.elems.iter();
                    quote!(.allowed(#p::values(::std::vec![#(#p::to_value(&(#items))),*])))
                }
                _ => return Err(Error::new(nv.path.span(), FIELD_HELP)),
            };
            facts.keywords.push(keyword);
        }
    }
    field.attrs = kept;
    Ok(facts)
}

const FIELD_HELP: &str = "unknown #[field] key; use default [= value], description, example, \
     minimum, maximum, exclusive_minimum, exclusive_maximum, min_length, max_length, pattern, \
     min_items, max_items or allowed = [..]";

fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}

fn expand_struct(
    ident: &syn::Ident,
    generics: &Generics,
    attrs: &[Attribute],
    container: &SerdeContainer,
    fields: Vec<&mut Field>,
) -> syn::Result<TokenStream> {
    let p = private();
    let mut defaults = Vec::new();
    let mut field_values = Vec::new();
    let mut types = Vec::new();
    // The impls need every type parameter to have a schema, and each
    // defaulted field to serialize (its default is in the schema).
    let mut bounds: Vec<WherePredicate> = generics
        .type_params()
        .map(|t| {
            let t = &t.ident;
            parse_quote!(#t: #p::utoipa::ToSchema + #p::utoipa::__dev::ComposeSchema)
        })
        .collect();
    let (fn_generics, turbofish, fn_where) = {
        let (g, t, w) = generics.split_for_impl();
        (quote!(#g), t.as_turbofish().into_token_stream(), w.cloned())
    };
    for field in fields {
        let Some(name_ident) = field.ident.clone() else {
            continue;
        };
        let serde = SerdeField::read(&field.attrs)?;
        let facts = read_field_facts(field)?;
        if serde.skip {
            continue;
        }
        let ty = field.ty.clone();
        let raw = name_ident.to_string();
        let raw = raw.strip_prefix("r#").unwrap_or(&raw).to_owned();
        let name = serde.rename.clone().unwrap_or_else(|| {
            container
                .rename_all
                .map_or(raw.clone(), |rule| rule.field(&raw))
        });
        let description = facts
            .description
            .clone()
            .or_else(|| description(&field.attrs));
        let mut keywords = facts.keywords;
        if let Some(text) = &description {
            keywords.insert(0, quote!(.description(#text)));
        }
        let mut has_default = serde.default || container.default;
        if let Some(default) = facts.default {
            if serde.default {
                return Err(Error::new(
                    field.span(),
                    "give the default once: #[field(default = ..)] or #[serde(default)], not both",
                ));
            }
            has_default = true;
            let fn_name = format_ident!("__actionkit_default_{}_{}", ident, raw);
            let mut fn_where = fn_where.clone().unwrap_or_else(|| parse_quote!(where));
            if default.is_none() {
                fn_where
                    .predicates
                    .push(parse_quote!(#ty: ::core::default::Default));
            }
            if !generics.params.is_empty() {
                bounds.push(parse_quote!(#ty: #p::serde::Serialize));
                if default.is_none() {
                    bounds.push(parse_quote!(#ty: ::core::default::Default));
                }
            }
            let body = match default {
                None => quote!(::core::default::Default::default()),
                Some(Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                })) => quote!(::core::convert::Into::into(#s)),
                Some(expr) => quote!(#expr),
            };
            defaults.push(quote! {
                #[doc(hidden)]
                #[allow(non_snake_case)]
                fn #fn_name #fn_generics () -> #ty #fn_where {
                    #body
                }
            });
            let path = LitStr::new(&fn_name.to_string(), Span::call_site());
            field
                .attrs
                .push(syn::parse_quote!(#[serde(default = #path)]));
            keywords.push(quote!(.default_value(#p::to_value(&#fn_name #turbofish ()))));
        }
        let required = !(has_default || is_option(&ty));
        field_values.push(quote! {
            #p::ModelField {
                name: #name,
                schema: <#ty as #p::utoipa::PartialSchema>::schema(),
                required: #required,
                keywords: #p::Keywords::new() #(#keywords)*,
            }
        });
        types.push(ty);
    }
    let description = match description(attrs) {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    let name = ident.to_string();
    let mut bounded = generics.clone();
    bounded.make_where_clause().predicates.extend(bounds);
    let (impl_generics, ty_generics, where_clause) = bounded.split_for_impl();
    Ok(quote! {
        #(#defaults)*

        impl #impl_generics #p::utoipa::__dev::ComposeSchema for #ident #ty_generics #where_clause {
            fn compose(
                _: ::std::vec::Vec<#p::utoipa::openapi::RefOr<#p::utoipa::openapi::schema::Schema>>,
            ) -> #p::utoipa::openapi::RefOr<#p::utoipa::openapi::schema::Schema> {
                #p::object(#description, ::std::vec![#(#field_values),*])
            }
        }

        impl #impl_generics #p::utoipa::ToSchema for #ident #ty_generics #where_clause {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }

            fn schemas(
                schemas: &mut ::std::vec::Vec<(
                    ::std::string::String,
                    #p::utoipa::openapi::RefOr<#p::utoipa::openapi::schema::Schema>,
                )>,
            ) {
                #(<#types as #p::utoipa::ToSchema>::schemas(schemas);)*
            }
        }

        impl #impl_generics #p::utoipa::IntoParams for #ident #ty_generics #where_clause {
            fn into_params(
                parameter_in_provider: impl Fn() -> ::core::option::Option<#p::utoipa::openapi::path::ParameterIn>,
            ) -> ::std::vec::Vec<#p::utoipa::openapi::path::Parameter> {
                #p::params(parameter_in_provider(), ::std::vec![#(#field_values),*])
            }
        }
    })
}

fn expand_enum(ident: &syn::Ident, description: Option<String>, names: &[String]) -> TokenStream {
    let p = private();
    let description = match description {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    let name = ident.to_string();
    quote! {
        impl #p::utoipa::__dev::ComposeSchema for #ident {
            fn compose(
                _: ::std::vec::Vec<#p::utoipa::openapi::RefOr<#p::utoipa::openapi::schema::Schema>>,
            ) -> #p::utoipa::openapi::RefOr<#p::utoipa::openapi::schema::Schema> {
                #p::string_enum(#description, &[#(#names),*])
            }
        }

        impl #p::utoipa::ToSchema for #ident {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }
        }
    }
}
