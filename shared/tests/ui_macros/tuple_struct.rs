// A model's fields are named: each one is a parameter or a property.
use actionkit::model;

#[model]
struct Limit(u32);

fn main() {}
