//! `cargo xtask verify`: the stages in order, from the book to a report.
//!
//! [`verify`] reads top to bottom as its stages: read the book, generate
//! the chapter crates, build them, run the Rust blocks (and, meanwhile, the
//! PyTorch twins), judge every block against its snapshot, check the
//! prose's numbers against the verified outputs, build the book,
//! delete what no block makes any more, run the workspace's tests, report.
//! In CI, where nothing is written, the workspace's tests run beside the
//! stages' builds instead, and are finished before any block runs.
//! One verdict cache is loaded at the start and saved at the end.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::book;
use crate::build;
use crate::cache::VerdictCache;
use crate::coverage;
use crate::extract;
use crate::generate::{self, Drift, SyncPolicy};
use crate::layout::Layout;
use crate::prose;
use crate::python;
use crate::report::{Problem, Report};
use crate::run;
use crate::rustfmt::Rustfmt;
use crate::snapshot::{self, WritePolicy};
use crate::stages;
use crate::verdict::Judge;
use crate::workspace_tests;

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
    /// Skip what passed before and has not changed since ([`crate::cache`]).
    /// Ignored when `ci` is set: CI proves everything from scratch.
    pub use_cache: bool,
    /// Run the workspace's own tests, `cargo test --workspace`, last.
    pub workspace_tests: bool,
    /// Build the book to find what its build rejects. `cargo xtask serve`
    /// turns it off: its own build of the book shows and reports the same.
    pub book_check: bool,
}

impl Options {
    pub fn write_policy(&self) -> WritePolicy {
        match (self.update, self.ci) {
            (true, _) => WritePolicy::Accept,
            (false, true) => WritePolicy::Nothing,
            (false, false) => WritePolicy::Pending,
        }
    }

    fn sync_policy(&self) -> SyncPolicy {
        SyncPolicy {
            write: self.update || !self.ci,
            delete_orphans: self.update,
            force: self.force,
        }
    }
}

