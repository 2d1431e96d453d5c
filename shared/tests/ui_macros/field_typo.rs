// A misspelt #[field] key is refused with the list of keys.
use actionkit::model;

#[model]
struct Filter {
    #[field(maximun = 100)]
    limit: u32,
}

fn main() {}
