//! `cargo xtask verify`: the stages in order, from the book to a report.
//!
//! Every path comes from a [`Layout`], never from the current directory, so
//! the tests can verify small fixture books in temporary workspaces.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use similar::TextDiff;

use crate::build::{self, BuildResult};
use crate::cache::{self, Fingerprint, VerdictCache};
use crate::crosscheck;
use crate::extract::{self, BlockKind, Chapter, Mode, PythonBlock, RustBlock};
use crate::generate::{self, Drift, GeneratedCrate, LineMap};
use crate::graph::{self, GraphError};
use crate::python::{self, TwinJob, TwinRuns};
use crate::report::{BlockReport, ChapterReport, Pass, Problem, Report, Verdict};
use crate::run;
use crate::rustfmt::Rustfmt;
use crate::snapshot::{self, Recorded, SnapshotId, Twin, WritePolicy};

/// Where the book, the chapter crates, the snapshots and the build live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workspace root: its `Cargo.toml` lists the chapter crates as members.
    pub root: PathBuf,
    pub book_dir: PathBuf,
    pub crates_dir: PathBuf,
    pub snapshots_dir: PathBuf,
    pub target_dir: PathBuf,
}

impl Layout {
    /// The project's layout under `root`. The target directory is
    /// `CARGO_TARGET_DIR` when set (as cargo itself does), else `root/target`.
    pub fn of_workspace(root: &Path) -> Result<Self> {
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => std::path::absolute(dir).context("cannot resolve CARGO_TARGET_DIR")?,
            None => root.join("target"),
        };
        Ok(Layout {
            root: root.to_path_buf(),
            book_dir: root.join("book"),
            crates_dir: root.join("crates"),
            snapshots_dir: root.join("tests/snapshots"),
            target_dir,
        })
    }
}

/// The repository `cargo xtask` works on: the parent of the `xtask` package
/// that cargo ran (`cargo run` tells the program its package's directory in
/// `CARGO_MANIFEST_DIR`, at run time), else the first directory from `cwd`
/// upwards with a `book.toml` and a `Cargo.toml`. Never the path compiled
/// into the program: with a target directory shared by two checkouts, that
/// would be whichever built it last.
pub fn workspace_root(manifest_dir: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    let is_root = |dir: &Path| dir.join("book.toml").is_file() && dir.join("Cargo.toml").is_file();
    if let Some(root) = manifest_dir.and_then(Path::parent).filter(|dir| is_root(dir)) {
        return Ok(root.to_path_buf());
    }
    cwd.ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "{} is not inside the book's repository (no directory above it has a book.toml and a \
             Cargo.toml): run `cargo xtask` in the repository",
                cwd.display()
            )
        })
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Rewrite generated crates, accept outputs, delete orphans.
    pub update: bool,
    /// Also overwrite or delete chapter-crate files edited by hand. Without
    /// it, a hand-edited file is named and left alone, and its crate is stale.
    pub force: bool,
    /// Write no file unless `update` is set: a CI run must not change the tree.
    pub ci: bool,
    /// How long one run of one block may take.
    pub timeout: Duration,
    /// Let cargo's progress lines through to stderr while building.
    pub show_cargo_progress: bool,
    /// The Python to run PyTorch twins with. `None`: the first of
    /// `$AUTOGRAD_BOOK_PYTHON`, the cached venv and `python3` (see [`python`]).
    pub python: Option<PathBuf>,
    /// Skip what passed before and has not changed since ([`cache`]).
    /// Ignored when `ci` is set: CI proves everything from scratch.
    pub use_cache: bool,
}

impl Options {
    fn write_policy(&self) -> WritePolicy {
        match (self.update, self.ci) {
            (true, _) => WritePolicy::Accept,
            (false, true) => WritePolicy::Nothing,
            (false, false) => WritePolicy::Pending,
        }
    }

    fn cache(&self, layout: &Layout) -> VerdictCache {
        VerdictCache::load(&layout.target_dir, self.use_cache && !self.ci)
    }
}

