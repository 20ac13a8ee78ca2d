//! The tools the README calls optional, and the one rule for a test that
//! needs one. Rust alone runs both README commands, `cargo xtask book` and
//! `cargo xtask verify`; Graphviz, Chromium, Python (with torch, for the
//! twins) and cargo-insta only let them check more. So a test that needs
//! one of them is skipped where it is missing, with a note naming it, and
//! fails only in CI, where `.ci/run` installs every one of them: there a
//! missing tool is a broken install step, not a reason to prove less.
//! `.ci/run` holds the rule by running verify a second time with all of
//! them out of reach. When verify runs the tests, each skip is also written
//! down ([`SKIPS_VARIABLE`]), and the report names the skipped tests.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

/// `CI` set to anything but empty, `false` or `0`, as insta reads it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "false" | "0"))
}

/// A tool some test needs and the reader does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    /// Graphviz's `dot`, which draws the graph pictures.
    Graphviz,
    /// Headless Chromium, for the browser checks.
    Chromium,
    /// `python3`, which runs the PyTorch twins (the tests give it a stand-in torch).
    Python,
    /// `cargo insta`, the other way to accept snapshots.
    CargoInsta,
}

impl Tool {
    pub const ALL: [Tool; 4] = [Tool::Graphviz, Tool::Chromium, Tool::Python, Tool::CargoInsta];

    pub fn name(self) -> &'static str {
        match self {
            Tool::Graphviz => "Graphviz's `dot`",
            Tool::Chromium => "Chromium",
            Tool::Python => "`python3`",
            Tool::CargoInsta => "cargo-insta",
        }
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Graphviz => "apt-get install graphviz",
            Tool::Chromium => "apt-get install chromium, or set $CHROMIUM",
            Tool::Python => "apt-get install python3",
            Tool::CargoInsta => "cargo install cargo-insta",
        }
    }

    pub fn is_installed(self) -> bool {
        match self {
            Tool::Graphviz => crate::graph::is_installed(),
            Tool::Chromium => crate::browser::find_chromium().is_some(),
            Tool::Python => answers(Command::new("python3").arg("--version")),
            Tool::CargoInsta => answers(Command::new(crate::build::cargo()).args(["insta", "--version"])),
        }
    }
}

fn answers(command: &mut Command) -> bool {
    command.output().is_ok_and(|out| out.status.success())
}

/// For a test that needs `tool`: whether it is here to run with. Without it
/// the test fails in CI and is skipped elsewhere, with a note that names the
/// tool, so a reader's `cargo xtask verify` passes with Rust alone.
///
/// # Panics
/// In CI, when `tool` is missing.
pub fn needed_by_test(tool: Tool) -> bool {
    if tool.is_installed() {
        return true;
    }
    assert!(
        !in_ci(),
        "{} is not installed, and CI must run this test (`.ci/run` installs it)",
        tool.name()
    );
    eprintln!(
        "skipped: {} is not installed ({}); outside CI this test is skipped",
        tool.name(),
        tool.install_hint()
    );
    if let Some(path) = std::env::var_os(SKIPS_VARIABLE) {
        // libtest names each test's thread after the test.
        let test = std::thread::current().name().unwrap_or("a test").to_string();
        // One short line per write, appended: the tests of several binaries
        // and threads write to the same file.
        let line = format!("{}\t{test}\n", tool.name());
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
        let _ = file.and_then(|mut f| f.write_all(line.as_bytes()));
    }
    false
}

/// The variable naming the file a skipped test is written down in, when
/// `cargo xtask verify` runs the workspace's tests.
pub const SKIPS_VARIABLE: &str = "XTASK_SKIPPED_TESTS";

/// The tests written down in `path` as skipped: (tool, test), sorted.
pub fn read_skips(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut skips: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(tool, test)| (tool.to_string(), test.to_string()))
        .collect();
    skips.sort();
    skips.dedup();
    skips
}

/// Which of the tools are here, as one line: what a cached verdict of the
/// tests depends on besides the files.
pub fn availability() -> String {
    Tool::ALL
        .iter()
        .map(|tool| format!("{}: {}", tool.name(), tool.is_installed()))
        .collect::<Vec<_>>()
        .join(", ")
}
