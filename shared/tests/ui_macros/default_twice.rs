// A default is declared once.
use actionkit::model;

#[model]
struct Filter {
    #[field(default = 20)]
    #[serde(default)]
    limit: u32,
}

fn main() {}
