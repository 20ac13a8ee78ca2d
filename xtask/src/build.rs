//! Stage 3, build: every chapter crate in one `cargo build`, sharing one
//! target directory, with compiler messages mapped back to the chapters.
//!
//! One invocation lets cargo schedule all blocks across the cores and pay its
//! start-up cost once. `--message-format=json` gives each diagnostic with its
//! target and spans, which is what lets an error in
//! `crates/ch02-scalars/src/bin/square.rs` be reported at the chapter line the
//! code came from. `--keep-going` builds every block that can be built, so one
//! broken block does not hide the verdicts of the others.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::extract::BlockId;
use crate::generate::{GeneratedCrate, LineMap};

/// What the build produced for one block.
#[derive(Debug)]
pub struct BlockBuild {
    /// How its binary's lines map to the chapter's.
    pub line_map: LineMap,
    pub executable: Option<PathBuf>,
    /// Errors and warnings, each at the chapter line it points at.
    pub diagnostics: Vec<Diagnostic>,
}

/// A compiler error or warning of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The chapter line it points at.
    pub line: usize,
    /// The compiler's own rendering (which names the generated file).
    pub rendered: String,
}

#[derive(Debug, Default)]
pub struct BuildResult {
    pub blocks: BTreeMap<BlockId, BlockBuild>,
    /// Errors that belong to no block: a broken dependency, a bad manifest.
    pub other_errors: Vec<String>,
    /// The errors and warnings of the crates that are not blocks (the
    /// engine, a dependency), at the file and line they point at: the main
    /// build keeps only their errors, in `other_errors`; a stage's build
    /// reports them all at the listings they come from ([`crate::stages`]).
    pub engine_messages: Vec<EngineMessage>,
}

/// A compiler message of a crate that is not a block.
#[derive(Debug, Clone)]
pub struct EngineMessage {
    pub is_error: bool,
    /// As the compiler names it, relative to the workspace root.
    pub file: PathBuf,
    pub line: usize,
    pub rendered: String,
}

/// Builds the given crates of the workspace at `root` into `target_dir`.
///
/// With `show_progress`, cargo's own stderr (its "Compiling ..." lines) goes
/// to ours, for a person watching a cold build that takes minutes; without
/// it, it is kept and reported only if the build fails for no reason the
/// JSON messages gave.
pub fn build(root: &Path, target_dir: &Path, crates: &[&GeneratedCrate], show_progress: bool) -> Result<BuildResult> {
    let mut result = build_with(root, target_dir, crates, show_progress, &[], None)?;
    let errors = result.engine_messages.drain(..).filter(|m| m.is_error);
    result.other_errors.extend(errors.map(|m| m.rendered));
    Ok(result)
}

/// [`build`] with more environment for cargo (a stage's `RUSTFLAGS`), and
/// the messages of the crates that are not blocks kept apart; with
/// `only_check`, `cargo check` of those binaries (their target names) only.
pub fn build_with(
    root: &Path,
    target_dir: &Path,
    crates: &[&GeneratedCrate],
    show_progress: bool,
    env: &[(&str, &str)],
    only_check: Option<&[String]>,
) -> Result<BuildResult> {
    let mut result = BuildResult::default();
    if crates.is_empty() {
        return Ok(result);
    }
    // Which block each binary target is, to route its messages and artifact.
    let mut targets = BTreeMap::new();
    for krate in crates {
        for (block, line_map) in &krate.line_maps {
            let id = BlockId {
                crate_name: krate.name.clone(),
                block: block.clone(),
            };
            targets.insert(GeneratedCrate::bin_name(&krate.name, block), (id.clone(), line_map));
            let build = BlockBuild {
                line_map: line_map.clone(),
                executable: None,
                diagnostics: Vec::new(),
            };
            result.blocks.insert(id, build);
        }
    }
    let mut command = match only_check {
        // Checked, not built: the only question is whether they compile.
        Some(bins) => cargo_check(root, target_dir, crates, bins, show_progress),
        None => cargo_build(root, target_dir, crates, show_progress),
    };
    let mut child = command
        .envs(env.iter().copied())
        .spawn()
        .context("cannot run cargo build")?;
    let stdout = child.stdout.take().context("cargo build has no stdout")?;
    // Read concurrently with stdout, or a full stderr pipe would stall cargo.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            // What was read before an error is still worth showing.
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    for line in BufReader::new(stdout).lines() {
        let line = line.context("cannot read cargo build's output")?;
        // Lines that are not cargo's JSON (a build script's own output, say) are not ours to judge.
        if let Ok(message) = serde_json::from_str::<CargoMessage>(&line) {
            record(&mut result, &targets, message);
        }
    }
    let status = child.wait().context("cargo build did not finish")?;
    let stderr = stderr.map(|reader| reader.join().unwrap_or_default());
    let attributed =
        result.blocks.values().any(|b| !b.diagnostics.is_empty()) || result.engine_messages.iter().any(|m| m.is_error);
    if !status.success() && !attributed && result.other_errors.is_empty() {
        result.other_errors.push(match stderr {
            Some(text) => format!("cargo build failed ({status}):\n{}", text.trim_end()),
            None => format!("cargo build failed ({status}); its output is above"),
        });
    }
    Ok(result)
}

/// The one `cargo build` of the given crates, with JSON messages on stdout.
fn cargo_build(root: &Path, target_dir: &Path, crates: &[&GeneratedCrate], show_progress: bool) -> Command {
    cargo_command(&["build", "--bins"], root, target_dir, crates, show_progress)
}