/// Verifies the book: extract, generate, build, run, snapshot. Prints a
/// progress line per chapter; returns the report. `Err` means the verifier
/// could not do its work at all (no `SUMMARY.md`, an unwritable directory),
/// not that a block failed.
pub fn verify(layout: &Layout, options: &Options) -> Result<Report> {
    let chapters = extract::read_book(&layout.root, &layout.book_dir)?;
    let mut report = Report::default();

    let crates_rel = extract::display_path(&layout.root, &layout.crates_dir);
    let scratch = layout.target_dir.join("xtask/scratch");
    let rustfmt = Rustfmt::for_workspace(&layout.root);
    let generated = generate::generate(&chapters, &crates_rel, &rustfmt, &scratch)?;
    // A chapter with an invalid block keeps its generated files and
    // snapshots: a typo in an info string must not delete committed work.
    let with_invalid_blocks: HashSet<String> = chapters
        .iter()
        .filter(|c| c.has_invalid_blocks())
        .map(|c| c.crate_name.clone())
        .collect();
    let drifts = generate::check(&layout.crates_dir, &generated, &with_invalid_blocks)?;
    let synced = sync_generated(layout, options, &chapters, &generated, &drifts, &mut report)?;

    // A stale crate is not built: it is not the code the book shows.
    let to_build: Vec<&GeneratedCrate> = generated.iter().filter(|k| !synced.stale.contains(&k.name)).collect();
    let built = build::build(&layout.root, &layout.target_dir, &to_build, options.show_cargo_progress)?;
    for error in &built.other_errors {
        report.problems.push(Problem {
            location: "cargo build".into(),
            message: error.clone(),
        });
    }

    let cache = options.cache(layout);
    let twins = run_twins(layout, options, &chapters, &cache, &mut report)?;
    let runner = BlockRunner {
        layout,
        options,
        built: &built,
        generated: &generated,
        stale: &synced.stale,
        crates_rel: &crates_rel,
        cache: RefCell::new(cache),
        graphs_unchecked: RefCell::new(None),
    };
    let mut expected_snapshots = HashSet::new();
    for chapter in &chapters {
        // Rust blocks first, so every twin finds its Rust block's output
        // wherever in the chapter the two stand.
        let mut rust_outputs: HashMap<&str, String> = HashMap::new();
        let mut verdicts: Vec<Option<(String, Verdict)>> = Vec::new();
        for block in &chapter.blocks {
            verdicts.push(match &block.kind {
                BlockKind::Invalid(message) => Some((
                    "code block".to_string(),
                    Verdict::Failed {
                        line: block.line,
                        message: message.clone(),
                    },
                )),
                BlockKind::Shown(language) => {
                    Some((format!("`{language}` block"), Verdict::Passed(Pass::Shown(language))))
                }
                BlockKind::Python(PythonBlock { twin: None, .. }) => {
                    Some(("`python` block".to_string(), Verdict::Passed(Pass::Shown("python"))))
                }
                BlockKind::Python(PythonBlock { twin: Some(_), .. }) => None,
                BlockKind::Rust(rust) => {
                    if rust.mode.runs() {
                        expected_snapshots.insert(snapshot::file_name(&chapter.crate_name, &rust.name));
                    }
                    let (verdict, output) = runner.verdict(chapter, block.line, rust)?;
                    if let Some(output) = output {
                        rust_outputs.insert(&rust.name, output);
                    }
                    Some((format!("block `{}`", rust.name), verdict))
                }
            });
        }
        let mut blocks = Vec::new();
        for (block, verdict) in chapter.blocks.iter().zip(verdicts) {
            let is_twin = verdict.is_none();
            let (label, verdict) = match (verdict, &block.kind) {
                (Some(done), _) => done,
                (None, BlockKind::Python(python @ PythonBlock { twin: Some(name), .. })) => {
                    expected_snapshots.insert(snapshot::twin_file_name(&chapter.crate_name, name));
                    let rust_output = rust_outputs.get(name.as_str()).map(String::as_str);
                    (
                        format!("PyTorch twin of `{name}`"),
                        runner.twin_verdict(chapter, block.line, python, name, rust_output, &twins)?,
                    )
                }
                (None, _) => unreachable!("only twins are left for the second pass"),
            };
            blocks.push(BlockReport {
                label,
                line: block.line,
                verdict,
                is_twin,
            });
        }
        let chapter_report = ChapterReport {
            path: chapter.display_path.clone(),
            blocks,
        };
        println!("{}", chapter_report.progress_line());
        report.chapters.push(chapter_report);
    }
    report.graphs_unchecked = runner.graphs_unchecked.into_inner();
    let mut cache = runner.cache.into_inner();
    check_book(layout, &mut cache, &mut report)?;
    cache.save()?;

    let orphan_snapshots = snapshot::orphans(&layout.snapshots_dir, &expected_snapshots, &with_invalid_blocks)?;
    remove_orphans(layout, options, &synced.orphans, &orphan_snapshots, &mut report)?;
    Ok(report)
}

