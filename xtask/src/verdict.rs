//! The snapshot stage: each block's verdict, from what the run and twin
//! stages brought back. A Rust block's output is held against its snapshot
//! (written as the options allow), a `graph` block's picture must draw, a
//! twin must agree with its Rust block number for number, and a block must
//! be formatted as rustfmt formats it. What passed is remembered in the
//! verdict cache; anything else is forgotten there, so it runs again.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use similar::TextDiff;

use crate::build::Diagnostic;
use crate::cache::VerdictCache;
use crate::extract::{Block, BlockId, BlockKind, Chapter, PythonBlock, RustBlock};
use crate::generate::GeneratedCrate;
use crate::graph::{self, GraphError};
use crate::layout::Layout;
use crate::python::{self, BookTwins};
use crate::report::{BlockReport, ChapterReport, Pass, Verdict};
use crate::run::{self, BlockRun};
use crate::snapshot::{self, Recorded, SnapshotId, Twin, WritePolicy};
use crate::{crosscheck, verify::Options};

/// The verdicts of a whole book.
pub struct Verdicts {
    pub chapters: Vec<ChapterReport>,
    /// Why the `graph` blocks' DOT could not be checked, when it could not.
    pub graphs_unchecked: Option<String>,
}

/// What every verdict of one run is judged with.
pub struct Judge<'a> {
    layout: &'a Layout,
    options: &'a Options,
    generated: &'a [GeneratedCrate],
    twins: &'a BookTwins,
    cache: &'a mut VerdictCache,
    graphs_unchecked: Option<String>,
}

impl<'a> Judge<'a> {
    pub fn new(
        layout: &'a Layout,
        options: &'a Options,
        generated: &'a [GeneratedCrate],
        twins: &'a BookTwins,
        cache: &'a mut VerdictCache,
    ) -> Self {
        Judge {
            layout,
            options,
            generated,
            twins,
            cache,
            graphs_unchecked: None,
        }
    }

    /// Every block's verdict, chapter by chapter, in the order of the book.
    pub fn judge_book(mut self, chapters: &[Chapter], mut runs: BTreeMap<BlockId, BlockRun>) -> Result<Verdicts> {
        let mut reports = Vec::new();
        for chapter in chapters {
            reports.push(self.judge_chapter(chapter, &mut runs)?);
        }
        Ok(Verdicts {
            chapters: reports,
            graphs_unchecked: self.graphs_unchecked,
        })
    }

    fn judge_chapter(&mut self, chapter: &Chapter, runs: &mut BTreeMap<BlockId, BlockRun>) -> Result<ChapterReport> {
        // Rust blocks first: a twin is judged with its Rust block's output,
        // wherever in the chapter the two stand.
        let mut rust_verdicts = HashMap::new();
        let mut rust_outputs = HashMap::new();
        for block in &chapter.blocks {
            if let BlockKind::Rust(rust) = &block.kind {
                let id = chapter.block_id(&rust.name);
                let run = runs
                    .remove(&id)
                    .context("the run stage skipped a block (a bug in the verifier)")?;
                let (verdict, own, printed) = self.judge_rust(chapter, block, rust, &id, run)?;
                rust_verdicts.insert(rust.name.as_str(), (verdict, printed));
                rust_outputs.insert(rust.name.as_str(), own);
            }
        }
        let mut blocks = Vec::new();
        for block in &chapter.blocks {
            let mut new_output = None;
            let (label, verdict, is_twin) = match &block.kind {
                BlockKind::Invalid(message) => (
                    "code block".to_string(),
                    Verdict::Failed {
                        line: block.line,
                        message: message.clone(),
                    },
                    false,
                ),
                BlockKind::Shown(language) => (
                    format!("`{language}` block"),
                    Verdict::Passed(Pass::Shown(language)),
                    false,
                ),
                BlockKind::Python(PythonBlock { twin: None, .. }) => (
                    "`python` block".to_string(),
                    Verdict::Passed(Pass::Shown("python")),
                    false,
                ),
                BlockKind::Listing(_) | BlockKind::Version(_) => {
                    ("listing".to_string(), Verdict::Passed(Pass::Listing), false)
                }
                BlockKind::Python(python @ PythonBlock { twin: Some(name), .. }) => {
                    let rust_output = rust_outputs.get(name.as_str()).and_then(Option::as_deref);
                    let verdict = self.judge_twin(chapter, block, python, name, rust_output)?;
                    (format!("PyTorch twin of `{name}`"), verdict, true)
                }
                BlockKind::Rust(rust) => {
                    let (verdict, output) = rust_verdicts
                        .remove(rust.name.as_str())
                        .context("a Rust block judged twice (a bug in the verifier)")?;
                    if matches!(verdict, Verdict::Failed { .. }) {
                        new_output = output;
                    }
                    (format!("block `{}`", rust.name), verdict, false)
                }
            };
            blocks.push(BlockReport {
                label,
                line: block.line,
                verdict,
                is_twin,
                new_output,
            });
        }
        Ok(ChapterReport {
            path: chapter.display_path.clone(),
            blocks,
        })
    }

