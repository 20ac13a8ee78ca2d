//! Stage 6, report: every block's verdict, a progress line per chapter, the
//! closing `verify: N passed, M failed` line, and every failure at its file
//! and line.

use std::fmt::Write as _;
use std::path::PathBuf;

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

#[derive(Debug)]
pub struct ChapterReport {
    pub path: PathBuf,
    pub blocks: Vec<BlockReport>,
}

/// Something wrong that belongs to no block: a stale generated file, an
/// orphan snapshot, a build error in a dependency.
#[derive(Debug)]
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
    pub workspace_tests: Option<crate::workspace_tests::TestRun>,
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
        self.failed() == 0 && self.problems.is_empty() && self.workspace_tests.as_ref().is_none_or(|t| t.passed)
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

    /// The closing report: the count line, notes, then every failure.
    pub fn summary(&self) -> String {
        let mut out = format!("verify: {} passed, {} failed\n", self.passed(), self.failed());
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
        if !self.problems.is_empty() {
            let _ = writeln!(out, "verify: {} problem(s) outside any block", self.problems.len());
        }
        if let Some(coverage) = &self.coverage {
            out.push_str(&coverage.summary());
        }
        if let Some(prose) = &self.prose {
            out.push_str(&prose.summary());
        }
        if self.workspace_tests.as_ref().is_some_and(|t| !t.passed) {
            let _ = writeln!(out, "verify: the workspace's tests FAILED (their output is above)");
        }
        for (location, message) in self.failures() {
            let _ = writeln!(out, "\n{location}: {}", message.trim_end().replace('\n', "\n    "));
        }
        out
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