/// Verifies the book and returns the report. `Err` means the verifier could
/// not do its work at all (no `SUMMARY.md`, an unwritable directory), not
/// that a block failed.
pub fn verify(layout: &Layout, options: &Options) -> Result<Report> {
    let mut clock = Clock::start();
    let chapters = extract::read_book(&layout.root, &layout.book_dir)?;
    let mut cache = VerdictCache::load(&layout.target_dir, options.use_cache && !options.ci);
    let mut report = Report::default();

    let rustfmt = Rustfmt::for_workspace(&layout.root);
    let generated = generate::generate(&chapters, &layout.crates_rel(), &rustfmt, &layout.scratch())?;
    let synced = generate::sync(layout, options.sync_policy(), &chapters, &generated)?;
    report.problems.extend(synced.problems);

    // A stale crate is not built: it is not the code the book shows. A
    // staged chapter's crate is built against its own stage of the engine.
    let showings = stages::Showings::read(&layout.root, &chapters)?;
    report.problems.extend(showings.problems.iter().cloned());
    let stages = match stages::staged_through(&layout.root)? {
        Some(through) => stages::plan(&showings, &chapters, &through)?,
        None => Vec::new(),
    };
    for stage in &stages {
        report
            .problems
            .extend(stages::long_listings(&showings, &layout.root, &chapters, stage));
    }
    let is_staged = |name: &str| stages.iter().any(|stage| stage.chapter == name);
    let (staged, to_build): (Vec<_>, Vec<_>) = generated
        .iter()
        .filter(|k| !synced.stale.contains(&k.name))
        .partition(|k| is_staged(&k.name));
    clock.lap("reading and generating");
    let mut built = build::build(&layout.root, &layout.target_dir, &to_build, options.show_cargo_progress)?;
    clock.lap("building the chapters");
    // In CI nothing is written, so the workspace's tests find the same files
    // now as at the end: they build and run beside the stages' builds (their
    // own target directory is free now), which leave one of the two cores
    // idle about a third of the time. The blocks are run once they are done,
    // on a quiet machine, against their time limit.
    let beside = options.workspace_tests && options.ci && !options.update;
    let early_tests = beside
        .then(|| workspace_tests::start(layout, workspace_tests::Echo::Kept))
        .transpose()?;
    let stage_builds = stages::build(
        layout,
        &showings,
        &stages,
        &staged,
        &chapters,
        &mut cache,
        options.show_cargo_progress,
    )?;
    built.blocks.extend(stage_builds.result.blocks);
    built.other_errors.extend(stage_builds.result.other_errors);
    let (stage_problems, points_checked) = (stage_builds.problems, stage_builds.points_checked);
    clock.lap("building the stages");
    let early_tests = early_tests.map(workspace_tests::Running::finish).transpose()?;
    if early_tests.is_some() {
        clock.lap("the workspace's tests, after the stages");
    }
    let last_staged = stages.last().map(|stage| stage.index);
    report
        .problems
        .extend(stages::check_versions(layout, &showings, &chapters, last_staged)?);
    report.problems.extend(built.other_errors.iter().map(|error| Problem {
        location: "cargo build".into(),
        message: error.clone(),
    }));

    // The twins need no Rust output to run, only to be judged: they run
    // beside the Rust blocks.
    let (rust_runs, twins) = std::thread::scope(|scope| {
        let twins = scope
            .spawn(|| python::run_book_twins(layout, options.timeout, options.python.as_deref(), &chapters, &cache));
        let rust_runs = run::run_blocks(
            layout,
            options.timeout,
            &chapters,
            &built,
            &synced.stale,
            &cache,
            options.update,
        );
        let twins = twins.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rust_runs, twins)
    });
    let twins = twins?;
    clock.lap("running the blocks and twins");
    report.twins_not_rerun = twins.not_run.clone();

    let verdicts = Judge::new(layout, options, &generated, &twins, &mut cache).judge_book(&chapters, rust_runs?)?;
    for chapter in &verdicts.chapters {
        println!("{}", chapter.progress_line());
    }
    report.chapters = verdicts.chapters;
    // Against the outputs just judged (and, with `--update`, written).
    clock.lap("judging");
    let (exercises, exercise_problems) = crate::exercise::check(layout, &stages, &staged, &chapters, &mut cache)?;
    clock.lap("the exercises");
    report.problems.extend(exercise_problems);
    for stage in &stages {
        let problems = stage_problems.get(&stage.chapter).map_or(&[][..], Vec::as_slice);
        let (chapter, judged) = (&chapters[stage.index], &report.chapters[stage.index]);
        let rust: Vec<_> = chapter
            .blocks
            .iter()
            .zip(&judged.blocks)
            .filter(|(block, _)| matches!(block.kind, extract::BlockKind::Rust(_)))
            .collect();
        let matched = rust
            .iter()
            .filter(|(_, judged)| matches!(judged.verdict, crate::report::Verdict::Passed(_)))
            .count();
        let points = points_checked.get(&stage.chapter).copied().unwrap_or(0);
        let line = stages::summary_line(stage, problems.len(), matched, rust.len(), points);
        println!("{line}");
        report.stages.push(line);
    }
    for line in exercises {
        println!("{line}");
        report.stages.push(line);
    }
    if let Some(last) = stages.last()
        && let Some(next) = chapters.get(last.index + 1)
    {
        let line = format!(
            "stages end at {}: {} and the chapters after it are built against the finished engine",
            last.chapter, next.crate_name
        );
        println!("{line}");
        report.stages.push(line);
    }
    report.problems.extend(stage_problems.into_values().flatten());
    report.problems.extend(
        crate::listing::broken_anchors(&layout.root, &chapters)
            .into_iter()
            .map(|(location, message)| Problem { location, message }),
    );
    let mut measured = coverage::measure(&layout.root, &chapters)?;
    measured.longest_listing = stages::longest_listing(&showings, &layout.root, &chapters);
    report.coverage = Some(measured);
    let prose = prose::check(&layout.root, &layout.snapshots_dir, &chapters)?;
    report.problems.extend(prose.unproven.iter().map(|unproven| Problem {
        location: format!("{}:{}", unproven.path.display(), unproven.line),
        message: format!("`{}` in the prose: {}", unproven.shown, unproven.message),
    }));
    report.prose = Some(prose);
    let markdown = chapters
        .iter()
        .map(|c| std::fs::read_to_string(layout.root.join(&c.display_path)))
        .collect::<std::io::Result<Vec<_>>>()
        .context("cannot read a chapter again")?;
    report.problems.extend(crate::commands::check(&chapters, &markdown));
    report.graphs_unchecked = verdicts.graphs_unchecked;

    clock.lap("the listings, coverage and prose");
    if options.book_check {
        report.problems.extend(book::check_cached(layout, &mut cache)?);
    }
    remove_orphans(layout, options, &chapters, &synced.orphans, &mut report)?;
    clock.lap("the book");
    if early_tests.is_some() {
        report.workspace_tests = early_tests;
    } else if options.workspace_tests {
        report.workspace_tests = Some(workspace_tests::run(layout, &mut cache)?);
        clock.lap("the workspace's tests");
    }
    cache.save()?;
    println!("{}", clock.summary());
    Ok(report)
}