/// Builds the book as `cargo xtask book` does, into a scratch directory, and
/// reports whatever that build rejects (a formula, a graph, a link, a
/// warning of mdBook's), each at its chapter's line. Skipped while nothing
/// the build reads has changed since it last passed.
fn check_book(layout: &Layout, cache: &mut VerdictCache, report: &mut Report) -> Result<()> {
    let id = "book build";
    let fingerprint = cache.is_active().then(|| {
        Fingerprint::new("book build")
            .file_contents(&layout.root.join("book.toml"))
            .tree(&layout.book_dir)
            .tree(&layout.snapshots_dir)
            .tree(&layout.root.join("xtask/assets"))
            .text(&format!("graphviz: {}", graph::is_installed()))
    });
    if cache.is_fresh(id, fingerprint.as_ref()) {
        return Ok(());
    }
    let problems = crate::book::check(&layout.root, &layout.target_dir.join("xtask/book-check"))?;
    if problems.is_empty() {
        cache.record_pass(id, fingerprint.as_ref());
    } else {
        cache.forget(id);
    }
    report.problems.extend(problems);
    Ok(())
}

/// What [`sync_generated`] left to do.
struct Synced {
    /// Crates still out of date: they are not built.
    stale: HashSet<String>,
    /// Generated files no block generates any more, that `--update` may
    /// delete once the run has shown no failure.
    orphans: Vec<Drift>,
}

/// Brings the chapter crates in line with the book as far as the options
/// allow, and reports what could not be.
///
/// Like rust-analyzer's generated code, a local run rewrites a file that
/// differs from what the book generates, and says so: the author commits it
/// with the chapter. A CI run writes nothing, so there a difference fails.
/// A file edited by hand is rewritten only with `--force`, and deleting a
/// file that no block generates any more is left to `--update`, at the end
/// of a run without failures.
fn sync_generated(
    layout: &Layout,
    options: &Options,
    chapters: &[Chapter],
    generated: &[GeneratedCrate],
    drifts: &[Drift],
    report: &mut Report,
) -> Result<Synced> {
    let crates_rel = extract::display_path(&layout.root, &layout.crates_dir);
    let may_write = |drift: &Drift| (options.update || !options.ci) && (options.force || !drift.kind.is_hand_edited());
    let (orphans, others): (Vec<&Drift>, Vec<&Drift>) = drifts.iter().partition(|d| d.kind.is_orphan());
    let writable: Vec<Drift> = others.iter().copied().filter(|d| may_write(d)).cloned().collect();
    generate::apply(&layout.crates_dir, generated, &writable)?;
    let mut synced = Synced {
        stale: HashSet::new(),
        orphans: Vec::new(),
    };
    for drift in others {
        let location = crates_rel.join(&drift.path).display().to_string();
        let source = generated_from(layout, chapters, drift);
        if writable.contains(drift) {
            println!("regenerated {location} from {source}: commit it with the chapter");
            continue;
        }
        synced.stale.insert(drift.crate_name.clone());
        let message = if drift.kind.is_hand_edited() {
            format!(
                "{}; the verifier will not overwrite it: move the edit into the chapter at {source} or pass --force to discard it",
                drift.describe()
            )
        } else {
            format!(
                "{}; `cargo xtask verify` rewrites it (this run writes nothing: CI is set)",
                drift.describe()
            )
        };
        report.problems.push(Problem { location, message });
    }
    for drift in orphans {
        if options.update && (options.force || !drift.kind.is_hand_edited()) {
            synced.orphans.push(drift.clone());
            continue;
        }
        let location = crates_rel.join(&drift.path).display().to_string();
        let message = if drift.kind.is_hand_edited() {
            format!(
                "{}; the verifier will not delete it: move the edit into the chapter it came from, or pass \
                 --force with --update to delete it",
                drift.describe()
            )
        } else {
            format!("{}; `cargo xtask verify --update` deletes it", drift.describe())
        };
        report.problems.push(Problem { location, message });
    }
    Ok(synced)
}

