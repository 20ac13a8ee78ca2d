//! Stage 6, report: every block's verdict, a progress line per chapter,
//! every failure at its file and line, and the closing line, the last one
//! printed, which says what was checked and how many things failed
//! (`verify: 134 Rust blocks (…), 42 twins, 98 listings, 16 shown, 421
//! tests; 0 failed`): it says `0 failed` exactly when verify succeeds.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::workspace_tests::TestRun;

/// How a block passed. Every block gets one of these or a failure: none is
/// passed over in silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pass {
    /// Compiled, ran twice with the same output, and matched its snapshot.
    Ran,
    /// `no_run`: compiled without errors or warnings.
    Compiled,
    /// `ignore=<reason>`.
    Ignored(String),
    /// A `text`, `toml`, `console` or `sh` block, or a `python` block
    /// without `twin=`: shown, never run.
    Shown(&'static str),
    /// A listing of the engine's source: every include names an anchor that
    /// is there (its code is held by the engine's own tests).
    Listing,
    /// A PyTorch twin: ran twice with torch, matched its snapshot, and agrees
    /// with its Rust block.
    TwinRan,
    /// A PyTorch twin not re-run (no torch): its committed snapshot, made from
    /// the code the book shows, agrees with its Rust block.
    TwinFromSnapshot,
    /// A block or twin that ran and passed before, and nothing it depends on
    /// has changed since (see [`crate::cache`]): its snapshot is its output.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed(Pass),
    /// The chapter line the failure points at (a compile error's own line,
    /// or the block's fence) and what is wrong.
    Failed {
        line: usize,
        message: String,
    },
}

#[derive(Debug)]
pub struct BlockReport {
    /// How messages name the block: "block `square`", "`text` block".
    pub label: String,
    pub line: usize,
    pub verdict: Verdict,
    /// A PyTorch twin (`python,twin=`), passed or failed.
    pub is_twin: bool,
    /// What a failed Rust block printed, when it ran: an output that differs
    /// from its snapshot, say (`cargo xtask serve` shows it).
    pub new_output: Option<String>,
}

impl BlockReport {
    /// A Rust block (its label is `block `<name>``), passed or failed.
    pub fn is_rust(&self) -> bool {
        self.label.starts_with("block `")
    }
}

#[derive(Debug)]
pub struct ChapterReport {
    pub path: PathBuf,
    pub blocks: Vec<BlockReport>,
}

/// Something wrong that belongs to no block: a stale generated file, an
/// orphan snapshot, a build error in a dependency.
#[derive(Debug, Clone)]
pub struct Problem {
    /// A path, `path:line`, or the stage's name.
    pub location: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub chapters: Vec<ChapterReport>,
    pub problems: Vec<Problem>,
    /// Why the PyTorch twins were not re-run, when they were not.
    pub twins_not_rerun: Option<String>,
    /// Why the `graph` blocks' DOT was not checked, when it was not.
    pub graphs_unchecked: Option<String>,
    /// What the workspace's tests did, when they were run.
    pub workspace_tests: Option<TestRun>,
    /// A line per chapter stage: its engine built, its blocks matched.
    pub stages: Vec<String>,
    /// How much of the engine the chapters' listings show.
    pub coverage: Option<crate::coverage::Coverage>,
    /// What the prose check found; its unproven numbers are also problems.
    pub prose: Option<crate::prose::ProseCheck>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.blocks()
            .filter(|b| matches!(b.verdict, Verdict::Passed(_)))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.blocks()
            .filter(|b| matches!(b.verdict, Verdict::Failed { .. }))
            .count()
    }

    pub fn is_success(&self) -> bool {
        self.failures_in_all() == 0
    }

    /// Every failure the closing line counts: failed blocks, problems
    /// outside any block, failed workspace tests.
    pub fn failures_in_all(&self) -> usize {
        self.failed() + self.problems.len() + self.workspace_tests.as_ref().map_or(0, |t| t.failures())
    }

    fn blocks(&self) -> impl Iterator<Item = &BlockReport> {
        self.chapters.iter().flat_map(|c| c.blocks.iter())
    }

    /// Every failure as (`file:line` or location, message), blocks first.
    pub fn failures(&self) -> Vec<(String, String)> {
        let blocks = self.chapters.iter().flat_map(|chapter| {
            chapter.blocks.iter().filter_map(move |block| match &block.verdict {
                Verdict::Failed { line, message } => Some((
                    format!("{}:{line}", chapter.path.display()),
                    format!("{}: {message}", block.label),
                )),
                Verdict::Passed(_) => None,
            })
        });
        let problems = self.problems.iter().map(|p| (p.location.clone(), p.message.clone()));
        blocks.chain(problems).collect()
    }

    /// The closing report: notes, what the engine's coverage and the prose
    /// check found, every failure, and last the closing line.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if let Some(why) = &self.twins_not_rerun {
            let twins = self.blocks().filter(|b| b.is_twin).count();
            let _ = writeln!(out, "note: {twins} python block(s) not re-run: {why}");
        }
        if let Some(why) = &self.graphs_unchecked {
            let _ = writeln!(
                out,
                "note: the graph blocks' pictures were not drawn, so their DOT is unchecked: {why}"
            );
        }
        if let Some(tests) = &self.workspace_tests {
            out.push_str(&skipped_tests_note(&tests.skipped));
        }
        for line in &self.stages {
            let _ = writeln!(out, "{line}");
        }
        if let Some(coverage) = &self.coverage {
            out.push_str(&coverage.summary());
        }
        if let Some(prose) = &self.prose {
            out.push_str(&prose.summary());
        }
        for (location, message) in self.failures() {
            let _ = writeln!(out, "\n{location}: {}", message.trim_end().replace('\n', "\n    "));
        }
        if let Some(tests) = self.workspace_tests.as_ref().filter(|t| !t.passed) {
            let named = tests.counted.as_ref().map_or(&[][..], |c| &c.failed[..]);
            let what = if named.is_empty() {
                "cargo test failed before naming a failed test (a build error or a crashed test binary)".to_string()
            } else {
                format!("{} failed: {}", named.len(), named.join(", "))
            };
            let _ = writeln!(out, "\nthe workspace's tests: {what}; their output is above");
        }
        let _ = writeln!(out, "\n{}", self.closing_line());
        out
    }

    /// `verify: 134 Rust blocks (120 ran, 14 compiled only), 42 twins, 98
    /// listings, 16 shown, 421 tests; 0 failed`: each kind of thing checked,
    /// then how many failures, by kind when there are any.
    pub fn closing_line(&self) -> String {
        let count = |pred: &dyn Fn(&BlockReport) -> bool| self.blocks().filter(|b| pred(b)).count();
        let passed =
            |b: &BlockReport, pass: &dyn Fn(&Pass) -> bool| matches!(&b.verdict, Verdict::Passed(p) if pass(p));
        let rust = |b: &BlockReport, pass: &dyn Fn(&Pass) -> bool| b.is_rust() && passed(b, pass);
        let rust_kinds = [
            (count(&|b| rust(b, &|p| *p == Pass::Ran)), "ran"),
            (
                count(&|b| rust(b, &|p| *p == Pass::Unchanged)),
                "unchanged since they passed",
            ),
            (count(&|b| rust(b, &|p| *p == Pass::Compiled)), "compiled only"),
            (count(&|b| rust(b, &|p| matches!(p, Pass::Ignored(_)))), "ignored"),
            (count(&|b| b.is_rust() && !passed(b, &|_| true)), "failed"),
        ];
        let rust_parts: Vec<String> = rust_kinds
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        let rust_parts = if rust_parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", rust_parts.join(", "))
        };
        let mut parts = vec![
            format!("{} Rust blocks{rust_parts}", count(&BlockReport::is_rust)),
            format!("{} twins", count(&|b| b.is_twin)),
            format!("{} listings", count(&|b| passed(b, &|p| *p == Pass::Listing))),
            format!("{} shown", count(&|b| passed(b, &|p| matches!(p, Pass::Shown(_))))),
        ];
        match &self.workspace_tests {
            Some(TestRun {
                counted: Some(counted), ..
            }) => parts.push(format!("{} tests", counted.passed + counted.failed.len())),
            Some(_) => parts.push("the tests unchanged since they passed".into()),
            None => {}
        }
        let failed = self.failures_in_all();
        let mut kinds = Vec::new();
        for (n, what) in [
            (self.failed(), "in blocks"),
            (self.problems.len(), "outside any block"),
            (
                self.workspace_tests.as_ref().map_or(0, TestRun::failures),
                "in the tests",
            ),
        ] {
            if n > 0 {
                kinds.push(format!("{n} {what}"));
            }
        }
        let by_kind = if failed > 0 {
            format!(" ({})", kinds.join(", "))
        } else {
            String::new()
        };
        format!("verify: {}; {failed} failed{by_kind}", parts.join(", "))
    }
}