    /// A Rust block's verdict; its output when it has one that is its own
    /// (its twin is cross-checked against it); and what it printed, if it ran.
    fn judge_rust(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        rust: &RustBlock,
        id: &BlockId,
        run: BlockRun,
    ) -> Result<(Verdict, Option<String>, Option<String>)> {
        let fail = |line: usize, message: String| Verdict::Failed { line, message };
        let (verdict, output) = match run {
            BlockRun::Ignored(reason) => (Verdict::Passed(Pass::Ignored(reason)), None),
            BlockRun::Compiled => (Verdict::Passed(Pass::Compiled), None),
            BlockRun::NotBuilt(why) => (fail(block.line, why), None),
            BlockRun::DoesNotCompile(diagnostics) => {
                let line = diagnostics.first().map_or(block.line, |d| d.line);
                (fail(line, compiler_messages(&chapter.display_path, &diagnostics)), None)
            }
            BlockRun::Failed(failure) => (fail(failure.line.unwrap_or(block.line), failure.message), None),
            BlockRun::Unstable { failure, executable } => {
                self.cache.mark_unstable(&run::cache_id(id), &executable);
                (fail(failure.line.unwrap_or(block.line), failure.message), None)
            }
            BlockRun::Unchanged(output) => (Verdict::Passed(Pass::Unchanged), Some(output)),
            BlockRun::Ran { output, executable } => {
                // Its runs agreed, and it was rebuilt since any that did not.
                self.cache.clear_unstable(&run::cache_id(id));
                let verdict = self.judge_output(chapter, block.line, rust, id, &output, &executable)?;
                (verdict, Some(output))
            }
        };
        if !matches!(verdict, Verdict::Passed(Pass::Ran | Pass::Unchanged)) {
            self.cache.forget(&run::cache_id(id));
        }
        let printed = output.clone();
        let own = output.filter(|_| matches!(verdict, Verdict::Passed(_)));
        let (verdict, own) = self.with_formatting(id, rust, block.line, verdict, own);
        Ok((verdict, own, printed))
    }

    /// A fresh output held against its snapshot (and, for a `graph` block,
    /// drawn first: a picture the book could not draw is never accepted).
    fn judge_output(
        &mut self,
        chapter: &Chapter,
        line: usize,
        rust: &RustBlock,
        id: &BlockId,
        output: &str,
        executable: &Path,
    ) -> Result<Verdict> {
        let fail = |message: String| Ok(Verdict::Failed { line, message });
        let mut checked = true;
        let picture = graph::picture_path(&self.layout.snapshots_dir, &id.crate_name, &id.block);
        let mut drawn = None;
        if rust.graph {
            match graph::svg(output) {
                Ok(svg) => drawn = Some(svg),
                // A fresh committed picture was drawn from this very DOT text.
                Err(GraphError::NoGraphviz(_)) if graph::committed(&picture, output).is_some() => {}
                Err(GraphError::NoGraphviz(why)) => {
                    checked = false;
                    self.graphs_unchecked.get_or_insert(why);
                }
                Err(problem) => return fail(problem.to_string()),
            }
        }
        let snapshot_id = SnapshotId {
            crate_name: &id.crate_name,
            block_name: &id.block,
            chapter: &chapter.display_path,
            line,
            code: &rust.code,
            twin: None,
        };
        let recorded = snapshot::record(
            &self.layout.snapshots_dir,
            &snapshot_id,
            output,
            self.options.write_policy(),
        )?;
        recorded.announce(|path| self.layout.shown(path));
        if let Recorded::Failed(failure) = recorded {
            return fail(failure);
        }
        // The snapshot now holds this output: its picture must be committed
        // beside it, so that the book builds without Graphviz.
        if let Some(svg) = drawn.filter(|_| graph::committed(&picture, output).is_none()) {
            if self.options.write_policy() == WritePolicy::Nothing {
                return fail(format!(
                    "the committed picture {} is missing or was drawn from other DOT text: \
                     run `cargo xtask verify --update` and commit it",
                    self.layout.shown(&picture).display()
                ));
            }
            graph::commit(&picture, output, &svg)?;
            println!("drew {}", self.layout.shown(&picture).display());
        }
        // A graph whose DOT went unchecked must be checked next time.
        if checked {
            let snapshot = self.layout.snapshots_dir.join(snapshot_id.file_name());
            let fingerprint = run::fingerprint(executable, &rust.mode, self.options.timeout, &snapshot);
            self.cache.record_pass(&run::cache_id(id), fingerprint.as_ref());
        } else {
            self.cache.forget(&run::cache_id(id));
        }
        Ok(Verdict::Passed(Pass::Ran))
    }

