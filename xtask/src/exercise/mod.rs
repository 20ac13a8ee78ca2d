//! The reader's workbench: a chapter's engine with the methods and public
//! functions of the listings it marks as exercises (`rust,listing,exercise`)
//! left for the reader to write. `cargo xtask new --exercise <chapter> <dir>` writes it as a
//! standalone crate whose tests are the chapter's programs and the outputs
//! the book shows; `cargo xtask verify` proves, per chapter, that the
//! stubbed crate compiles, that each stub makes a program print something
//! else (the tests have teeth), and that the book's own code passes them.
//!
//! One build serves every stub, the stage's own: there each exercise
//! function starts with a switch (`AUTOGRAD_STUB=<name>` makes it
//! `todo!()`; unset, it does nothing), and the programs run once per
//! function with it set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build;
use crate::cache::VerdictCache;
use crate::extract::{BlockKind, Chapter, Mode};
use crate::generate::GeneratedCrate;
use crate::layout::Layout;
use crate::report::Problem;
use crate::stages::{Stage, StageFile, StageInputs};

mod gradcheck_tests;
mod reference_tests;

/// The environment variable that turns one exercise function into its stub
/// in the verifier's build.
const SWITCH: &str = "AUTOGRAD_STUB";

/// A function the reader writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// Its name, made unique within the chapter (`try_mul`, `add#2`).
    pub name: String,
    /// The engine file it is in (`src/tensor/ops/elementwise.rs`).
    pub file: PathBuf,
    /// Where the book shows it (`book/ch03-vectors.md:368`) and under which
    /// heading.
    pub shown_at: String,
    pub section: String,
}

/// How an exercise function's body is left out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stubbing {
    /// The reader's copy: the body is a `todo!()` naming what to read.
    Todo,
    /// The verifier's build: the body stays, behind a switch.
    Switch,
}

/// The stage as verify builds it: with each exercise function of its
/// chapter behind a switch that makes it `todo!()` when
/// `AUTOGRAD_STUB=<name>` is set, and does nothing otherwise. So one build
/// runs the chapter's programs as the book's code and as each stub.
pub fn with_switches(stage: &Stage, chapter: &Chapter, root: &Path) -> Result<Stage> {
    if exercise_lines(chapter).next().is_none() {
        return Ok(stage.clone());
    }
    let markdown = std::fs::read_to_string(root.join(&chapter.display_path))
        .with_context(|| format!("cannot read {}", chapter.display_path.display()))?;
    Ok(stubbed(stage, chapter, &markdown, Stubbing::Switch).0)
}

/// The chapter's crate as its stage's workspace holds it: with the
/// dev-dependency of the gradient checks when the chapter has an exercise
/// and the book has operations to check (`reference/operations.json`).
pub fn with_test_dependencies(krate: &GeneratedCrate, chapter: &Chapter, root: &Path) -> GeneratedCrate {
    let mut krate = krate.clone();
    if exercise_lines(chapter).next().is_some()
        && root.join("reference/operations.json").exists()
        && let Some(manifest) = krate.files.get_mut(Path::new("Cargo.toml"))
    {
        manifest.push_str(TEST_DEPENDENCIES);
    }
    krate
}

/// The chapters that mark exercises, by crate name.
pub fn chapters_with_exercises(book: &[Chapter]) -> Vec<String> {
    book.iter()
        .filter(|chapter| exercise_lines(chapter).next().is_some())
        .map(|chapter| chapter.crate_name.clone())
        .collect()
}

/// The chapter lines of a chapter's exercise listings' includes.
fn exercise_lines(chapter: &Chapter) -> impl Iterator<Item = usize> + '_ {
    chapter.blocks.iter().flat_map(|block| match &block.kind {
        BlockKind::Listing(listing) if listing.exercise => {
            (0..listing.includes.len()).map(|k| block.line + 1 + k).collect()
        }
        _ => Vec::new(),
    })
}