/// Where a generated file comes from, as messages name it: the block's
/// chapter line (`book/ch02-scalars.md:12 (block `square`)`), or the chapter.
fn generated_from(layout: &Layout, chapters: &[Chapter], drift: &Drift) -> String {
    let Some(chapter) = chapters.iter().find(|c| c.crate_name == drift.crate_name) else {
        return generate::source_of(&layout.crates_dir.join(&drift.path)).unwrap_or_else(|| "the chapter".into());
    };
    let block = drift.path.file_stem().and_then(|stem| {
        chapter.compiled_blocks().find(|(_, rust)| {
            drift.path.strip_prefix(&chapter.crate_name).ok() == Some(&GeneratedCrate::bin_path(&rust.name))
                && rust.name == stem.to_string_lossy()
        })
    });
    match block {
        Some((block, rust)) => format!(
            "{}:{} (block `{}`)",
            chapter.display_path.display(),
            block.line,
            rust.name
        ),
        None => chapter.display_path.display().to_string(),
    }
}

/// Deletes what no block makes any more, the chapter crates' orphan files and
/// orphan snapshots, when `--update` is given and the run had no failure: a
/// run with errors deletes nothing (a block swallowed by an unclosed fence,
/// say, would otherwise lose its committed output). Otherwise each orphan is
/// a problem of the report.
fn remove_orphans(
    layout: &Layout,
    options: &Options,
    files: &[Drift],
    snapshots: &[PathBuf],
    report: &mut Report,
) -> Result<()> {
    let crates_rel = extract::display_path(&layout.root, &layout.crates_dir);
    let shown_files = files.iter().map(|d| crates_rel.join(&d.path));
    let shown_snapshots = snapshots.iter().map(|p| extract::display_path(&layout.root, p));
    if !options.update {
        for shown in shown_snapshots {
            report.problems.push(Problem {
                location: shown.display().to_string(),
                message: "orphan snapshot: no block of the book has this name any more; \
                          `cargo xtask verify --update` deletes it"
                    .into(),
            });
        }
        return Ok(());
    }
    if !report.is_success() {
        for shown in shown_files.chain(shown_snapshots) {
            report.problems.push(Problem {
                location: shown.display().to_string(),
                message: "no block of the book makes it any more, but it was not deleted: this run has \
                          failures, and a run with failures deletes nothing; fix them and run \
                          `cargo xtask verify --update` again"
                    .into(),
            });
        }
        return Ok(());
    }
    generate::apply(&layout.crates_dir, &[], files)?;
    for (path, shown) in snapshots.iter().zip(shown_snapshots) {
        snapshot::delete(path)?;
        println!(
            "deleted {} (no block of the book has this name any more)",
            shown.display()
        );
    }
    for shown in shown_files {
        println!(
            "deleted {} (no block of the book generates it any more)",
            shown.display()
        );
    }
    Ok(())
}

