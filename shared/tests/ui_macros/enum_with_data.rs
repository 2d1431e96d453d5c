// A model enum is a list of allowed values.
use actionkit::model;

#[model]
enum Status {
    Open,
    Closed { reason: String },
}

fn main() {}
