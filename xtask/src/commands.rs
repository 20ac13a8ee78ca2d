//! The commands the book tells its reader to type, checked against what
//! they name: in each `console` or `sh` block, and in each inline code span
//! that starts with `cargo `, a chapter crate (`cargo run -p ch02-scalars`),
//! one of its programs (`--bin ch02-scalars-tape-walk`, or `--bin square`
//! in a copy of the chapter the block unpacked, entered or made), a chapter
//! to copy (`cargo xtask new 2 …`), a download (`tar -xzf ch02-scalars.tar.gz`)
//! and an `xtask` command must exist, so renaming a block or a chapter
//! leaves no dead command on the page. A problem is reported at the line of
//! the command.

use pulldown_cmark::{Event, Parser};

use crate::copy_out;
use crate::downloads;
use crate::extract::{BlockKind, Chapter};
use crate::generate::GeneratedCrate;
use crate::report::Problem;

/// The `cargo xtask` commands (`xtask/src/main.rs`).
const XTASK_COMMANDS: [&str; 9] = [
    "verify",
    "book",
    "serve",
    "preprocess",
    "new",
    "browser",
    "bench",
    "help",
    "--help",
];

/// Every command of the book that names something that does not exist.
/// `markdown` gives each chapter's text, by its index in `chapters`.
pub fn check(chapters: &[Chapter], markdown: &[String]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (chapter, text) in chapters.iter().zip(markdown) {
        for (line, command) in commands(chapter, text) {
            if let Some(why) = problem(chapters, &command.words, command.context.as_deref()) {
                problems.push(Problem {
                    location: format!("{}:{line}", chapter.display_path.display()),
                    message: format!("the command `{}` {why}", command.words.join(" ")),
                });
            }
        }
    }
    problems
}

/// One command, with the chapter crate it runs in, when its block entered one.
struct Command {
    words: Vec<String>,
    context: Option<String>,
}

/// The commands of a chapter, each at its line.
fn commands(chapter: &Chapter, text: &str) -> Vec<(usize, Command)> {
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for block in &chapter.blocks {
        if !matches!(block.kind, BlockKind::Shown("console" | "sh")) {
            continue;
        }
        let mut context = None;
        let mut copy_dir: Option<String> = None;
        let body = &text[block.range.clone()];
        for (i, line) in body.lines().enumerate().skip(1) {
            for part in line.split("&&").flat_map(|p| p.split(';')) {
                let words: Vec<String> = part.split_whitespace().map(String::from).collect();
                if words.is_empty() || words[0].starts_with("```") {
                    continue;
                }
                // `cd` into the directory `cargo xtask new` wrote keeps its chapter.
                let copied_into = match words.as_slice() {
                    [cargo, xtask, new, flag, _, dir, ..]
                        if [cargo, xtask, new] == ["cargo", "xtask", "new"] && flag.starts_with("--") =>
                    {
                        Some(dir)
                    }
                    [cargo, xtask, new, _, dir, ..] if [cargo, xtask, new] == ["cargo", "xtask", "new"] => Some(dir),
                    _ => None,
                };
                match entered_crate(&words) {
                    Some(_) if words[0] == "cd" && copy_dir.as_deref() == words.get(1).map(String::as_str) => {}
                    Some(entered) => context = Some(entered),
                    None => {}
                }
                if let Some(dir) = copied_into {
                    copy_dir = Some(dir.clone());
                }
                found.push((
                    block.line + i,
                    Command {
                        words,
                        context: context.clone(),
                    },
                ));
            }
        }
    }
    for (event, range) in Parser::new_ext(text, crate::math::mdbook_options()).into_offset_iter() {
        if let Event::Code(code) = event
            && code.starts_with("cargo ")
        {
            let words = code.split_whitespace().map(String::from).collect();
            found.push((line_of(range.start), Command { words, context: None }));
        }
    }
    found
}

/// The chapter crate a command makes or enters, for the commands after it:
/// `tar -xzf ch02-scalars.tar.gz`, `cd ch02-scalars`, `cargo xtask new ch02-scalars …`.
fn entered_crate(words: &[String]) -> Option<String> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["tar", .., archive] => archive.strip_suffix(".tar.gz").map(String::from),
        ["cd", dir] => dir.rsplit('/').next().map(String::from),
        ["cargo", "xtask", "new", "--stage" | "--exercise", chapter, ..] | ["cargo", "xtask", "new", chapter, ..] => {
            Some(chapter.to_string())
        }
        _ => None,
    }
}

