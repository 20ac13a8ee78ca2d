//! rustfmt, for the generated chapter crates: they are committed and copied
//! out by readers, so they must be formatted as `cargo fmt` would format
//! them (`cargo fmt --check` passes on the whole workspace, and `cargo fmt`
//! changes nothing the verifier would then call a hand edit).
//!
//! All sources go to one `rustfmt` call: it starts once, formats every file
//! of the book in a fraction of a second, and uses the configuration
//! `cargo fmt` would find for the chapter crates (the workspace's
//! `rustfmt.toml`). A source rustfmt cannot parse is left as it is: the
//! compiler then reports its error at the chapter's line.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

/// The edition the chapter crates are compiled, and so formatted, with.
pub const EDITION: &str = "2024";

/// How to run rustfmt for a workspace.
pub struct Rustfmt {
    program: PathBuf,
    /// The workspace's `rustfmt.toml` or `.rustfmt.toml`, when it has one.
    config: Option<PathBuf>,
}

impl Rustfmt {
    /// rustfmt as `cargo fmt` runs it for the workspace at `root`:
    /// `$RUSTFMT` or `rustfmt`, with the workspace's configuration file.
    pub fn for_workspace(root: &Path) -> Self {
        let program = std::env::var_os("RUSTFMT").map_or_else(|| PathBuf::from("rustfmt"), PathBuf::from);
        let config = ["rustfmt.toml", ".rustfmt.toml"]
            .iter()
            .map(|name| root.join(name))
            .find(|path| path.is_file());
        Rustfmt { program, config }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(["--edition", EDITION]);
        if let Some(config) = &self.config {
            command.arg("--config-path").arg(config);
        }
        command
    }

    /// Each source as rustfmt writes it, or `None` for one it cannot parse.
    /// `Err` when rustfmt itself cannot be run; the message says how to
    /// install it.
    pub fn format_all(&self, sources: &[String], scratch_root: &Path) -> Result<Vec<Option<String>>> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        std::fs::create_dir_all(scratch_root).with_context(|| format!("cannot create {}", scratch_root.display()))?;
        let dir = tempfile::Builder::new()
            .prefix("rustfmt-")
            .tempdir_in(scratch_root)
            .with_context(|| format!("cannot create a directory in {}", scratch_root.display()))?;
        let files: Vec<PathBuf> = (0..sources.len())
            .map(|i| dir.path().join(format!("source{i}.rs")))
            .collect();
        for (file, source) in files.iter().zip(sources) {
            std::fs::write(file, source).with_context(|| format!("cannot write {}", file.display()))?;
        }
        let all = self
            .command()
            .args(&files)
            .output()
            .map_err(|e| self.not_runnable(&e.to_string()))?;
        let mut parsed = vec![true; sources.len()];
        if !all.status.success() {
            // Some source does not parse, or rustfmt is not installed (the
            // rustup proxy is there, the component is not): `--version`
            // tells which, and one call per source tells which sources.
            let version = self.command().arg("--version").output();
            if !version.as_ref().is_ok_and(|out| out.status.success()) {
                let why = version.map_or_else(
                    |e| e.to_string(),
                    |out| String::from_utf8_lossy(&out.stderr).trim().to_string(),
                );
                return Err(self.not_runnable(&why));
            }
            for ((file, source), parsed) in files.iter().zip(sources).zip(&mut parsed) {
                std::fs::write(file, source).with_context(|| format!("cannot write {}", file.display()))?;
                let one = self
                    .command()
                    .arg(file)
                    .output()
                    .map_err(|e| self.not_runnable(&e.to_string()))?;
                *parsed = one.status.success();
            }
        }
        files
            .iter()
            .zip(parsed)
            .map(|(file, parsed)| {
                if !parsed {
                    return Ok(None);
                }
                let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
                Ok(Some(text))
            })
            .collect()
    }

    fn not_runnable(&self, why: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "cannot run `{}` ({why}); the chapter crates are generated formatted, as `cargo fmt` would \
             leave them: install rustfmt (`rustup component add rustfmt`)",
            self.program.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_every_source_and_leaves_what_does_not_parse() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let rustfmt = Rustfmt::for_workspace(dir.path());
        let sources = [
            "fn main() {\nlet x=1;\n}\n".to_string(),
            "fn main() {\n    let x = 1;\n}\n".to_string(),
            "fn main() { let = ; }\n".to_string(),
        ];
        let formatted = rustfmt.format_all(&sources, dir.path())?;
        assert_eq!(
            formatted,
            [
                Some("fn main() {\n    let x = 1;\n}\n".to_string()),
                Some(sources[1].clone()),
                None
            ]
        );
        Ok(())
    }

    #[test]
    fn a_missing_rustfmt_is_an_error_that_says_how_to_install_it() {
        let dir = tempfile::tempdir().unwrap();
        let rustfmt = Rustfmt {
            program: dir.path().join("no-such-rustfmt"),
            config: None,
        };
        let error = rustfmt
            .format_all(&["fn main() {}\n".to_string()], dir.path())
            .unwrap_err();
        assert!(error.to_string().contains("rustup component add rustfmt"), "{error}");
    }
}
