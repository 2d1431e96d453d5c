//! Compile errors that say what to do: each case under `tests/ui/` is a
//! mistake a new user makes (a missing derive, a bare return value, an
//! argument that is no extractor, a state of another type), and its
//! `.stderr` pins the hint rustc prints from actionkit's
//! `#[diagnostic::on_unimplemented]` messages. Regenerate the `.stderr`
//! files with `TRYBUILD=overwrite cargo test -p actionkit --test compile_fail`
//! after changing a message.

#[test]
fn mistakes_get_compile_errors_that_name_the_fix() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
