//! Compile errors of `#[model]` and `#[action]` that say what to do: each
//! case under `tests/ui_macros/` is a mistake in a declaration, and its
//! `.stderr` pins the message. Regenerate them with
//! `TRYBUILD=overwrite cargo test -p actionkit --test macro_errors`.

#[test]
fn declaration_mistakes_get_errors_that_name_the_fix() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui_macros/*.rs");
}