/// What is wrong with a command, if it names something that is not there.
fn problem(chapters: &[Chapter], words: &[String], context: Option<&str>) -> Option<String> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let crates = copy_out::chapter_crates(chapters);
    let chapter_of = |name: &str| copy_out::resolve_chapter(&crates, name).ok();
    let blocks_of = |name: &str| -> Vec<String> {
        chapters
            .iter()
            .filter(|c| c.crate_name == name)
            .flat_map(|c| c.compiled_blocks().map(|(_, rust)| rust.name.clone()))
            .collect()
    };
    let value = |flag: &[&str]| {
        words
            .iter()
            .position(|w| flag.contains(w))
            .and_then(|i| words.get(i + 1).copied())
    };
    match words.as_slice() {
        ["cargo", "xtask", command, rest @ ..] => {
            if !XTASK_COMMANDS.contains(command) {
                return Some(format!(
                    "names no `cargo xtask` command: `{command}` (`cargo xtask help` lists them)"
                ));
            }
            // `new --stage <chapter> <dir>` names its chapter after the flag;
            // `new --exercise <chapter>`, a chapter that marks exercises.
            if let ("new", ["--exercise", chapter, ..]) = (*command, rest) {
                let marked = crate::exercise::chapters_with_exercises(chapters);
                if copy_out::resolve_chapter(&marked, chapter).is_err() {
                    return Some(format!(
                        "names no chapter with an exercise: `{chapter}` (those with one: {})",
                        marked.join(", ")
                    ));
                }
            }
            let rest = match (*command, rest) {
                ("new", ["--stage" | "--exercise", rest @ ..]) => rest,
                _ => rest,
            };
            match (*command, rest) {
                ("new", [chapter, ..]) if chapter_of(chapter).is_none() => {
                    Some(format!("names no chapter crate: `{chapter}`"))
                }
                _ => None,
            }
        }
        ["cargo", "run" | "build" | "test", ..] => {
            let package = value(&["-p", "--package"]);
            if let Some(package) = package
                && package != "autograd"
                && package != "xtask"
                && !crates.iter().any(|c| c == package)
            {
                return Some(format!("names no package of the workspace: `{package}`"));
            }
            let bin = value(&["--bin"])?;
            match package {
                Some(package) if crates.iter().any(|c| c == package) => {
                    let names: Vec<String> = blocks_of(package)
                        .iter()
                        .map(|block| GeneratedCrate::bin_name(package, block))
                        .collect();
                    (!names.iter().any(|n| n == bin)).then(|| {
                        format!("names no program of `{package}`: `{bin}` (its programs are `{package}-<block>`)")
                    })
                }
                Some(_) => None,
                None => {
                    // In a copy of a chapter's crate, programs are named after their blocks.
                    let copied = context.and_then(chapter_of);
                    let known = match &copied {
                        Some(chapter) => blocks_of(chapter),
                        None => chapters.iter().flat_map(|c| blocks_of(&c.crate_name)).collect(),
                    };
                    (!known.iter().any(|b| b == bin)).then(|| match copied {
                        Some(chapter) => format!("names no program of `{chapter}`: `{bin}`"),
                        None => format!("names no program of any chapter: `{bin}`"),
                    })
                }
            }
        }
        ["tar", .., archive] if archive.ends_with(".tar.gz") => {
            let name = archive.trim_end_matches(".tar.gz");
            (name != downloads::WORKSPACE && !crates.iter().any(|c| c == name))
                .then(|| format!("names no download of the book: `{archive}`"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn chapter(name: &str, markdown: &str) -> (Chapter, String) {
        let chapter = Chapter {
            display_path: PathBuf::from(format!("book/{name}.md")),
            source: PathBuf::from(format!("{name}.md")),
            crate_name: name.to_string(),
            blocks: crate::extract::blocks(markdown),
        };
        (chapter, markdown.to_string())
    }

    #[test]
    fn a_starting_point_names_its_chapter_after_the_flag() {
        let (two, two_text) = chapter("ch02-scalars", "# T\n\n```rust,name=square\nfn main() {}\n```\n");
        let (intro, intro_text) = chapter(
            "introduction",
            "# I\n\n```console\ncargo xtask new --stage ch02 ~/a && cd ~/a && cargo run --bin square\n\
             cargo xtask new --stage ch09 ~/b\n```\n",
        );
        let problems = check(&[intro, two], &[intro_text, two_text]);
        let found: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.location.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [(
                "book/introduction.md:5",
                "the command `cargo xtask new --stage ch09 ~/b` names no chapter crate: `ch09`"
            )]
        );
    }

    #[test]
    fn commands_that_name_a_missing_crate_program_chapter_or_download_are_problems() {
        let (two, two_text) = chapter("ch02-scalars", "# T\n\n```rust,name=square\nfn main() {}\n```\n");
        let (intro, intro_text) = chapter(
            "introduction",
            "# I\n\nRun `cargo run -p ch02-scalars --bin ch02-scalars-square`, not \
             `cargo run -p ch02-scalars --bin ch02-scalars-cube`.\n\n\
             ```console\ntar -xzf ch02-scalars.tar.gz\ncd ch02-scalars\ncargo run --bin square\n\
             cargo run --bin cube\ntar -xzf ch09-gone.tar.gz\n```\n\n\
             ```console\ncargo xtask new 2 ~/a && cd ~/a && cargo run --bin square && cargo run --bin cube\n\
             cargo xtask new 99 ~/b\n\
             cargo xtask verfy\ncargo run -p ch03-vectors\n```\n",
        );
        let problems = check(&[intro, two], &[intro_text, two_text]);
        let found: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.location.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "book/introduction.md:9",
                    "the command `cargo run --bin cube` names no program of `ch02-scalars`: `cube`"
                ),
                (
                    "book/introduction.md:10",
                    "the command `tar -xzf ch09-gone.tar.gz` names no download of the book: `ch09-gone.tar.gz`"
                ),
                (
                    "book/introduction.md:14",
                    "the command `cargo run --bin cube` names no program of `ch02-scalars`: `cube`"
                ),
                (
                    "book/introduction.md:15",
                    "the command `cargo xtask new 99 ~/b` names no chapter crate: `99`"
                ),
                (
                    "book/introduction.md:16",
                    "the command `cargo xtask verfy` names no `cargo xtask` command: `verfy` (`cargo xtask help` \
                     lists them)"
                ),
                (
                    "book/introduction.md:17",
                    "the command `cargo run -p ch03-vectors` names no package of the workspace: `ch03-vectors`"
                ),
                (
                    "book/introduction.md:3",
                    "the command `cargo run -p ch02-scalars --bin ch02-scalars-cube` names no program of \
                     `ch02-scalars`: `ch02-scalars-cube` (its programs are `ch02-scalars-<block>`)"
                ),
            ]
        );
    }
}