    /// The verdict, failed when the block is not formatted as rustfmt
    /// formats it (its output stays its own: its twin is cross-checked
    /// against it).
    fn with_formatting(
        &self,
        id: &BlockId,
        rust: &RustBlock,
        line: usize,
        verdict: Verdict,
        output: Option<String>,
    ) -> (Verdict, Option<String>) {
        let formatted = self
            .generated
            .iter()
            .find(|k| k.name == id.crate_name)
            .and_then(|k| k.unformatted.get(&id.block));
        let Some(formatted) = formatted else {
            return (verdict, output);
        };
        let diff = TextDiff::from_lines(rust.code.as_str(), formatted.as_str())
            .unified_diff()
            .header("as written", "as rustfmt writes it")
            .to_string();
        let problem = format!(
            "is not formatted as rustfmt formats it; the chapter crates are generated formatted, so that \
             `cargo fmt --check` passes and readers copy formatted code (hidden `# ` lines are shown \
             without their `# `):\n{diff}"
        );
        let verdict = match verdict {
            Verdict::Passed(_) => Verdict::Failed { line, message: problem },
            Verdict::Failed { line, message } => Verdict::Failed {
                line,
                message: format!("{message}\nand it {problem}"),
            },
        };
        (verdict, output)
    }

    /// A twin's verdict: its output (from this run, or, unchanged or without
    /// torch, from its committed snapshot) must agree with its Rust block's
    /// output, number for number (or, marked `differs`, must not), and a
    /// fresh one must be its snapshot's.
    fn judge_twin(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        python: &PythonBlock,
        rust_name: &str,
        rust_output: Option<&str>,
    ) -> Result<Verdict> {
        let id = chapter.block_id(rust_name);
        let verdict = self.compare_twin(chapter, block.line, python, &id, rust_output)?;
        let cache_id = python::cache_id(&id);
        match (&verdict, self.twins.python.as_deref()) {
            (Verdict::Passed(Pass::TwinRan), Some(python_identity)) => {
                let snapshot = self
                    .layout
                    .snapshots_dir
                    .join(snapshot::twin_file_name(&id.crate_name, rust_name));
                let fingerprint = python::fingerprint(
                    python_identity,
                    &chapter.display_path,
                    &python.code,
                    self.options.timeout,
                    &snapshot,
                );
                self.cache.record_pass(&cache_id, Some(&fingerprint));
            }
            (Verdict::Passed(Pass::Unchanged), _) => {}
            _ => self.cache.forget(&cache_id),
        }
        Ok(verdict)
    }