/// The stage's files with its chapter's exercise functions stubbed, and the
/// functions.
fn stubbed(stage: &Stage, chapter: &Chapter, markdown: &str, how: Stubbing) -> (Stage, Vec<Exercise>) {
    let marked: Vec<usize> = exercise_lines(chapter).collect();
    let headings: Vec<(usize, &str)> = markdown
        .lines()
        .enumerate()
        .filter_map(|(i, line)| Some((i + 1, line.strip_prefix("## ")?)))
        .collect();
    let mut exercises: Vec<Exercise> = Vec::new();
    let mut files = BTreeMap::new();
    for (path, file) in &stage.files {
        let lines: Vec<&str> = file.text.lines().collect();
        let in_exercise = |i: usize| {
            file.shown_at
                .get(i)
                .cloned()
                .flatten()
                .filter(|(shown_in, line)| shown_in == &chapter.display_path && marked.contains(line))
        };
        let mut out: Vec<String> = Vec::new();
        let mut shown_at: Vec<Option<(PathBuf, usize)>> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            // A method or a public function (not a private helper) whose
            // first line an exercise listing shows, and all of whose lines
            // this chapter shows.
            let this_chapter = |k: usize| {
                file.shown_at
                    .get(k)
                    .cloned()
                    .flatten()
                    .is_some_and(|(shown_in, _)| shown_in == chapter.display_path)
                    || lines[k].trim().is_empty()
            };
            let body = in_exercise(i)
                .filter(|_| lines[i].starts_with(' ') || lines[i].starts_with("pub"))
                .and_then(|at| Some((at, function_at(&lines, i)?)));
            let Some(((_, listing_line), (name, open, close))) =
                body.filter(|(_, (_, _, close))| (i..=*close).all(this_chapter))
            else {
                out.push(lines[i].to_string());
                shown_at.push(file.shown_at.get(i).cloned().flatten());
                i += 1;
                continue;
            };
            let taken = exercises
                .iter()
                .filter(|e| e.name == name || e.name.starts_with(&format!("{name}#")))
                .count();
            let name = if taken == 0 {
                name
            } else {
                format!("{name}#{}", taken + 1)
            };
            let section = headings
                .iter()
                .rev()
                .find(|(line, _)| *line < listing_line)
                .map_or("", |(_, heading)| heading);
            let exercise = Exercise {
                name: name.clone(),
                file: path.clone(),
                shown_at: format!("{}:{listing_line}", chapter.display_path.display()),
                section: section.to_string(),
            };
            let indent = " ".repeat(lines[i].len() - lines[i].trim_start().len() + 4);
            let todo = format!(
                "todo!(\"write `{}`: {}, \\\"{}\\\"\")",
                name.split('#').next().unwrap_or(&name),
                exercise.shown_at,
                exercise.section.replace('"', "'").replace('\\', "")
            );
            out.extend(lines[i..=open].iter().map(|line| line.to_string()));
            shown_at.extend((i..=open).map(|k| file.shown_at.get(k).cloned().flatten()));
            match how {
                Stubbing::Todo => {
                    out.push(format!("{indent}{todo}"));
                    shown_at.push(None);
                    i = close;
                }
                Stubbing::Switch => {
                    out.push(format!(
                        "{indent}if std::env::var_os(\"{SWITCH}\").is_some_and(|stub| stub == \"{name}\") {{ {todo} }}"
                    ));
                    shown_at.push(None);
                    i = open + 1;
                }
            }
            exercises.push(exercise);
        }
        let text = out.iter().map(|line| format!("{line}\n")).collect();
        files.insert(path.clone(), StageFile { text, shown_at });
    }
    let stage = Stage {
        chapter: stage.chapter.clone(),
        index: stage.index,
        files,
    };
    (stage, exercises)
}

