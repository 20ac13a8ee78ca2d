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

/// The exercise crate's `tests/programs.rs`: one test per program that
/// runs, comparing what it prints with what the book shows.
fn tests_file(chapter: &Chapter, snapshots: &Path) -> Result<(String, usize)> {
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
            rust.name,
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
    let (tests, _) = tests_file(&book[index], &root.join("tests/snapshots"))?;
    let mut files: Vec<(PathBuf, String)> = stubbed
        .files
        .iter()
        .map(|(path, file)| (Path::new("autograd").join(path), file.text.clone()))
        .collect();
    files.push(("tests/programs.rs".into(), tests));
    crate::copy_out::new_crate_with_engine(root, &name, dir, files, exercises)
}

/// The report's line for a chapter's exercise.
fn summary(chapter: &str, stubbed: usize, caught: usize, passed: usize) -> String {
    format!("exercise {chapter}: {stubbed} functions stubbed, {caught} caught, solution passes {passed} tests")
}

/// Checks every staged chapter's exercise: the reader's copy compiles with
/// its stubs; each stub makes a test fail; the book's code passes them.
/// Returns the report's lines and the problems.
pub fn check(
    layout: &Layout,
    stages: &[Stage],
    generated: &[&GeneratedCrate],
    chapters: &[Chapter],
    built: &BTreeMap<crate::extract::BlockId, build::BlockBuild>,
    cache: &mut VerdictCache,
    show_progress: bool,
) -> Result<(Vec<String>, Vec<Problem>)> {
    let inputs = cache.is_active().then(|| StageInputs::read(layout, chapters)).flatten();
    let (mut lines, mut problems) = (Vec::new(), Vec::new());
    let target_dir = layout.target_dir.join("stages/target");
    for stage in stages {
        let chapter = &chapters[stage.index];
        let Some(krate) = generated.iter().find(|k| k.name == stage.chapter) else {
            continue;
        };
        if exercise_lines(chapter).next().is_none() {
            continue;
        }
        let markdown = std::fs::read_to_string(layout.root.join(&chapter.display_path))?;
        // Passed before, from the same stage and the same outputs: the same
        // stubs, caught by the same tests.
        let tests: Vec<String> = chapter
            .compiled_blocks()
            .filter(|(_, rust)| rust.mode == Mode::Run)
            .map(|(_, rust)| crate::snapshot::read_output(&layout.snapshots_dir, &krate.name, &rust.name))
            .collect::<Result<_>>()
            .unwrap_or_default();
        let id = format!("exercise {}", stage.chapter);
        let fingerprint = inputs.as_ref().map(|inputs| {
            tests
                .iter()
                .fold(inputs.fingerprint(stage.index, krate), |f, test| f.text(test))
        });
        if cache.is_fresh(&id, fingerprint.as_ref()) {
            let (_, exercises) = stubbed(stage, chapter, &markdown, Stubbing::Todo);
            lines.push(summary(&stage.chapter, exercises.len(), exercises.len(), tests.len()));
            continue;
        }
        cache.forget(&id);
        let problems_before = problems.len();
        let at = |message: String| Problem {
            location: chapter.display_path.display().to_string(),
            message,
        };
        // The reader's copy compiles, its stubs and all.
        let (todo, exercises) = stubbed(stage, chapter, &markdown, Stubbing::Todo);
        let name = format!("{}-exercise", stage.chapter);
        let mut todo = todo;
        if let Some(lib) = todo.files.get_mut(Path::new("src/lib.rs")) {
            lib.text.insert_str(0, "#![allow(warnings)]\n");
            lib.shown_at.insert(0, None);
        }
        let workspace = crate::stages::write_stage_workspace(layout, &name, &todo, krate)?;
        let bins: Vec<String> = krate
            .line_maps
            .keys()
            .map(|b| GeneratedCrate::bin_name(&krate.name, b))
            .collect();
        let env = [("RUSTFLAGS", "-D warnings")];
        let checked = build::build_with(
            &workspace.0,
            &target_dir,
            &[&workspace.1],
            show_progress,
            &env,
            Some(&bins),
        )?;
        let errors: Vec<String> = checked
            .engine_messages
            .iter()
            .filter(|m| m.is_error)
            .map(|m| m.rendered.clone())
            .chain(checked.other_errors)
            .collect();
        if !errors.is_empty() {
            problems.push(at(format!(
                "the exercise of {} does not compile with its functions stubbed:\n{}",
                chapter.display_path.display(),
                errors.join("\n")
            )));
            continue;
        }
        // The stage's own build has every stub behind its switch.
        let programs: Vec<(String, PathBuf, String)> = chapter
            .compiled_blocks()
            .filter(|(_, rust)| rust.mode == Mode::Run)
            .filter_map(|(_, rust)| {
                let id = crate::extract::BlockId {
                    crate_name: krate.name.clone(),
                    block: rust.name.clone(),
                };
                let executable = built.get(&id)?.executable.clone()?;
                let expected = crate::snapshot::read_output(&layout.snapshots_dir, &krate.name, &rust.name).ok()?;
                Some((rust.name.clone(), executable, expected))
            })
            .collect();
        let prints = |executable: &Path, stub: Option<&str>| -> Option<String> {
            let mut command = std::process::Command::new(executable);
            if let Some(stub) = stub {
                command.env(SWITCH, stub);
            }
            let output = command.output().ok()?;
            output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).trim_end().to_string())
        };
        let passed = programs
            .iter()
            .filter(|(_, executable, expected)| prints(executable, None).as_deref() == Some(expected.trim_end()))
            .count();
        if passed < programs.len() {
            problems.push(at(format!(
                "the exercise of {}: the book's own code passes {passed} of its {} tests",
                chapter.display_path.display(),
                programs.len()
            )));
        }
        let mut caught = 0;
        for exercise in &exercises {
            let fails = programs.iter().any(|(_, executable, expected)| {
                prints(executable, Some(&exercise.name)).as_deref() != Some(expected.trim_end())
            });
            if fails {
                caught += 1;
            } else {
                problems.push(Problem {
                    location: exercise.shown_at.clone(),
                    message: format!(
                        "exercise function `{}` ({}): no test of the chapter fails when it is left as `todo!()`; \
                         a program of the chapter must use it, or it is no exercise",
                        exercise.name,
                        exercise.file.display()
                    ),
                });
            }
        }
        lines.push(summary(&stage.chapter, exercises.len(), caught, passed));
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