/// `note: 2 test(s) skipped, a tool they need is not installed: Graphviz's
/// `dot` (a, b)`, one line per tool; nothing when none was.
fn skipped_tests_note(skipped: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut tools: Vec<&str> = skipped.iter().map(|(tool, _)| tool.as_str()).collect();
    tools.dedup();
    for tool in tools {
        let tests: Vec<&str> = skipped
            .iter()
            .filter(|(t, _)| t == tool)
            .map(|(_, test)| test.as_str())
            .collect();
        let _ = writeln!(
            out,
            "note: {} test(s) skipped, {tool} is not installed: {}",
            tests.len(),
            tests.join(", ")
        );
    }
    out
}

impl ChapterReport {
    /// One line per chapter, for the progress display:
    /// `book/ch02-scalars.md: 5 blocks (3 ran, 1 compiled only, 1 shown): ok`.
    /// A twin counts as a block of its own: `2 twins ran`.
    pub fn progress_line(&self) -> String {
        if self.blocks.is_empty() {
            return format!("{}: no code blocks", self.path.display());
        }
        let count = |pred: &dyn Fn(&Verdict) -> bool| self.blocks.iter().filter(|b| pred(&b.verdict)).count();
        let kinds = [
            (count(&|v| *v == Verdict::Passed(Pass::Ran)), "ran"),
            (count(&|v| *v == Verdict::Passed(Pass::Compiled)), "compiled only"),
            (count(&|v| matches!(v, Verdict::Passed(Pass::Ignored(_)))), "ignored"),
            (count(&|v| matches!(v, Verdict::Passed(Pass::Shown(_)))), "shown"),
            (count(&|v| *v == Verdict::Passed(Pass::Listing)), "listings"),
            (count(&|v| *v == Verdict::Passed(Pass::TwinRan)), "twins ran"),
            (
                count(&|v| *v == Verdict::Passed(Pass::Unchanged)),
                "unchanged since they passed",
            ),
            (
                count(&|v| *v == Verdict::Passed(Pass::TwinFromSnapshot)),
                "twins checked from snapshots",
            ),
            (count(&|v| matches!(v, Verdict::Failed { .. })), "FAILED"),
        ];
        let parts: Vec<String> = kinds
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        let status = if kinds[kinds.len() - 1].0 == 0 { "ok" } else { "failed" };
        let noun = if self.blocks.len() == 1 { "block" } else { "blocks" };
        format!(
            "{}: {} {noun} ({}): {status}",
            self.path.display(),
            self.blocks.len(),
            parts.join(", ")
        )
    }
}
