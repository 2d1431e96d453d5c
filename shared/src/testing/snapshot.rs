//! The committed-schema drift check: a generated JSON document compared
//! with the file committed beside the code, rewritten on request.

use std::path::{Path, PathBuf};

/// Lines of unified diff shown at most in a mismatch message.
const MAX_DIFF_LINES: usize = 200;

/// Why a generated document does not match its committed snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotMismatch {
    /// The snapshot file does not exist (or cannot be read).
    #[error(
        "{} is missing ({reason}): run the test with UPDATE_SNAPSHOTS=1 to write it, review it and commit it",
        path.display()
    )]
    Missing {
        /// The snapshot's path.
        path: PathBuf,
        /// Why it could not be read.
        reason: String,
    },
    /// The snapshot differs from the generated document.
    #[error(
        "{} differs from the generated document (- committed, + generated):\n{diff}\nIf the change is intended, run the test with UPDATE_SNAPSHOTS=1 and commit the file",
        path.display()
    )]
    Drifted {
        /// The snapshot's path.
        path: PathBuf,
        /// A unified diff, committed to generated.
        diff: String,
    },
    /// `UPDATE_SNAPSHOTS` is set but the file cannot be written.
    #[error("cannot write {}: {reason}", path.display())]
    Unwritable {
        /// The snapshot's path.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
}

fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_owned();
    }
    // Cargo runs test binaries with the package's manifest directory set:
    // relative snapshot paths are the user's crate's, wherever cargo runs.
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir).join(path),
        None => path.to_owned(),
    }
}

/// Compares `actual`, pretty-printed, with the snapshot at `path` (relative
/// paths are relative to the crate's directory); with the environment
/// variable `UPDATE_SNAPSHOTS` set, writes it instead.
///
/// ```
/// use actionkit::testing::{SnapshotMismatch, check_json_snapshot};
///
/// let dir = std::env::temp_dir().join(format!("actionkit-doc-{}", std::process::id()));
/// let file = dir.join("openapi.json");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(&file, "{\n  \"openapi\": \"3.0.0\"\n}\n").unwrap();
/// assert!(check_json_snapshot(&file, &serde_json::json!({"openapi": "3.0.0"})).is_ok());
/// let err = check_json_snapshot(&file, &serde_json::json!({"openapi": "3.1.0"})).unwrap_err();
/// assert!(matches!(err, SnapshotMismatch::Drifted { .. }));
/// assert!(err.to_string().contains("+  \"openapi\": \"3.1.0\""));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn check_json_snapshot(
    path: impl AsRef<Path>,
    actual: &serde_json::Value,
) -> Result<(), SnapshotMismatch> {
    let path = resolve(path.as_ref());
    let generated = serde_json::to_string_pretty(actual).unwrap_or_default() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        let unwritable = |e: std::io::Error| SnapshotMismatch::Unwritable {
            path: path.clone(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unwritable)?;
        }
        return std::fs::write(&path, &generated).map_err(unwritable);
    }
    let committed = std::fs::read_to_string(&path).map_err(|e| SnapshotMismatch::Missing {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if committed == generated {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&committed, &generated)
        .unified_diff()
        .context_radius(3)
        .header("committed", "generated")
        .to_string();
    let total = diff.lines().count();
    let mut shown: String = diff
        .lines()
        .take(MAX_DIFF_LINES)
        .flat_map(|l| [l, "\n"])
        .collect();
    if total > MAX_DIFF_LINES {
        shown.push_str(&format!("... {} more diff lines\n", total - MAX_DIFF_LINES));
    }
    Err(SnapshotMismatch::Drifted { path, diff: shown })
}

/// [`check_json_snapshot`] that panics with its message: the one line a
/// crate's schema drift test needs.
///
/// ```no_run
/// # fn resolver() -> actionkit::Resolver { actionkit::Resolver::new("Tickets") }
/// #[test]
/// fn committed_schema_matches_the_code() {
///     let schema = resolver().openapi("Tickets", "1.0.0", "Ticket triage").unwrap();
///     actionkit::testing::assert_json_snapshot("openapi.json", &schema);
/// }
/// ```
///
/// # Panics
///
/// When the snapshot is missing, differs, or cannot be written.
#[track_caller]
pub fn assert_json_snapshot(path: impl AsRef<Path>, actual: &serde_json::Value) {
    if let Err(mismatch) = check_json_snapshot(path, actual) {
        panic!("{mismatch}");
    }
}