/// How long each stage of a run took, to see where a slow run goes.
struct Clock {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Clock {
    fn start() -> Self {
        Clock {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// The stage that ends now.
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }

    /// `verify: 402 s: building the chapters 85 s, …`, stages under a second left out.
    fn summary(&self) -> String {
        let total: Duration = self.laps.iter().map(|(_, took)| *took).sum();
        let laps: Vec<String> = self
            .laps
            .iter()
            .filter(|(_, took)| took.as_secs() > 0)
            .map(|(stage, took)| format!("{stage} {} s", took.as_secs()))
            .collect();
        let total = format!("verify: took {:.1} s", total.as_secs_f64());
        if laps.is_empty() {
            total
        } else {
            format!("{total}: {}", laps.join(", "))
        }
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
    chapters: &[extract::Chapter],
    files: &[Drift],
    report: &mut Report,
) -> Result<()> {
    let snapshots = snapshot::orphans(&layout.snapshots_dir, chapters)?;
    let crates_rel = layout.crates_rel();
    let shown_files = files.iter().map(|d| crates_rel.join(&d.path));
    let shown_snapshots = snapshots.iter().map(|p| layout.shown(p));
    if !options.update {
        // The snapshots of a chapter that is gone, or out of SUMMARY.md, in one message.
        let mut of_gone_chapters: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        for (path, shown) in snapshots.iter().zip(shown_snapshots) {
            let crate_name = snapshot::crate_of(path);
            if crate_name
                .as_ref()
                .is_some_and(|name| !chapters.iter().any(|c| &c.crate_name == name))
            {
                of_gone_chapters
                    .entry(crate_name.unwrap_or_default())
                    .or_default()
                    .push(shown);
                continue;
            }
            report.problems.push(Problem {
                location: shown.display().to_string(),
                message: "orphan snapshot: no block of the book has this name any more; \
                          `cargo xtask verify --update` deletes it"
                    .into(),
            });
        }
        for (crate_name, files) in of_gone_chapters {
            let pattern = layout.shown(&layout.snapshots_dir.join(format!("{crate_name}__*")));
            report.problems.push(Problem {
                location: pattern.display().to_string(),
                message: format!(
                    "{} snapshot(s): {}",
                    files.len(),
                    generate::gone_chapter(layout, &crate_name)
                ),
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
    for shown in shown_files {
        println!(
            "deleted {} (no block of the book generates it any more)",
            shown.display()
        );
    }
    for (path, shown) in snapshots.iter().zip(shown_snapshots) {
        snapshot::delete(path).with_context(|| format!("cannot delete the orphan {}", shown.display()))?;
        println!(
            "deleted {} (no block of the book has this name any more)",
            shown.display()
        );
    }
    Ok(())
}