/// The function whose `fn` line is line `i` (0-based), as rustfmt lays it
/// out: its name, the line its body opens on and the line it closes on.
/// `None` for anything else, a declaration without a body, or a `const fn`
/// (a switch cannot read the environment there).
fn function_at(lines: &[&str], i: usize) -> Option<(String, usize, usize)> {
    let line = lines[i];
    let mut words = line
        .split_whitespace()
        .skip_while(|w| *w == "pub" || w.starts_with("pub(") || *w == "unsafe");
    if words.next()? != "fn" {
        return None;
    }
    let name: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let indent = &line[..line.len() - line.trim_start().len()];
    let open = (i..lines.len()).find(|&k| {
        let l = lines[k];
        l.trim_end().ends_with('{') && (k == i || l.starts_with(&format!("{indent})")) || l == format!("{indent}{{"))
    })?;
    if (i..open).any(|k| lines[k].trim_end().ends_with(';')) {
        return None;
    }
    let close = (open + 1..lines.len()).find(|&k| lines[k] == format!("{indent}}}"))?;
    (close > open + 1).then_some((name, open, close))
}

/// The exercise's `programs` tests: one test per program that runs,
/// comparing what it prints with what the book shows. `bin_name` names a
/// block's executable in the crate the tests are built in.
fn programs_tests(chapter: &Chapter, snapshots: &Path, bin_name: &dyn Fn(&str) -> String) -> Result<(String, usize)> {
    let mut text = format!(
        "//! The programs of {}, each run and its output compared with the one the book\n\
         //! shows. A function still to write panics with `todo!`, naming the listing\n\
         //! to read.\n\n\
         use std::process::Command;\n\n\
         fn check(program: &str, block: &str, expected: &str) {{\n    \
         let output = Command::new(program).output().expect(\"the program runs\");\n    \
         let printed = String::from_utf8_lossy(&output.stdout);\n    \
         let errors = String::from_utf8_lossy(&output.stderr);\n    \
         assert!(\n        \
         printed.trim_end() == expected.trim_end(),\n        \
         \"block `{{block}}` of {}:\\n--- the book shows:\\n{{expected}}\\n--- it printed:\\n{{printed}}\\n{{errors}}\"\n    \
         );\n}}\n",
        chapter.display_path.display(),
        chapter.display_path.display()
    );
    let mut tests = 0;
    for (block, rust) in chapter.compiled_blocks().filter(|(_, rust)| rust.mode == Mode::Run) {
        let expected = crate::snapshot::read_output(snapshots, &chapter.crate_name, &rust.name)?;
        text.push_str(&format!(
            "\n/// {}:{}\n#[test]\nfn {}() {{\n    check(env!(\"CARGO_BIN_EXE_{}\"), {:?}, {:?});\n}}\n",
            chapter.display_path.display(),
            block.line,
            rust.name.replace('-', "_"),
            bin_name(&rust.name),
            rust.name,
            expected
        ));
        tests += 1;
    }
    Ok((text, tests))
}