/// Runs the workspace's own tests, `cargo test --workspace`, with their
/// output going straight to the terminal. Returns whether they passed.
pub fn workspace_tests(layout: &Layout, options: &Options) -> Result<bool> {
    let mut cache = options.cache(layout);
    let id = "workspace tests";
    // Hashing the repository is only worth it when the result is kept.
    let fingerprint = || {
        cache
            .is_active()
            .then(|| cache::workspace_fingerprint(&layout.root))
            .flatten()
    };
    let before = fingerprint();
    if cache.is_fresh(id, before.as_ref()) {
        println!(
            "verify: the workspace's tests passed before, and no file of the repository, nor the \
             toolchain, has changed since: not re-run (--no-cache runs them)"
        );
        return Ok(true);
    }
    let status = Command::new(build::cargo())
        .current_dir(&layout.root)
        .args(["test", "--workspace", "--manifest-path"])
        .arg(layout.root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&layout.target_dir)
        .status()
        .context("cannot run cargo test")?;
    // Remembered only if nothing changed while they ran.
    let after = fingerprint();
    match (status.success(), before, after) {
        (true, Some(before), Some(after)) if before.same_as(&after) => cache.record_pass(id, Some(&after)),
        _ => cache.forget(id),
    }
    cache.save()?;
    Ok(status.success())
}

/// Each twin's output, or why it failed, by (chapter crate, Rust block name).
type TwinOutputs = HashMap<(String, String), Result<String, String>>;

/// The outcome of running the book's PyTorch twins.
struct Twins {
    /// Torch's public version and the outputs of the twins that ran; `None`
    /// when none ran (torch not importable, or every twin unchanged).
    ran: Option<(String, TwinOutputs)>,
    /// Twins not re-run: they passed before and nothing they depend on changed.
    unchanged: HashSet<(String, String)>,
    /// The Python and torch the twins run with, for their fingerprints.
    python: Option<String>,
}

impl Twins {
    /// What a twin's verdict depends on (see [`cache`]); `None` when the
    /// Python cannot be identified, and then the twin always runs.
    fn fingerprint(
        &self,
        layout: &Layout,
        options: &Options,
        chapter: &Chapter,
        name: &str,
        code: &str,
    ) -> Option<Fingerprint> {
        let python = self.python.as_deref()?;
        let crate_name = &chapter.crate_name;
        Some(
            Fingerprint::new("twin")
                .text(&chapter.display_path.display().to_string())
                .text(code)
                .text(&format!("{:?}", options.timeout))
                .text(python)
                .file_contents(&layout.snapshots_dir.join(snapshot::twin_file_name(crate_name, name))),
        )
    }
}

fn twin_id(crate_name: &str, name: &str) -> String {
    format!("twin {crate_name}/{name}")
}

/// Runs every valid twin of the book in one go (see [`python`]); with no
/// twin, no Python is started at all. When torch is not importable, records
/// why in the report's note.
fn run_twins(
    layout: &Layout,
    options: &Options,
    chapters: &[Chapter],
    cache: &VerdictCache,
    report: &mut Report,
) -> Result<Twins> {
    let scratch = layout.target_dir.join("xtask/scratch");
    let candidates = python::candidates(options.python.as_deref());
    let mut twins = Twins {
        ran: None,
        unchanged: HashSet::new(),
        // No identity, no fingerprints: nothing to compute for an inactive cache.
        python: cache.is_active().then(|| python::identity(&candidates)).flatten(),
    };
    let mut keys = Vec::new();
    let mut jobs = Vec::new();
    for chapter in chapters {
        for block in &chapter.blocks {
            if let BlockKind::Python(PythonBlock {
                twin: Some(name),
                code,
                first_code_line,
            }) = &block.kind
            {
                let key = (chapter.crate_name.clone(), name.clone());
                let fingerprint = twins.fingerprint(layout, options, chapter, name, code);
                if cache.is_fresh(&twin_id(&chapter.crate_name, name), fingerprint.as_ref()) {
                    twins.unchanged.insert(key);
                    continue;
                }
                keys.push(key);
                jobs.push(TwinJob {
                    file: chapter.display_path.display().to_string(),
                    code: code.clone(),
                    first_line: *first_code_line,
                    timeout_s: options.timeout.as_secs_f64(),
                    scratch_root: std::path::absolute(&scratch)?,
                });
            }
        }
    }
    if jobs.is_empty() {
        return Ok(twins);
    }
    match python::run_twins(&jobs, &candidates, &scratch, options.timeout)? {
        TwinRuns::Ran { torch, outputs } => {
            println!("verify: ran {} PyTorch twin(s) with torch {torch}", jobs.len());
            let outputs = keys.into_iter().zip(outputs).collect();
            twins.ran = Some((python::public_version(&torch).to_string(), outputs));
        }
        TwinRuns::NotRun(why) => report.twins_not_rerun = Some(why),
    }
    Ok(twins)
}

