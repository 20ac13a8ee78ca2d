//! Writing files so that no interruption loses work: every file the verifier
//! writes goes to a temporary file in the same directory, is flushed, and is
//! then renamed over the target. A rename within a directory is atomic, so a
//! run killed at any moment leaves either the old file or the new one, never
//! half of one; the temporary file of an interrupted run is removed by its
//! `Drop`, or at worst left with a `.tmp` suffix next to its target.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `contents` to `path` atomically (temporary file, then rename),
/// creating the parent directory if needed.
pub fn write(path: &Path, contents: &[u8]) -> Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    temporary
        .write_all(contents)
        .and_then(|()| temporary.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file for {}", path.display()))?;
    // Keep an existing file's permissions (a generated file is never
    // executable, but a snapshot directory may be shared).
    if let Ok(metadata) = fs::metadata(path) {
        let _ = fs::set_permissions(temporary.path(), metadata.permissions());
    }
    temporary
        .persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the new {} into place", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files_and_leave_no_temporary_behind() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sub/file.rs");
        write(&path, b"old\n")?;
        write(&path, b"new\n")?;
        assert_eq!(fs::read_to_string(&path)?, "new\n");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names, ["file.rs"], "no temporary file is left behind");
        Ok(())
    }
}