/// Writes chapter `chapter`'s exercise into `dir`: the copy of the chapter's
/// crate with the engine as the chapter ends it, its exercise functions
/// stubbed, and its programs as tests.
pub fn new_exercise_crate(root: &Path, chapter: &str, dir: &Path) -> Result<crate::copy_out::Copied> {
    let book = crate::extract::read_book(root, &root.join("book"))?;
    let available = chapters_with_exercises(&book);
    if available.is_empty() {
        bail!("no chapter marks exercises yet (a `rust,listing,exercise` listing)");
    }
    let all = crate::copy_out::chapter_crates(&book);
    let name = match crate::copy_out::resolve_chapter(&all, chapter) {
        Ok(name) if !available.contains(&name) => bail!(
            "{name} marks no exercise; the chapters with one are:\n  {}",
            available.join("\n  ")
        ),
        _ => crate::copy_out::resolve_chapter(&available, chapter)?,
    };
    let index = book
        .iter()
        .position(|c| c.crate_name == name)
        .context("the chapter is in the book")?;
    let showings = crate::stages::Showings::read(root, &book)?;
    let end = showings.files_at(crate::stages::Position {
        chapter: index,
        line: usize::MAX,
    });
    let stage = Stage {
        chapter: name.clone(),
        index,
        files: end
            .into_iter()
            .map(|(path, lines)| (path, crate::stages::stage_file(lines)))
            .collect(),
    };
    let markdown = std::fs::read_to_string(root.join(&book[index].display_path))?;
    let (stubbed, exercises) = stubbed(&stage, &book[index], &markdown, Stubbing::Todo);
    let references = References::read(root)?;
    let tests = ExerciseTests::new(
        &book[index],
        &root.join("tests/snapshots"),
        &references,
        &stubbed,
        &exercises,
        &|block| block.to_string(),
    )?;
    let mut files: Vec<(PathBuf, String)> = stubbed
        .files
        .iter()
        .map(|(path, file)| (Path::new("autograd").join(path), file.text.clone()))
        .collect();
    files.extend(tests.formatted(root, &root.join("target/xtask/scratch"))?);
    let dev_dependencies = if tests.counts.iter().any(|(name, _)| *name == "gradcheck") {
        TEST_DEPENDENCIES
    } else {
        ""
    };
    crate::copy_out::new_crate_with_engine(root, &name, dir, files, dev_dependencies, exercises)
}

/// What a passing run of `total` tests prints, as the book shows it: the
/// test lines and the time left out.
fn passing_run(total: usize) -> String {
    let tests = if total == 1 { "test" } else { "tests" };
    format!(
        "running {total} {tests}\n…\ntest result: ok. {total} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"
    )
}

/// The chapter shows the exercise's passing run: a `text` block right after
/// the `console` block that runs `cargo test --test exercise`, printing
/// `printed`.
fn check_shown_run(chapter: &Chapter, markdown: &str, printed: &str) -> Option<Problem> {
    let body = |range: &std::ops::Range<usize>| {
        let block = &markdown[range.clone()];
        let lines: Vec<&str> = block.lines().collect();
        lines[1..lines.len().saturating_sub(1)].join("\n")
    };
    let command = chapter.blocks.iter().position(|block| {
        matches!(block.kind, BlockKind::Shown("console")) && body(&block.range).contains("cargo test --test exercise")
    });
    let shown = command
        .and_then(|k| chapter.blocks.get(k + 1))
        .filter(|block| matches!(block.kind, BlockKind::Shown("text")));
    let location = |line: usize| format!("{}:{line}", chapter.display_path.display());
    match (command, shown) {
        (Some(_), Some(block)) if body(&block.range).trim_end() == printed => None,
        (Some(_), Some(block)) => Some(Problem {
            location: location(block.line),
            message: format!(
                "the exercise's passing run prints\n{printed}\nand the book shows\n{}",
                body(&block.range)
            ),
        }),
        (Some(k), None) => Some(Problem {
            location: location(chapter.blocks[k].line),
            message: format!("a `text` block must follow this command with what the passing run prints:\n{printed}"),
        }),
        (None, _) => Some(Problem {
            location: chapter.display_path.display().to_string(),
            message: format!(
                "the chapter has an exercise and no `console` block running `cargo test --test exercise` \
                 followed by a `text` block with what the passing run prints:\n{printed}"
            ),
        }),
    }
}

/// A run of a test executable.
struct TestRun {
    passed: Vec<String>,
    failed: Vec<String>,
    /// What it printed, for a failure's message.
    output: String,
}