    /// The twin's verdict itself: its output compared with its Rust block's,
    /// and, when it ran, with its snapshot.
    fn compare_twin(
        &self,
        chapter: &Chapter,
        line: usize,
        python: &PythonBlock,
        id: &BlockId,
        rust_output: Option<&str>,
    ) -> Result<Verdict> {
        let fail = |message: String| Ok(Verdict::Failed { line, message });
        let TwinOutput { output, pass, torch } = match self.twin_output(python, id)? {
            Ok(found) => found,
            Err(failure) => return fail(failure),
        };
        let Some(rust_output) = rust_output else {
            return fail(format!(
                "not cross-checked: its Rust block `{}` has no verified output (see its failure)",
                id.block
            ));
        };
        let snapshot_id = SnapshotId {
            crate_name: &id.crate_name,
            block_name: &id.block,
            chapter: &chapter.display_path,
            line,
            code: &python.code,
            twin: torch.map(|torch| Twin { torch }),
        };
        let agreement = crosscheck::compare(rust_output, &output);
        if python.differs && agreement.is_ok() {
            return fail(format!(
                "is marked `differs`, but PyTorch printed the same numbers as block `{}`: drop `differs`, \
                 and the prose that says they differ",
                id.block
            ));
        }
        if let (Err(disagreement), false) = (agreement, python.differs) {
            // A twin that disagrees is never accepted, not even as a pending
            // snapshot, which `cargo insta review` could accept. Its snapshot
            // is compared all the same, without writing, to say what changed.
            let changed = match torch {
                Some(_) => {
                    match snapshot::record(&self.layout.snapshots_dir, &snapshot_id, &output, WritePolicy::Nothing)? {
                        Recorded::Failed(failure) => format!("\nand {failure}"),
                        _ => String::new(),
                    }
                }
                None => String::new(),
            };
            return fail(format!("{disagreement}{changed}"));
        }
        if torch.is_some() {
            let recorded = snapshot::record(
                &self.layout.snapshots_dir,
                &snapshot_id,
                &output,
                self.options.write_policy(),
            )?;
            recorded.announce(|path| self.layout.shown(path));
            if let Recorded::Failed(failure) = recorded {
                return fail(failure);
            }
        }
        Ok(Verdict::Passed(pass))
    }

    /// A twin's output, how it was obtained and, when it ran, the torch it
    /// ran with; or why it has none.
    fn twin_output(&self, python: &PythonBlock, id: &BlockId) -> Result<Result<TwinOutput<'_>, String>> {
        let snapshots = &self.layout.snapshots_dir;
        if self.twins.unchanged.contains(id) {
            let snapshot = snapshot::read_twin(snapshots, &id.crate_name, &id.block)?;
            let snapshot = snapshot.context("the twin's snapshot disappeared during the run")?;
            return Ok(Ok(TwinOutput {
                output: snapshot.output,
                pass: Pass::Unchanged,
                torch: None,
            }));
        }
        if let Some(torch) = &self.twins.torch {
            return Ok(match self.twins.ran.get(id) {
                Some(Ok(output)) => Ok(TwinOutput {
                    output: output.clone(),
                    pass: Pass::TwinRan,
                    torch: Some(torch),
                }),
                Some(Err(failure)) => Err(failure.clone()),
                None => Err("was not run (a bug in the verifier: no result for it)".into()),
            });
        }
        // Without torch: the committed snapshot, if it was made from this code.
        let path = self
            .layout
            .shown(&snapshots.join(snapshot::twin_file_name(&id.crate_name, &id.block)));
        Ok(match snapshot::read_twin(snapshots, &id.crate_name, &id.block)? {
            None => Err(format!(
                "no committed snapshot {}, and torch is needed to make one (it is not available here: see \
                 the note below); install torch (README.md, \"Start here\") and run `cargo xtask verify --update`",
                path.display()
            )),
            Some(snapshot) if snapshot.code != python.code => Err(format!(
                "the twin's code differs from the code its snapshot {} was made with, and it cannot be re-run \
                 without torch (see the note below)",
                path.display()
            )),
            Some(snapshot) => Ok(TwinOutput {
                output: snapshot.output,
                pass: Pass::TwinFromSnapshot,
                torch: None,
            }),
        })
    }
}

/// A twin's output, how it was obtained, and the torch it ran with when it ran.
struct TwinOutput<'t> {
    output: String,
    pass: Pass,
    torch: Option<&'t str>,
}

/// The compiler's messages for a block, each introduced by the chapter line it
/// points at (the rendered message itself names the generated file).
fn compiler_messages(chapter: &Path, diagnostics: &[Diagnostic]) -> String {
    let mut by_line: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for diagnostic in diagnostics {
        by_line.entry(diagnostic.line).or_default().push(&diagnostic.rendered);
    }
    let noun = if diagnostics.len() == 1 { "message" } else { "messages" };
    let mut text = format!("does not compile cleanly ({} compiler {noun})", diagnostics.len());
    for (line, messages) in by_line {
        for message in messages {
            text.push_str(&format!("\nat {}:{line}:\n{message}", chapter.display()));
        }
    }
    text
}