/// What is needed to give a Rust block its verdict after the build.
struct BlockRunner<'a> {
    layout: &'a Layout,
    options: &'a Options,
    built: &'a BuildResult,
    generated: &'a [GeneratedCrate],
    stale: &'a HashSet<String>,
    crates_rel: &'a Path,
    /// What passed before; updated as verdicts come in.
    cache: RefCell<VerdictCache>,
    /// Why `graph` blocks' DOT could not be checked, when it could not.
    graphs_unchecked: RefCell<Option<String>>,
}

impl BlockRunner<'_> {
    /// A Rust block's verdict, and its output when it ran and passed.
    fn verdict(&self, chapter: &Chapter, line: usize, rust: &RustBlock) -> Result<(Verdict, Option<String>)> {
        let (verdict, output) = self.run_verdict(chapter, line, rust)?;
        let unformatted = self
            .generated
            .iter()
            .find(|k| k.name == chapter.crate_name)
            .and_then(|k| k.unformatted.get(&rust.name));
        let Some(formatted) = unformatted else {
            return Ok((verdict, output));
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
        // The output, when there is one, is still the block's: its twin is
        // cross-checked against it.
        Ok(match verdict {
            Verdict::Passed(_) => (Verdict::Failed { line, message: problem }, output),
            Verdict::Failed { line, message } => (
                Verdict::Failed {
                    line,
                    message: format!("{message}\nand it {problem}"),
                },
                output,
            ),
        })
    }

    /// A Rust block's verdict from its build and its runs.
    fn run_verdict(&self, chapter: &Chapter, line: usize, rust: &RustBlock) -> Result<(Verdict, Option<String>)> {
        let mut cache = self.cache.borrow_mut();
        let fail = |message: String| Ok((Verdict::Failed { line, message }, None));
        if let Mode::Ignore(reason) = &rust.mode {
            return Ok((Verdict::Passed(Pass::Ignored(reason.clone())), None));
        }
        if self.stale.contains(&chapter.crate_name) {
            return fail(format!(
                "not built: {} is out of date (see below)",
                self.crates_rel.join(&chapter.crate_name).display()
            ));
        }
        let empty = Default::default();
        let built = self
            .built
            .blocks
            .get(&(chapter.crate_name.clone(), rust.name.clone()))
            .unwrap_or(&empty);
        if let Some((first_line, _)) = built.diagnostics.first() {
            let message = compiler_messages(&chapter.display_path, &built.diagnostics);
            return Ok((
                Verdict::Failed {
                    line: *first_line,
                    message,
                },
                None,
            ));
        }
        let (Some(executable), Some(line_map)) = (&built.executable, self.line_map(chapter, rust)) else {
            return fail("not built: cargo build failed (see below)".into());
        };
        if rust.mode == Mode::NoRun {
            return Ok((Verdict::Passed(Pass::Compiled), None));
        }
        let id = format!("block {}/{}", chapter.crate_name, rust.name);
        let snapshot_path = self
            .layout
            .snapshots_dir
            .join(snapshot::file_name(&chapter.crate_name, &rust.name));
        let active = cache.is_active();
        // Not the block's line: inserting prose above a block changes neither
        // its executable nor its snapshot, and must not run it again.
        let fingerprint = || {
            if !active {
                return None;
            }
            Some(
                Fingerprint::new("block")
                    .file_identity(executable)?
                    .text(&format!("{:?} {:?}", rust.mode, self.options.timeout))
                    .file_contents(&snapshot_path),
            )
        };
        if cache.is_fresh(&id, fingerprint().as_ref()) {
            let output = snapshot::read_output(&self.layout.snapshots_dir, &chapter.crate_name, &rust.name)?;
            return Ok((Verdict::Passed(Pass::Unchanged), Some(output)));
        }
        cache.forget(&id);
        let scratch = self.layout.target_dir.join("xtask/scratch");
        let output = match run::run_block(executable, &rust.mode, line_map, &scratch, self.options.timeout)? {
            Ok(output) => output,
            Err(failure) => {
                return Ok((
                    Verdict::Failed {
                        line: failure.line.unwrap_or(line),
                        message: failure.message,
                    },
                    None,
                ));
            }
        };
        // A picture the book could not draw fails here, before its output is accepted.
        let mut checked = true;
        if rust.graph {
            match graph::svg(&output) {
                Ok(_) => {}
                Err(GraphError::NoGraphviz(why)) => {
                    checked = false;
                    self.graphs_unchecked.borrow_mut().get_or_insert(why);
                }
                Err(problem) => return fail(problem.to_string()),
            }
        }
        let snapshot_id = SnapshotId {
            crate_name: &chapter.crate_name,
            block_name: &rust.name,
            chapter: &chapter.display_path,
            line,
            twin: None,
        };
        match snapshot::record(
            &self.layout.snapshots_dir,
            &snapshot_id,
            &output,
            self.options.write_policy(),
        )? {
            Recorded::Unchanged => {}
            Recorded::Accepted(path) => {
                println!("accepted {}", extract::display_path(&self.layout.root, &path).display());
            }
            Recorded::Refreshed(path) => {
                println!(
                    "refreshed {} (same output, metadata brought up to date)",
                    extract::display_path(&self.layout.root, &path).display()
                );
            }
            Recorded::Failed(failure) => return fail(failure),
        }
        // A graph whose DOT went unchecked must be checked next time.
        if checked {
            cache.record_pass(&id, fingerprint().as_ref());
        }
        Ok((Verdict::Passed(Pass::Ran), Some(output)))
    }

    fn line_map(&self, chapter: &Chapter, rust: &RustBlock) -> Option<&LineMap> {
        self.generated
            .iter()
            .find(|k| k.name == chapter.crate_name)?
            .line_maps
            .get(&rust.name)
    }

    /// A twin's verdict: its output (from this run, or without torch from
    /// its committed snapshot) must be what its snapshot holds and must agree
    /// with its Rust block's output, number for number.
    fn twin_verdict(
        &self,
        chapter: &Chapter,
        line: usize,
        python: &PythonBlock,
        rust_name: &str,
        rust_output: Option<&str>,
        twins: &Twins,
    ) -> Result<Verdict> {
        let id = twin_id(&chapter.crate_name, rust_name);
        let verdict = self.twin_outcome(chapter, line, python, rust_name, rust_output, twins)?;
        let mut cache = self.cache.borrow_mut();
        match verdict {
            Verdict::Passed(Pass::TwinRan) => {
                let fingerprint = twins.fingerprint(self.layout, self.options, chapter, rust_name, &python.code);
                cache.record_pass(&id, fingerprint.as_ref());
            }
            Verdict::Passed(Pass::Unchanged) => {}
            _ => cache.forget(&id),
        }
        Ok(verdict)
    }

    fn twin_outcome(
        &self,
        chapter: &Chapter,
        line: usize,
        python: &PythonBlock,
        rust_name: &str,
        rust_output: Option<&str>,
        twins: &Twins,
    ) -> Result<Verdict> {
        let fail = |message: String| Ok(Verdict::Failed { line, message });
        let key = (chapter.crate_name.clone(), rust_name.to_string());
        let unchanged = twins.unchanged.contains(&key);
        // The twin's output, how it was obtained, and the torch it ran with.
        let (output, pass, torch) = match &twins.ran {
            _ if unchanged => {
                let snapshot = snapshot::read_twin(&self.layout.snapshots_dir, &chapter.crate_name, rust_name)?;
                let (output, _) = snapshot.context("the twin's snapshot disappeared during the run")?;
                (output, Pass::Unchanged, None)
            }
            Some((torch, outputs)) => match outputs.get(&key) {
                Some(Ok(output)) => (output.clone(), Pass::TwinRan, Some(torch.as_str())),
                Some(Err(failure)) => return fail(failure.clone()),
                None => return fail("was not run (a bug in the verifier: no result for it)".into()),
            },
            None => {
                let path = extract::display_path(
                    &self.layout.root,
                    &self
                        .layout
                        .snapshots_dir
                        .join(snapshot::twin_file_name(&chapter.crate_name, rust_name)),
                );
                match snapshot::read_twin(&self.layout.snapshots_dir, &chapter.crate_name, rust_name)? {
                    None => {
                        return fail(format!(
                            "no committed snapshot {}, and torch is needed to make one (it is not available \
                             here: see the note below); install torch (README.md, \"Start here\") and run \
                             `cargo xtask verify --update`",
                            path.display()
                        ));
                    }
                    Some((_, code)) if code != python.code => {
                        return fail(format!(
                            "the twin's code differs from the code its snapshot {} was made with, and it \
                             cannot be re-run without torch (see the note below)",
                            path.display()
                        ));
                    }
                    Some((output, _)) => (output, Pass::TwinFromSnapshot, None),
                }
            }
        };
        let Some(rust_output) = rust_output else {
            return fail(format!(
                "not cross-checked: its Rust block `{rust_name}` has no verified output (see its failure)"
            ));
        };
        let id = SnapshotId {
            crate_name: &chapter.crate_name,
            block_name: rust_name,
            chapter: &chapter.display_path,
            line,
            twin: torch.map(|torch| Twin {
                torch,
                code: &python.code,
            }),
        };
        if let Err(disagreement) = crosscheck::compare(rust_output, &output) {
            // A twin that disagrees is never accepted, not even as a pending
            // snapshot, which `cargo insta review` could accept. Its snapshot
            // is compared all the same, without writing, to say what changed.
            let changed = match torch {
                Some(_) => match snapshot::record(&self.layout.snapshots_dir, &id, &output, WritePolicy::Nothing)? {
                    Recorded::Failed(failure) => format!("\nand {failure}"),
                    _ => String::new(),
                },
                None => String::new(),
            };
            return fail(format!("{disagreement}{changed}"));
        }
        if torch.is_some() {
            match snapshot::record(&self.layout.snapshots_dir, &id, &output, self.options.write_policy())? {
                Recorded::Unchanged => {}
                Recorded::Accepted(path) => {
                    println!("accepted {}", extract::display_path(&self.layout.root, &path).display());
                }
                Recorded::Refreshed(path) => {
                    println!(
                        "refreshed {} (same output; the twin's code or torch changed)",
                        extract::display_path(&self.layout.root, &path).display()
                    );
                }
                Recorded::Failed(failure) => return fail(failure),
            }
        }
        Ok(Verdict::Passed(pass))
    }
}

