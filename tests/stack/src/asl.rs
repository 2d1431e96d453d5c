//! The state machine definitions under `statemachines/`.

use std::path::PathBuf;

use serde_json::Value;

/// Every `statemachines/*.asl.json`, sorted.
pub fn asl_files() -> Vec<PathBuf> {
    let dir = actionkit_testkit::repo_root().join("statemachines");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".asl.json"))
        .collect();
    files.sort();
    files
}

/// One state, where it stands.
#[derive(Debug, Clone)]
pub struct StateRef<'d> {
    /// The state's name.
    pub name: &'d str,
    /// The state itself.
    pub state: &'d Value,
    /// The states object it belongs to (its siblings).
    pub siblings: &'d Value,
    /// The Map or Parallel state it runs inside, if any.
    pub enclosing: Option<(&'d str, &'d Value)>,
}

/// Every state of a definition, nested ones (Map item processors, Parallel
/// branches) included.
pub fn states(definition: &Value) -> Vec<StateRef<'_>> {
    let mut out = Vec::new();
    collect(&definition["States"], None, &mut out);
    out
}

fn collect<'d>(
    states: &'d Value,
    enclosing: Option<(&'d str, &'d Value)>,
    out: &mut Vec<StateRef<'d>>,
) {
    let Some(map) = states.as_object() else {
        return;
    };
    for (name, state) in map {
        out.push(StateRef {
            name,
            state,
            siblings: states,
            enclosing,
        });
        for processor in [&state["ItemProcessor"], &state["Iterator"]] {
            collect(&processor["States"], Some((name, state)), out);
        }
        if let Some(branches) = state["Branches"].as_array() {
            for branch in branches {
                collect(&branch["States"], Some((name, state)), out);
            }
        }
    }
}

/// The `${Name}` substitution placeholders of a definition's text.
pub fn placeholders(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.insert(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}
