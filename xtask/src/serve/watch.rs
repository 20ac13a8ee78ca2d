//! What `cargo xtask serve` watches, and how it sees a change: the size and
//! modification time of every file under a few directories, taken again
//! every poll. The trees are small (the book, the engine's source, the
//! snapshots), so a poll costs a few hundred `stat` calls and needs no
//! platform's file-event API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The state of the files under some roots at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp(BTreeMap<PathBuf, (u64, Option<SystemTime>)>);

impl Stamp {
    /// Every file under `roots` (a root may be a single file), except those
    /// `skip` names: a missing root adds nothing.
    pub fn take(roots: &[PathBuf], skip: impl Fn(&Path) -> bool) -> Self {
        let mut files = BTreeMap::new();
        let mut pending: Vec<PathBuf> = roots.to_vec();
        while let Some(path) = pending.pop() {
            let Ok(metadata) = std::fs::metadata(&path) else {
                continue;
            };
            if metadata.is_dir() {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    pending.extend(entries.flatten().map(|entry| entry.path()));
                }
            } else if !skip(&path) {
                files.insert(path, (metadata.len(), metadata.modified().ok()));
            }
        }
        Stamp(files)
    }

    /// The files added, removed or changed from `earlier` to `self`.
    pub fn changes_since(&self, earlier: &Stamp) -> Vec<PathBuf> {
        let changed = self
            .0
            .iter()
            .filter(|(path, state)| earlier.0.get(*path) != Some(state))
            .map(|(path, _)| path.clone());
        let removed = earlier.0.keys().filter(|path| !self.0.contains_key(*path)).cloned();
        let mut all: Vec<PathBuf> = changed.chain(removed).collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_sees_files_added_changed_and_removed_but_not_skipped_ones() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = vec![dir.path().to_path_buf()];
        let skip = |path: &Path| path.extension().is_some_and(|e| e == "new");
        std::fs::create_dir(dir.path().join("sub"))?;
        std::fs::write(dir.path().join("sub/a.md"), "a")?;
        let first = Stamp::take(&root, skip);
        assert_eq!(Stamp::take(&root, skip).changes_since(&first), Vec::<PathBuf>::new());

        std::fs::write(dir.path().join("sub/a.md"), "a longer text")?;
        std::fs::write(dir.path().join("b.md"), "b")?;
        std::fs::write(dir.path().join("c.snap.new"), "skipped")?;
        let second = Stamp::take(&root, skip);
        assert_eq!(
            second.changes_since(&first),
            [dir.path().join("b.md"), dir.path().join("sub/a.md")]
        );

        std::fs::remove_file(dir.path().join("b.md"))?;
        assert_eq!(
            Stamp::take(&root, skip).changes_since(&second),
            [dir.path().join("b.md")]
        );
        Ok(())
    }
}