/// The compiler's messages for a block, each introduced by the chapter line it
/// points at (the rendered message itself names the generated file).
fn compiler_messages(chapter: &Path, diagnostics: &[(usize, String)]) -> String {
    let mut by_line: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (line, rendered) in diagnostics {
        by_line.entry(*line).or_default().push(rendered);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_checkout_cargo_ran_not_the_one_compiled_in() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for checkout in [&a, &b] {
            std::fs::create_dir_all(checkout.join("xtask"))?;
            std::fs::create_dir_all(checkout.join("book/sub"))?;
            std::fs::write(checkout.join("book.toml"), "")?;
            std::fs::write(checkout.join("Cargo.toml"), "")?;
        }
        // `cargo run` in checkout a, from anywhere.
        assert_eq!(workspace_root(Some(&a.join("xtask")), &b.join("book/sub"))?, a);
        // The program run directly: the checkout it is run in.
        assert_eq!(workspace_root(None, &b.join("book/sub"))?, b);
        // A manifest directory that is no book's is not trusted.
        assert_eq!(workspace_root(Some(dir.path()), &b)?, b);
        let error = workspace_root(None, dir.path()).unwrap_err();
        assert!(
            error.to_string().contains("not inside the book's repository"),
            "{error}"
        );
        Ok(())
    }
}