/// `cargo check` of some binaries (their target names) of the given
/// crates, with JSON messages on stdout.
fn cargo_check(
    root: &Path,
    target_dir: &Path,
    crates: &[&GeneratedCrate],
    bins: &[String],
    show_progress: bool,
) -> Command {
    let mut command = cargo_command(&["check"], root, target_dir, crates, show_progress);
    for bin in bins {
        command.args(["--bin", bin]);
    }
    command
}

/// `cargo <subcommand>` of the given crates in the workspace at `root`,
/// every target that can be built, JSON messages on stdout.
fn cargo_command(
    subcommand: &[&str],
    root: &Path,
    target_dir: &Path,
    crates: &[&GeneratedCrate],
    show_progress: bool,
) -> Command {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(subcommand)
        .args(["--keep-going", "--message-format=json"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .stdout(Stdio::piped())
        .stderr(if show_progress {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
    for krate in crates {
        command.args(["-p", &krate.name]);
    }
    command
}

/// Builds the integration tests `tests` of `package` in the workspace at
/// `root` (`cargo test --no-run`): their executables in that order, or what
/// the compiler said against them.
pub fn build_tests(
    root: &Path,
    target_dir: &Path,
    package: &str,
    tests: &[&str],
    env: &[(&str, &str)],
) -> Result<std::result::Result<Vec<PathBuf>, Vec<String>>> {
    if tests.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["test", "--no-run", "--message-format=json", "-p", package])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .envs(env.iter().copied());
    for test in tests {
        command.args(["--test", test]);
    }
    let output = command.output().context("cannot run cargo test")?;
    let mut executables = BTreeMap::new();
    let mut errors = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        match serde_json::from_str::<CargoMessage>(line) {
            Ok(CargoMessage::CompilerArtifact {
                target,
                executable: Some(built),
            }) => {
                executables.insert(target.name, built);
            }
            Ok(CargoMessage::CompilerMessage { message, .. }) if message.is_reportable() => {
                errors.extend(message.rendered.map(|r| r.trim_end().to_string()));
            }
            _ => {}
        }
    }
    let found: Option<Vec<PathBuf>> = tests.iter().map(|test| executables.remove(*test)).collect();
    Ok(match found {
        Some(found) if output.status.success() && errors.is_empty() => Ok(found),
        _ if errors.is_empty() => Err(vec![String::from_utf8_lossy(&output.stderr).trim().to_string()]),
        _ => Err(errors),
    })
}

/// `cargo check` of the library of `package` in the workspace at `root`:
/// what the compiler said against it, empty when it compiles.
pub fn check_library(root: &Path, target_dir: &Path, package: &str, env: &[(&str, &str)]) -> Result<Vec<String>> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["check", "--lib", "--message-format=json", "-p", package])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .envs(env.iter().copied())
        .output()
        .context("cannot run cargo check")?;
    let errors: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| match serde_json::from_str::<CargoMessage>(line) {
            Ok(CargoMessage::CompilerMessage { message, .. }) if message.level == "error" => {
                message.rendered.map(|r| r.trim_end().to_string())
            }
            _ => None,
        })
        .collect();
    Ok(match (output.status.success(), errors.is_empty()) {
        (false, true) => vec![String::from_utf8_lossy(&output.stderr).trim().to_string()],
        _ => errors,
    })
}

/// The cargo that runs us, so that `cargo +nightly xtask` stays on nightly.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

fn record(result: &mut BuildResult, targets: &BTreeMap<String, (BlockId, &LineMap)>, message: CargoMessage) {
    match message {
        CargoMessage::CompilerArtifact { target, executable } => {
            if let (Some((id, _)), Some(executable)) = (targets.get(&target.name), executable)
                && let Some(built) = result.blocks.get_mut(id)
            {
                built.executable = Some(executable);
            }
        }
        CargoMessage::CompilerMessage { target, message } => {
            let Some(rendered) = message.rendered.as_deref().filter(|_| message.is_reportable()) else {
                return;
            };
            let rendered = rendered.trim_end().to_string();
            match targets.get(&target.name) {
                Some((id, line_map)) => {
                    let line = message
                        .spans
                        .iter()
                        .find(|span| span.is_primary && Path::new(&span.file_name) == line_map.generated_file)
                        .map_or(line_map.fence_line(), |span| line_map.markdown_line(span.line_start));
                    if let Some(built) = result.blocks.get_mut(id) {
                        built.diagnostics.push(Diagnostic { line, rendered });
                    }
                }
                // A dependency's warnings are its own crate's business (the
                // main build drops them); its errors stop the book.
                None => match message.spans.iter().find(|span| span.is_primary) {
                    Some(span) => result.engine_messages.push(EngineMessage {
                        is_error: message.level == "error",
                        file: PathBuf::from(&span.file_name),
                        line: span.line_start,
                        rendered,
                    }),
                    None if message.level == "error" => result.other_errors.push(rendered),
                    None => {}
                },
            }
        }
        CargoMessage::Other => {}
    }
}

#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum CargoMessage {
    CompilerArtifact {
        target: Target,
        executable: Option<PathBuf>,
    },
    CompilerMessage {
        target: Target,
        message: CompilerMessage,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

#[derive(Deserialize)]
struct CompilerMessage {
    level: String,
    rendered: Option<String>,
    spans: Vec<Span>,
}

impl CompilerMessage {
    /// Errors and warnings, but not the compiler's closing tallies
    /// ("aborting due to 2 previous errors", "1 warning emitted"), which have
    /// no span and repeat what was already said. Warnings count: a reader who
    /// copies a block must not meet warnings the book never showed.
    fn is_reportable(&self) -> bool {
        match self.level.as_str() {
            "error" => !self.spans.is_empty() || !self.rendered.as_deref().unwrap_or("").contains("aborting due to"),
            "warning" => !self.spans.is_empty(),
            _ => false,
        }
    }
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: usize,
    is_primary: bool,
}