/// Runs the tests of a libtest executable, with `stub` switched to its
/// `todo!()`.
fn run_tests(executable: &Path, stub: Option<&str>, args: &[&str]) -> Result<TestRun> {
    let mut command = std::process::Command::new(executable);
    command.args(args);
    if let Some(stub) = stub {
        command.env(SWITCH, stub);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", executable.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = |verdict: &str| {
        stdout
            .lines()
            .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(verdict))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut failed = result(" ... FAILED");
    if !output.status.success() && failed.is_empty() {
        failed.push(format!("(the test executable failed: {})", output.status));
    }
    Ok(TestRun {
        passed: result(" ... ok"),
        failed,
        output: stdout.into_owned(),
    })
}

/// Whether a test fails with `stub` left as `todo!()`: the generated tests
/// first, which take milliseconds, and the programs, some of which train a
/// network, only when none of them does.
fn fails_a_test(executable: &Path, stub: &str) -> Result<bool> {
    for args in [&["--skip", "programs::"][..], &["programs::"][..]] {
        if !run_tests(executable, Some(stub), args)?.failed.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The report's line for a chapter's exercise: `passed` has each test
/// module's name and number of tests.
fn summary(chapter: &str, stubbed: usize, caught: usize, passed: &[(&str, usize)]) -> String {
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let total = passed.iter().map(|(_, n)| n).sum::<usize>();
    let kinds: Vec<String> = passed
        .iter()
        .map(|(module, n)| match *module {
            "programs" => count(*n, "program", "programs"),
            "reference" => count(*n, "case from PyTorch", "cases from PyTorch"),
            _ => count(*n, "gradient check", "gradient checks"),
        })
        .collect();
    format!(
        "exercise {chapter}: {stubbed} functions stubbed, {caught} caught, solution passes {} ({})",
        count(total, "test", "tests"),
        kinds.join(", ")
    )
}

/// The dev-dependency of the generated gradient checks.
const TEST_DEPENDENCIES: &str =
    "\n# The gradient checks draw their inputs with proptest.\n[dev-dependencies]\nproptest = \"1\"\n";

/// What the generated tests are written from: `reference/cases.json`
/// (PyTorch's numbers) and `reference/operations.json` (each operation's
/// gradcheck samples).
struct References {
    cases: serde_json::Value,
    operations: serde_json::Value,
}

impl References {
    fn read(root: &Path) -> Result<Self> {
        let cases = reference_tests::read_reference(root, "cases.json")?;
        let operations = reference_tests::read_reference(root, "operations.json")?;
        Ok(References { cases, operations })
    }
}

/// An exercise's tests, `tests/exercise/`: one test executable, so that
/// `cargo test --test exercise` runs them all and a failing kind does not
/// stop the others. Its modules: `programs` (the chapter's programs and
/// the outputs the book shows), `reference` (PyTorch's cases) and
/// `gradcheck` (the gradient checks), when the chapter has any.
struct ExerciseTests {
    /// Each module's name and text.
    modules: Vec<(&'static str, String)>,
    /// Each module's name and number of tests.
    counts: Vec<(&'static str, usize)>,
}

impl ExerciseTests {
    fn new(
        chapter: &Chapter,
        snapshots: &Path,
        references: &References,
        stage: &Stage,
        exercises: &[Exercise],
        bin_name: &dyn Fn(&str) -> String,
    ) -> Result<Self> {
        let (programs, count) = programs_tests(chapter, snapshots, bin_name)?;
        let mut modules = vec![("programs", programs, count)];
        let reference = reference_tests::reference_tests(&references.cases, &chapter.display_path, stage, exercises);
        modules.extend(reference.map(|(text, count)| ("reference", text, count)));
        let gradcheck =
            gradcheck_tests::gradcheck_tests(&references.operations, &chapter.display_path, stage, exercises);
        modules.extend(gradcheck.map(|(text, count)| ("gradcheck", text, count)));
        Ok(ExerciseTests {
            counts: modules.iter().map(|(name, _, count)| (*name, *count)).collect(),
            modules: modules.into_iter().map(|(name, text, _)| (name, text)).collect(),
        })
    }

    /// The files, as `cargo fmt` would leave them (so that the reader's own
    /// does not rewrite them), by their paths in the crate.
    fn formatted(&self, root: &Path, scratch: &Path) -> Result<Vec<(PathBuf, String)>> {
        // `main.rs` only declares the modules: rustfmt, which would look
        // for their files beside it, is not needed to write it.
        let mut main = "//! The exercise's tests, one executable: `cargo test --test exercise`.\n\n".to_string();
        for (name, _) in &self.modules {
            main.push_str(&format!("mod {name};\n"));
        }
        let texts: Vec<String> = self.modules.iter().map(|(_, text)| text.clone()).collect();
        let formatted = crate::rustfmt::Rustfmt::for_workspace(root).format_all(&texts, scratch)?;
        let mut files = vec![(PathBuf::from("tests/exercise/main.rs"), main)];
        for ((name, _), text) in self.modules.iter().zip(formatted) {
            let path = Path::new("tests/exercise").join(format!("{name}.rs"));
            let text = text.with_context(|| format!("rustfmt cannot parse the generated {}", path.display()))?;
            files.push((path, text));
        }
        Ok(files)
    }
}

/// Checks every staged chapter's exercise: the reader's copy compiles with
/// its stubs; each stub makes a test fail; the book's code passes them.
/// Returns the report's lines and the problems.
pub fn check(
    layout: &Layout,
    stages: &[Stage],
    generated: &[&GeneratedCrate],
    chapters: &[Chapter],
    cache: &mut VerdictCache,
) -> Result<(Vec<String>, Vec<Problem>)> {
    let inputs = cache.is_active().then(|| StageInputs::read(layout, chapters)).flatten();
    let (mut lines, mut problems) = (Vec::new(), Vec::new());
    let target_dir = layout.target_dir.join("stages/target");
    let references = References::read(&layout.root)?;
    for stage in stages {
        let chapter = &chapters[stage.index];
        let Some(krate) = generated.iter().find(|k| k.name == stage.chapter) else {
            continue;
        };
        if exercise_lines(chapter).next().is_none() {
            continue;
        }
        let markdown = std::fs::read_to_string(layout.root.join(&chapter.display_path))?;
        let (todo, exercises) = stubbed(stage, chapter, &markdown, Stubbing::Todo);
        let tests = ExerciseTests::new(
            chapter,
            &layout.snapshots_dir,
            &references,
            &todo,
            &exercises,
            &|block| GeneratedCrate::bin_name(&krate.name, block),
        )?;
        // Passed before, from the same stage and the same tests: the same
        // stubs, caught by the same tests.
        let id = format!("exercise {}", stage.chapter);
        let fingerprint = inputs.as_ref().map(|inputs| {
            tests
                .modules
                .iter()
                .fold(inputs.fingerprint(stage.index, krate), |f, (_, text)| f.text(text))
        });
        if cache.is_fresh(&id, fingerprint.as_ref()) {
            lines.push(summary(&stage.chapter, exercises.len(), exercises.len(), &tests.counts));
            let total = tests.counts.iter().map(|(_, n)| n).sum::<usize>();
            problems.extend(check_shown_run(chapter, &markdown, &passing_run(total)));
            continue;
        }
        cache.forget(&id);
        let problems_before = problems.len();
        let at = |message: String| Problem {
            location: chapter.display_path.display().to_string(),
            message,
        };
        // The reader's copy compiles, its stubs and all.
        let name = format!("{}-exercise", stage.chapter);
        let mut todo = todo;
        if let Some(lib) = todo.files.get_mut(Path::new("src/lib.rs")) {
            lib.text.insert_str(0, "#![allow(warnings)]\n");
            lib.shown_at.insert(0, None);
        }
        // Only the engine: the programs are the book's, the same in both.
        let workspace = crate::stages::write_stage_workspace(layout, &name, &todo, krate)?;
        let env = [("RUSTFLAGS", "-D warnings")];
        let errors = build::check_library(&workspace.0, &target_dir, "autograd", &env)?;
        if !errors.is_empty() {
            problems.push(at(format!(
                "the exercise of {} does not compile with its functions stubbed:\n{}",
                chapter.display_path.display(),
                errors.join("\n")
            )));
            continue;
        }
        // The tests, built in the stage's own workspace, where every stub
        // is behind its switch.
        let stage_root = layout.target_dir.join("stages").join(&stage.chapter);
        let crate_dir = stage_root.join(crate::stages::stage_crate_dir(layout, &stage.chapter, &krate.name));
        for (path, text) in tests.formatted(&layout.root, &layout.scratch())? {
            let path = crate_dir.join(path);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::create_dir_all(path.parent().context("a file has a directory")?)?;
                crate::atomic::write(&path, text.as_bytes())?;
            }
        }
        let executable = match build::build_tests(&stage_root, &target_dir, &krate.name, &["exercise"], &env)? {
            Ok(mut executables) => executables.remove(0),
            Err(errors) => {
                problems.push(at(format!(
                    "the tests of {}'s exercise do not compile (target/stages/{}):\n{}",
                    chapter.display_path.display(),
                    stage.chapter,
                    errors.join("\n")
                )));
                continue;
            }
        };
        // The book's own code passes every test.
        let run = run_tests(&executable, None, &[])?;
        if !run.failed.is_empty() {
            problems.push(at(format!(
                "the exercise of {}: the book's own code fails {} of its {} tests \
                 (target/stages/{}/…/tests/exercise/):\n{}",
                chapter.display_path.display(),
                run.failed.len(),
                run.failed.len() + run.passed.len(),
                stage.chapter,
                run.output
            )));
        }
        // What the book shows of that run.
        let printed = run
            .output
            .lines()
            .find(|line| line.starts_with("running "))
            .into_iter()
            .chain(["…"])
            .chain(run.output.lines().filter_map(|line| {
                let result = line.strip_prefix("test result: ")?;
                Some(line.split("; finished in").next().unwrap_or(result))
            }))
            .collect::<Vec<_>>()
            .join("\n");
        problems.extend(check_shown_run(chapter, &markdown, &printed));
        let passed: Vec<(&str, usize)> = tests
            .counts
            .iter()
            .map(|(module, _)| {
                let prefix = format!("{module}::");
                (*module, run.passed.iter().filter(|t| t.starts_with(&prefix)).count())
            })
            .collect();
        // Each stub makes one fail.
        let mut caught = 0;
        for exercise in &exercises {
            if !fails_a_test(&executable, &exercise.name)? {
                problems.push(Problem {
                    location: exercise.shown_at.clone(),
                    message: format!(
                        "exercise function `{}` ({}): no test of the chapter fails when it is left as `todo!()`; \
                         a program of the chapter must use it, or it is no exercise",
                        exercise.name,
                        exercise.file.display()
                    ),
                });
            } else {
                caught += 1;
            }
        }
        lines.push(summary(&stage.chapter, exercises.len(), caught, &passed));
        if problems.len() == problems_before {
            cache.record_pass(&id, fingerprint.as_ref());
        }
    }
    Ok((lines, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_is_found_with_its_body_as_rustfmt_lays_it_out() {
        let lines = [
            "    /// Doc.",
            "    pub fn try_mul(",
            "        self,",
            "        rhs: u8,",
            "    ) -> Result<Self> {",
            "        body();",
            "    }",
            "    fn decl(&self);",
            "    const fn k() -> u8 {",
            "        1",
            "    }",
        ];
        assert_eq!(function_at(&lines, 1), Some(("try_mul".to_string(), 4, 6)));
        assert_eq!(function_at(&lines, 0), None);
        assert_eq!(function_at(&lines, 7), None);
        assert_eq!(function_at(&lines, 8), None);
    }
}
