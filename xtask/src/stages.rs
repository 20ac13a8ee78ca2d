//! Chapter stages of the engine: the engine as the book has shown it by the
//! end of a chapter, built, with that chapter's blocks run against it.
//!
//! The engine's source (`crates/autograd`) is the one source of truth; a
//! stage is cut from it by the listings. A line of an engine file is in the
//! stage of chapter N when a listing of chapters 1..N shows it; a blank line
//! or a `//!` comment is in it when its file is, another comment (`//`,
//! `///`, `#` in `Cargo.toml`) when the code line after it is; anchor comments
//! and `#[cfg(test)]` modules never are. So a stage holds exactly what a
//! reader who typed the listings in page order has typed, and a listing that
//! uses a name the book shows only later fails to compile at its stage, at
//! its chapter line.
//!
//! `book.toml` says how far the stages go (`staged-through` in
//! `[preprocessor.verified-output]`): each chapter from the first that
//! shows a listing of the engine up to that one is built against its own
//! stage, warnings denied; the chapters after it are built against the
//! finished engine. Each block of a staged chapter is also checked against
//! the engine as the page has shown it where the block stands (a *point*),
//! so that every piece runs as soon as it exists.
//!
//! A stage or a point is a workspace of its own under
//! `target/stages/<name>/`, its engine and the chapter's generated crate in
//! `crates/<name>/`, all sharing one target directory. Files are rewritten
//! only when their text changes, so cargo rebuilds only what did.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build::{self, BuildResult};
use crate::cache::{Fingerprint, VerdictCache};
use crate::extract::{BlockId, BlockKind, Chapter, Version};
use crate::generate::GeneratedCrate;
use crate::layout::Layout;
use crate::listing;
use crate::report::Problem;

/// The engine, relative to the repository root.
const ENGINE: &str = "crates/autograd";

/// The stage of one chapter: the engine's files as shown by its end, and
/// where each of their lines was shown.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The chapter's crate name (`ch02-scalars`).
    pub chapter: String,
    /// Index of the chapter in the book's order.
    pub index: usize,
    /// Files relative to the engine's directory (`src/scalar.rs`), with
    /// their text at this stage.
    pub files: BTreeMap<PathBuf, StageFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFile {
    pub text: String,
    /// For each line of `text`, the listing that showed it: the chapter's
    /// path and line (`None` for a blank or comment line of no listing).
    pub shown_at: Vec<Option<(PathBuf, usize)>>,
}

/// How far the stages go: the crate name of the last staged chapter, from
/// `book.toml`'s `[preprocessor.verified-output]` `staged-through`, or none.
pub fn staged_through(root: &Path) -> Result<Option<String>> {
    let path = root.join("book.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("cannot parse {}", path.display()))?;
    let value = table
        .get("preprocessor")
        .and_then(|p| p.get("verified-output"))
        .and_then(|v| v.get("staged-through"));
    match value {
        None => Ok(None),
        Some(toml::Value::String(name)) => Ok(Some(name.clone())),
        Some(other) => bail!("book.toml: `staged-through` is a chapter's name (\"ch02-scalars\"), not `{other}`"),
    }
}

/// Where something is shown: its chapter's index in the book's order, and
/// the chapter line (an include line, a version's first code line). Page
/// order is the order of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub chapter: usize,
    pub line: usize,
}

impl Position {
    /// Everything a chapter shows comes before this.
    fn end_of(chapter: usize) -> Self {
        Position {
            chapter,
            line: usize::MAX,
        }
    }
}

/// The book's listings of the engine, read once: where each anchored region
/// is first shown, and the earlier versions the book gives of some of them.
#[derive(Debug)]
pub struct Showings {
    /// The chapters' paths, by index.
    chapters: Vec<PathBuf>,
    /// Relative to the engine's directory (`src/scalar.rs`).
    files: BTreeMap<PathBuf, EngineFile>,
    /// What is wrong with a version block, at its chapter line.
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
struct EngineFile {
    lines: Vec<String>,
    kinds: Vec<LineKind>,
    /// Each line's innermost region that the book shows (0-based lines).
    owner: Vec<Option<String>>,
    /// The regions the book shows: their lines (1-based) and first showing.
    shown: BTreeMap<String, (RangeInclusive<usize>, Position)>,
    /// Earlier versions of regions, in page order.
    versions: BTreeMap<String, Vec<EarlyVersion>>,
}

#[derive(Debug)]
struct EarlyVersion {
    position: Position,
    lines: Vec<String>,
}

/// A line as a stage or a listing has it, and where the book shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageLine {
    pub text: String,
    /// The chapter and line that show it (`None`: a blank or comment line).
    pub shown_at: Option<(PathBuf, usize)>,
}

impl Showings {
    /// Reads the engine at `root/crates/autograd` and every listing of it.
    pub fn read(root: &Path, chapters: &[Chapter]) -> Result<Self> {
        let engine = root.join(ENGINE);
        let mut files = BTreeMap::new();
        if engine.is_dir() {
            for path in crate::layout::files_under(&engine)? {
                let relative = path.strip_prefix(&engine)?.to_path_buf();
                let is_source = relative.starts_with("src") && path.extension().is_some_and(|e| e == "rs");
                if !is_source && relative != Path::new("Cargo.toml") {
                    continue;
                }
                let source =
                    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let file = EngineFile::new(&source, is_toml(&relative));
                files.insert(relative, file);
            }
        }
        let mut showings = Showings {
            chapters: chapters.iter().map(|c| c.display_path.clone()).collect(),
            files,
            problems: Vec::new(),
        };
        let mut versions = Vec::new();
        for (index, chapter) in chapters.iter().enumerate() {
            for block in &chapter.blocks {
                match &block.kind {
                    BlockKind::Listing(listing) => {
                        for (offset, include) in listing.includes.iter().enumerate() {
                            let at = Position {
                                chapter: index,
                                line: block.line + 1 + offset,
                            };
                            showings.note_shown(root, chapter, include, at);
                        }
                    }
                    BlockKind::Version(version) => versions.push((index, block.line, version)),
                    _ => {}
                }
            }
        }
        for file in showings.files.values_mut() {
            file.assign_owners();
        }
        for (index, fence, version) in versions {
            showings.note_version(root, &chapters[index], index, fence, version);
        }
        Ok(showings)
    }

    fn note_shown(&mut self, root: &Path, chapter: &Chapter, include: &listing::Include, at: Position) {
        // A listing that does not resolve fails on its own.
        let Ok(shown) = listing::resolve(root, &chapter.display_path, include) else {
            return;
        };
        let Some(file) = shown.file.strip_prefix(ENGINE).ok().and_then(|f| self.files.get_mut(f)) else {
            return;
        };
        let (Some(&first), Some(&last)) = (shown.lines.first(), shown.lines.last()) else {
            return;
        };
        file.shown.entry(include.anchor.clone()).or_insert((first..=last, at));
    }

    fn note_version(&mut self, root: &Path, chapter: &Chapter, index: usize, fence: usize, version: &Version) {
        let mut problem = |message: String| {
            self.problems.push(Problem {
                location: format!("{}:{fence}", chapter.display_path.display()),
                message,
            });
        };
        let shown = match listing::resolve(root, &chapter.display_path, &version.of) {
            Ok(shown) => shown,
            Err(message) => return problem(format!("`version-of`: {message}")),
        };
        let anchor = &version.of.anchor;
        let position = Position {
            chapter: index,
            line: version.first_code_line,
        };
        let Some(file) = shown.file.strip_prefix(ENGINE).ok().and_then(|f| self.files.get_mut(f)) else {
            return problem(format!(
                "`version-of`: {} is not a file of the engine",
                shown.file.display()
            ));
        };
        let Some((region, first)) = file.shown.get(anchor) else {
            return problem(format!(
                "a version of `{anchor}`, which no listing of the book shows: the finished code would never \
                 be on a page (include `{anchor}` in the chapter that replaces this version)"
            ));
        };
        if *first < position {
            let at = &self.chapters[first.chapter];
            return problem(format!(
                "a version of `{anchor}` after the finished `{anchor}` is shown ({}:{}): a version comes \
                 before the listing that replaces it",
                at.display(),
                first.line
            ));
        }
        let finished: Vec<&str> = region
            .clone()
            .filter(|&n| !listing::is_anchor_line(&file.lines[n - 1]))
            .map(|n| file.lines[n - 1].as_str())
            .collect();
        let lines: Vec<String> = version.code.lines().map(str::to_string).collect();
        if lines == finished {
            return problem(format!(
                "this version of `{anchor}` is its finished code: show it with `{{{{#include {}:{anchor}}}}}`",
                version.of.path
            ));
        }
        file.versions
            .entry(anchor.clone())
            .or_default()
            .push(EarlyVersion { position, lines });
    }

    /// The engine file an include of the chapter at `chapter` names.
    fn file_of(&self, chapter: &Path, include: &listing::Include) -> Option<&EngineFile> {
        let file = listing::file_of(chapter, include);
        self.files.get(file.strip_prefix(ENGINE).ok()?)
    }

    /// The index of the chapter at `path` in the book's order.
    pub fn chapter_index(&self, path: &Path) -> Option<usize> {
        self.chapters.iter().position(|chapter| chapter == path)
    }

    /// For a listing of `include` at `at`: the chapter whose earlier
    /// version of the region it replaces, if any.
    pub fn replaces(&self, chapter: &Path, include: &listing::Include, at: Position) -> Option<&Path> {
        let file = self.file_of(chapter, include)?;
        let version = file
            .versions
            .get(&include.anchor)?
            .iter()
            .rev()
            .find(|v| v.position < at)?;
        Some(self.chapter_path(version.position))
    }

    /// For a listing of `include` at `at` that replaces an earlier version:
    /// that version's lines and the region's, as the page shows them.
    pub fn replacement(
        &self,
        chapter: &Path,
        include: &listing::Include,
        at: Position,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let file = self.file_of(chapter, include)?;
        let version = file
            .versions
            .get(&include.anchor)?
            .iter()
            .rev()
            .find(|v| v.position < at)?;
        let (region, _) = file.shown.get(&include.anchor)?;
        let now = self
            .lines_at(file, at, Some(region))
            .into_iter()
            .map(|line| line.text)
            .collect();
        Some((version.lines.clone(), now))
    }

    /// Where the region `include` names is first shown, as (chapter, line):
    /// for a version, the listing that replaces it.
    pub fn first_shown(&self, chapter: &Path, include: &listing::Include) -> Option<(&Path, usize)> {
        let file = self.file_of(chapter, include)?;
        let (_, first) = file.shown.get(&include.anchor)?;
        Some((self.chapter_path(*first), first.line))
    }

    /// How many lines the listing of `include` at `at` shows.
    pub fn listing_length(&self, chapter: &Path, include: &listing::Include, at: Position) -> Option<usize> {
        let file = self.file_of(chapter, include)?;
        let (region, _) = file.shown.get(&include.anchor)?;
        Some(self.lines_at(file, at, Some(region)).len())
    }

    /// For a region nested in another shown region (lines a later chapter
    /// adds to an earlier listing): the code line of the outer region right
    /// above it, which the reader has typed, as the caption says where the
    /// new lines go.
    pub fn added_after(&self, chapter: &Path, include: &listing::Include) -> Option<String> {
        let file = self.file_of(chapter, include)?;
        let (region, _) = file.shown.get(&include.anchor)?;
        let outer = file
            .shown
            .iter()
            .filter(|(anchor, (outer, _))| {
                *anchor != &include.anchor && outer.contains(region.start()) && outer.contains(region.end())
            })
            .min_by_key(|(_, (outer, _))| outer.end() - outer.start())?;
        let in_outer = |i: usize| file.kinds[i] == LineKind::Code && file.owner[i].as_ref() == Some(outer.0);
        let above = (0..region.start() - 1).rev().find(|&i| in_outer(i))?;
        let line = file.lines[above].as_str();
        // A line of closing brackets (`});`) says little: name the statement
        // it ends by its first line.
        if !line.trim().chars().all(|c| "})];,".contains(c)) {
            return Some(line.trim().to_string());
        }
        let indent = line.len() - line.trim_start().len();
        let start = (0..above).rev().find(|&i| {
            let other = file.lines[i].as_str();
            in_outer(i)
                && other.len() - other.trim_start().len() == indent
                && !other.trim_start().starts_with(['}', ')', ']'])
        });
        Some(match start {
            Some(start) => format!("{} … {}", file.lines[start].trim(), line.trim()),
            None => line.trim().to_string(),
        })
    }

    /// The chapter of `position`'s path.
    fn chapter_path(&self, position: Position) -> &Path {
        &self.chapters[position.chapter]
    }

    /// The engine's files as a reader has typed them up to `limit`: each
    /// file with a line shown by then, with its lines.
    pub fn files_at(&self, limit: Position) -> BTreeMap<PathBuf, Vec<StageLine>> {
        let mut files = BTreeMap::new();
        for (relative, file) in &self.files {
            let lines = self.lines_at(file, limit, None);
            if lines.iter().any(|line| line.shown_at.is_some()) {
                files.insert(relative.clone(), lines);
            }
        }
        files
    }

    /// A region as the listing at `at` shows it: the code of the region that
    /// the book has shown by then, nested additions of later chapters left
    /// out, earlier versions in place of regions shown later. `None` when
    /// that is the region as it is in the source (mdBook's include shows it).
    pub fn listing_at(&self, chapter: &Path, include: &listing::Include, at: Position) -> Option<String> {
        let file = self.file_of(chapter, include)?;
        let (region, _) = file.shown.get(&include.anchor)?;
        let lines = self.lines_at(file, at, Some(region));
        let whole: Vec<&str> = region
            .clone()
            .map(|n| file.lines[n - 1].as_str())
            .filter(|line| !listing::is_anchor_line(line))
            .collect();
        let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        (texts != whole).then(|| texts.iter().map(|line| format!("{line}\n")).collect())
    }

    /// The finished engine's sources with each region the book shows after
    /// `limit` in its version as of `limit`, where it has one; with the
    /// versions in place (for each file, its text and whether a version is).
    fn finished_with_versions(&self, limit: Position) -> Vec<(PathBuf, String, bool)> {
        let mut out = Vec::new();
        for (relative, file) in &self.files {
            let replaced: Vec<(RangeInclusive<usize>, &EarlyVersion)> = file
                .versions
                .iter()
                .filter_map(|(anchor, versions)| {
                    let (region, first) = &file.shown[anchor];
                    let version = versions.iter().rev().find(|v| v.position <= limit)?;
                    (*first > limit).then(|| (region.clone(), version))
                })
                .collect();
            let mut text = String::new();
            for (i, line) in file.lines.iter().enumerate() {
                let number = i + 1;
                match replaced.iter().find(|(region, _)| region.contains(&number)) {
                    Some((region, version)) if number == *region.start() => {
                        for line in &version.lines {
                            text.push_str(line);
                            text.push('\n');
                        }
                    }
                    Some(_) => {}
                    None => {
                        text.push_str(line);
                        text.push('\n');
                    }
                }
            }
            out.push((relative.clone(), text, !replaced.is_empty()));
        }
        out
    }

    /// The chapters from `from` on that give a version of some region, each
    /// with the fence line of its first version.
    fn chapters_with_versions_from(&self, from: usize) -> BTreeMap<usize, usize> {
        let mut found = BTreeMap::new();
        for file in self.files.values() {
            for version in file.versions.values().flatten() {
                if version.position.chapter >= from {
                    let fence = version.position.line - 1;
                    let entry = found.entry(version.position.chapter).or_insert(fence);
                    *entry = (*entry).min(fence);
                }
            }
        }
        found
    }

    /// The lines of `file` (or of its region `within`) as of `limit`.
    fn lines_at(&self, file: &EngineFile, limit: Position, within: Option<&RangeInclusive<usize>>) -> Vec<StageLine> {
        // Regions shown after `limit` with a version shown by then: the
        // latest such version stands in their place.
        let mut replaced: Vec<(RangeInclusive<usize>, &EarlyVersion)> = Vec::new();
        for (anchor, versions) in &file.versions {
            let (region, first) = &file.shown[anchor];
            if *first > limit
                && let Some(version) = versions.iter().rev().find(|v| v.position <= limit)
            {
                replaced.push((region.clone(), version));
            }
        }
        let is_shown = |i: usize| {
            file.owner[i]
                .as_ref()
                .and_then(|anchor| file.shown.get(anchor))
                .filter(|(_, first)| *first <= limit)
                .map(|(_, first)| (self.chapter_path(*first).to_path_buf(), first.line))
        };
        // Only the lines of `within`, when given (a region's lines all
        // belong to it or to a region nested in it).
        let lines = within.map_or(0..file.lines.len(), |region| region.start() - 1..*region.end());
        // Blank and comment lines outside every shown region are in every
        // stage of their file; inside one, they come with it.
        let mut keep: Vec<Option<Option<(PathBuf, usize)>>> = vec![None; file.lines.len()];
        for i in lines.clone() {
            keep[i] = match file.kinds[i] {
                LineKind::Anchor | LineKind::Test => None,
                LineKind::Blank | LineKind::Comment if file.owner[i].is_none() => Some(None),
                LineKind::Blank | LineKind::Comment => is_shown(i).map(|_| None),
                LineKind::Code | LineKind::Doc => is_shown(i).map(Some),
            };
        }
        // A comment outside every listing goes with the code after it.
        let mut next_code = None;
        for i in lines.clone().rev() {
            if file.kinds[i] == LineKind::Doc && file.owner[i].is_none() {
                keep[i] = next_code.and_then(|j: usize| keep[j].as_ref()).map(|_| None);
            }
            if matches!(file.kinds[i], LineKind::Code | LineKind::Doc) {
                next_code = Some(i);
            }
        }
        let mut out = Vec::new();
        for (i, line) in file.lines.iter().enumerate().take(lines.end).skip(lines.start) {
            let number = i + 1;
            if let Some((region, version)) = replaced.iter().find(|(region, _)| region.contains(&number)) {
                if number == *region.start() {
                    let chapter = self.chapter_path(version.position).to_path_buf();
                    out.extend(version.lines.iter().enumerate().map(|(k, text)| StageLine {
                        text: text.clone(),
                        shown_at: Some((chapter.clone(), version.position.line + k)),
                    }));
                }
                continue;
            }
            if let Some(shown_at) = &keep[i] {
                out.push(StageLine {
                    text: line.clone(),
                    shown_at: shown_at.clone(),
                });
            }
        }
        collapse_blanks(out)
    }
}

impl EngineFile {
    fn new(source: &str, toml: bool) -> Self {
        let kinds = classify(source, toml);
        EngineFile {
            lines: source.lines().map(str::to_string).collect(),
            owner: vec![None; kinds.len()],
            kinds,
            shown: BTreeMap::new(),
            versions: BTreeMap::new(),
        }
    }

    /// Each line's owner: the smallest shown region around it.
    fn assign_owners(&mut self) {
        let mut regions: Vec<(&String, &RangeInclusive<usize>)> = self
            .shown
            .iter()
            .map(|(anchor, (region, _))| (anchor, region))
            .collect();
        // Outer regions first, so inner ones overwrite them.
        regions.sort_by_key(|(_, region)| std::cmp::Reverse(region.end() - region.start()));
        for (anchor, region) in regions {
            for line in region.clone() {
                self.owner[line - 1] = Some(anchor.clone());
            }
        }
    }
}

/// No two blank lines in a row, none at the start or the end.
fn collapse_blanks(lines: Vec<StageLine>) -> Vec<StageLine> {
    let mut out: Vec<StageLine> = Vec::new();
    for line in lines {
        let blank = line.text.trim().is_empty();
        if blank && out.last().is_none_or(|last| last.text.trim().is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|last| last.text.trim().is_empty()) {
        out.pop();
    }
    out
}

/// The stages of the chapters up to `through`, in the book's order, from
/// the first chapter that shows a listing of the engine.
pub fn plan(showings: &Showings, chapters: &[Chapter], through: &str) -> Result<Vec<Stage>> {
    let Some(last) = chapters.iter().position(|c| c.crate_name == through) else {
        let names: Vec<&str> = chapters.iter().map(|c| c.crate_name.as_str()).collect();
        bail!(
            "book.toml: `staged-through = \"{through}\"` names no chapter of SUMMARY.md (its chapters: {})",
            names.join(", ")
        );
    };
    // A chapter before the first listing of the engine (the introduction)
    // shows the finished engine at work: it has no stage of its own.
    let first = showings
        .files
        .values()
        .flat_map(|file| file.shown.values().map(|(_, at)| at.chapter))
        .min()
        .filter(|&first| first <= last)
        .with_context(|| {
            format!(
                "book.toml: `staged-through = \"{through}\"`, but no chapter up to it shows a listing of the engine"
            )
        })?;
    let mut stages = Vec::new();
    for (index, chapter) in chapters.iter().enumerate().take(last + 1).skip(first) {
        let files = showings
            .files_at(Position::end_of(index))
            .into_iter()
            .map(|(path, lines)| (path, stage_file(lines)))
            .collect();
        stages.push(Stage {
            chapter: chapter.crate_name.clone(),
            index,
            files,
        });
    }
    Ok(stages)
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// What a line of the engine's source is, for cutting a stage from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    /// `//!`: kept wherever its file is.
    Comment,
    /// `//`, `///` (`#` in a manifest): kept when the code line after it is.
    Doc,
    Anchor,
    /// Inside a `#[cfg(test)]` module.
    Test,
    Code,
}

fn classify(source: &str, toml: bool) -> Vec<LineKind> {
    let code: BTreeSet<usize> = if toml {
        BTreeSet::new()
    } else {
        crate::coverage::code_lines(source).into_iter().collect()
    };
    let in_test = crate::coverage::test_module_lines(source);
    source
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let trimmed = line.trim();
            if listing::is_anchor_line(line) {
                LineKind::Anchor
            } else if in_test[i] {
                LineKind::Test
            } else if trimmed.is_empty() {
                LineKind::Blank
            } else if toml {
                // A manifest's comment says something about what follows it.
                if trimmed.starts_with('#') {
                    LineKind::Doc
                } else {
                    LineKind::Code
                }
            } else if code.contains(&(i + 1)) {
                LineKind::Code
            } else if trimmed.starts_with("//!") {
                LineKind::Comment
            } else {
                // A comment says something about the code after it.
                LineKind::Doc
            }
        })
        .collect()
}

/// The longest listing a staged chapter may show: a reader types a piece
/// this long and then reads again.
pub const LONGEST_LISTING: usize = 40;

/// Each listing of the chapter at `index` with its length as the page shows
/// it (the stage's text, nested additions of later chapters left out), and
/// whether it may be longer than [`LONGEST_LISTING`]: a collapsed listing
/// of code outside the engine's core (the printing, say) is code to copy,
/// not to read.
fn listing_lengths<'a>(
    showings: &Showings,
    root: &Path,
    chapters: &'a [Chapter],
    index: usize,
) -> Vec<(usize, &'a crate::extract::Block, bool)> {
    let chapter = &chapters[index];
    let is_core = |include: &listing::Include| {
        listing::resolve(root, &chapter.display_path, include).is_ok_and(|shown| {
            let file = shown
                .file
                .strip_prefix(Path::new(ENGINE).join("src"))
                .unwrap_or(&shown.file);
            crate::coverage::CORE.iter().any(|core| file == Path::new(core))
        })
    };
    let mut lengths = Vec::new();
    for block in &chapter.blocks {
        let (length, exempt) = match &block.kind {
            BlockKind::Listing(listing) => {
                let length = listing
                    .includes
                    .iter()
                    .enumerate()
                    .filter_map(|(offset, include)| {
                        let at = Position {
                            chapter: index,
                            line: block.line + 1 + offset,
                        };
                        showings.listing_length(&chapter.display_path, include, at)
                    })
                    .sum();
                (length, listing.collapsed && !listing.includes.iter().any(is_core))
            }
            BlockKind::Version(version) => (version.code.lines().count(), false),
            _ => continue,
        };
        lengths.push((length, block, exempt));
    }
    lengths
}

/// The listings of a staged chapter longer than [`LONGEST_LISTING`], each at
/// its line: split its region into anchors, with prose between them.
pub fn long_listings(showings: &Showings, root: &Path, chapters: &[Chapter], stage: &Stage) -> Vec<Problem> {
    let chapter = &chapters[stage.index];
    listing_lengths(showings, root, chapters, stage.index)
        .into_iter()
        .filter(|&(length, _, exempt)| length > LONGEST_LISTING && !exempt)
        .map(|(length, block, _)| Problem {
            location: format!("{}:{}", chapter.display_path.display(), block.line),
            message: format!(
                "a listing of {length} lines: a staged chapter shows at most {LONGEST_LISTING} at a time; split \
                 its region into anchors, with a sentence between the parts"
            ),
        })
        .collect()
}

/// The book's longest listing to read (collapsed ones aside), as the page
/// shows it: its lines, where it is, and its anchors.
pub fn longest_listing(showings: &Showings, root: &Path, chapters: &[Chapter]) -> Option<(usize, String, String)> {
    (0..chapters.len())
        .flat_map(|index| {
            listing_lengths(showings, root, chapters, index)
                .into_iter()
                .map(move |(length, block, exempt)| (length, index, block, exempt))
        })
        .filter(|&(_, _, block, _)| !matches!(&block.kind, BlockKind::Listing(l) if l.collapsed))
        .max_by_key(|&(length, ..)| length)
        .map(|(length, index, block, _)| {
            let anchors = match &block.kind {
                BlockKind::Listing(listing) => listing
                    .includes
                    .iter()
                    .map(|i| i.anchor.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                BlockKind::Version(version) => format!("a version of {}", version.of.anchor),
                _ => String::new(),
            };
            (
                length,
                format!("{}:{}", chapters[index].display_path.display(), block.line),
                anchors,
            )
        })
}

/// The source files of a stage that no `mod` line of it declares, from
/// `src/lib.rs` down: cargo would not compile them, so a stage could build
/// without the code its chapter shows. Each is named at the listing that
/// first showed a line of it.
pub fn undeclared_modules(stage: &Stage) -> Vec<Problem> {
    let mut reached = BTreeSet::new();
    let mut queue = vec![PathBuf::from("src/lib.rs")];
    while let Some(file) = queue.pop() {
        let Some(staged) = stage.files.get(&file) else { continue };
        if !reached.insert(file.clone()) {
            continue;
        }
        // `mod x;` in `src/lib.rs` or `src/a/mod.rs` is a sibling file; in
        // `src/a.rs` it is in `src/a/`.
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "mod.rs") => file.parent().map(Path::to_path_buf).unwrap_or_default(),
            _ => file.with_extension(""),
        };
        for line in staged.text.lines() {
            if let Some(name) = declared_module(line) {
                queue.push(dir.join(format!("{name}.rs")));
                queue.push(dir.join(name).join("mod.rs"));
            }
        }
    }
    stage
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src") && !reached.contains(*path))
        .map(|(path, file)| {
            let (chapter, line) = file.shown_at.iter().flatten().next().cloned().unwrap_or_default();
            Problem {
                location: format!("{}:{line}", chapter.display()),
                message: format!(
                    "stage {}: the book shows code of src/{} by here, but no `mod` line it has shown declares \
                     the module, so the stage would build without it: show the `mod` line in this chapter",
                    stage.chapter,
                    path.strip_prefix("src").unwrap_or(path).display()
                ),
            }
        })
        .collect()
}

/// The module a `mod name;` line declares (with any visibility).
fn declared_module(line: &str) -> Option<&str> {
    let line = line.trim();
    let rest = line.strip_prefix("pub ").or_else(|| {
        let after = line.strip_prefix("pub(")?;
        Some(after.split_once(") ")?.1)
    });
    let rest = rest.unwrap_or(line).strip_prefix("mod ")?;
    let name = rest.strip_suffix(';')?;
    name.chars().all(|c| c.is_alphanumeric() || c == '_').then_some(name)
}

/// Builds each stage with its chapter's generated crate, in the stage's own
/// workspace, warnings denied. Returns the blocks' builds (as the main build
/// gives them) and the engine's own errors and warnings, each at the chapter
/// line of the listing that showed the line it points at.
pub fn build(
    layout: &Layout,
    showings: &Showings,
    stages: &[Stage],
    generated: &[&GeneratedCrate],
    chapters: &[Chapter],
    cache: &mut VerdictCache,
    show_progress: bool,
) -> Result<StageBuilds> {
    let mut result = BuildResult::default();
    let mut problems: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    let mut points_checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut written = BTreeSet::from([std::ffi::OsString::from("target")]);
    let target_dir = layout.target_dir.join("stages/target");
    let inputs = cache.is_active().then(|| StageInputs::read(layout, chapters)).flatten();
    let inputs = inputs.as_ref();
    for stage in stages {
        let Some(krate) = generated.iter().find(|k| k.name == stage.chapter) else {
            continue;
        };
        written.insert(stage.chapter.clone().into());
        // A stage that built cleanly, with its points, from exactly these
        // inputs needs no cargo at all: its programs are where cargo put them.
        let id = format!("stage {}", stage.chapter);
        let fingerprint = inputs.map(|inputs| inputs.fingerprint(stage.index, krate));
        if cache.is_fresh(&id, fingerprint.as_ref())
            && let Some(blocks) = built_before(&target_dir, krate)
        {
            result.blocks.extend(blocks);
            // Its points are the workspaces that clean build left, each
            // named after the stage and the line where it stands.
            let prefix = format!("{}-at-", stage.chapter);
            let points: Vec<_> = std::fs::read_dir(layout.target_dir.join("stages"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.file_name())
                .filter(|name| name.to_string_lossy().starts_with(&prefix))
                .collect();
            points_checked.insert(stage.chapter.clone(), points.len());
            written.extend(points);
            continue;
        }
        cache.forget(&id);
        let undeclared = undeclared_modules(stage);
        let points = points(showings, chapters, stage);
        points_checked.insert(stage.chapter.clone(), points.len());
        written.extend(points.iter().map(|(point, _)| point_dir(point).into()));
        let mut clean = undeclared.is_empty();
        problems.entry(stage.chapter.clone()).or_default().extend(undeclared);
        let switched = crate::exercise::with_switches(stage, &chapters[stage.index], &layout.root)?;
        let krate = &crate::exercise::with_test_dependencies(krate, &chapters[stage.index], &layout.root);
        let workspace = write_workspace(layout, &stage.chapter, &switched, krate)?;
        let built = build::build_with(
            &workspace.root,
            &target_dir,
            &[&workspace.krate],
            show_progress,
            &[("RUSTFLAGS", "-D warnings")],
            None,
        )?;
        let chapter = &chapters[stage.index];
        for message in &built.engine_messages {
            let file = message.file.strip_prefix(&workspace.engine).ok().map(Path::to_path_buf);
            let shown = file
                .as_ref()
                .and_then(|f| switched.files.get(f))
                .and_then(|f| f.shown_at.get(message.line.wrapping_sub(1)).cloned().flatten());
            let location = match &shown {
                Some((path, line)) => format!("{}:{line}", path.display()),
                None => chapter.display_path.display().to_string(),
            };
            problems.entry(stage.chapter.clone()).or_default().push(Problem {
                location,
                message: format!(
                    "stage {}: the engine as the book has shown it by the end of {} does not build \
                     cleanly (line {} of its {}, in target/stages/{}):\n{}",
                    stage.chapter,
                    chapter.display_path.display(),
                    message.line,
                    file.as_deref().unwrap_or(&message.file).display(),
                    stage.chapter,
                    message.rendered
                ),
            });
        }
        clean &= built.other_errors.is_empty() && built.engine_messages.is_empty();
        result.other_errors.extend(built.other_errors);
        clean &= built
            .blocks
            .values()
            .all(|b| b.diagnostics.is_empty() && b.executable.is_some());
        for (id, mut block) in built.blocks {
            for diagnostic in &mut block.diagnostics {
                diagnostic.rendered = format!(
                    "against stage {} (the engine as shown by the end of this chapter):\n{}",
                    stage.chapter, diagnostic.rendered
                );
            }
            result.blocks.insert(id, block);
        }
        for (point, blocks) in points {
            let checked = check_point(layout, &target_dir, &point, &blocks, krate, chapter, show_progress)?;
            let (engine, block_diagnostics) = checked;
            clean &= engine.is_empty() && block_diagnostics.is_empty();
            problems.entry(stage.chapter.clone()).or_default().extend(engine);
            for (id, diagnostics) in block_diagnostics {
                if let Some(block) = result.blocks.get_mut(&id) {
                    block.diagnostics.extend(diagnostics);
                }
            }
        }
        if clean {
            cache.record_pass(&id, fingerprint.as_ref());
        }
    }
    // A stage or a point the book no longer has would only take space.
    let stages_dir = layout.target_dir.join("stages");
    for entry in std::fs::read_dir(&stages_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The versions' and the exercises' workspaces are theirs to keep.
        let theirs = name.starts_with("versions-") || name.ends_with("-exercise");
        if entry.path().is_dir() && !theirs && !written.contains(&entry.file_name()) {
            std::fs::remove_dir_all(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(StageBuilds {
        result,
        problems,
        points_checked,
    })
}

/// What building the stages gave.
pub struct StageBuilds {
    /// The staged chapters' blocks, as the main build gives them.
    pub result: BuildResult,
    /// Each stage's own problems (its engine's errors and warnings).
    pub problems: BTreeMap<String, Vec<Problem>>,
    /// How many points inside each staged chapter its blocks were checked
    /// at, besides the chapter's end.
    pub points_checked: BTreeMap<String, usize>,
}

/// Each block's compiler messages at a point.
type BlockDiagnostics = BTreeMap<crate::extract::BlockId, Vec<build::Diagnostic>>;

/// What every stage's build depends on, read once: the compiler, the
/// workspace's manifest and lock (its profiles, its dependencies' versions),
/// the verifier's source (which makes the stages from the book), and each
/// chapter's markdown and the engine's source, which the stages are cut
/// from.
pub struct StageInputs {
    common: Fingerprint,
    /// The hash of each chapter's markdown, in the book's order.
    chapters: Vec<String>,
}

impl StageInputs {
    pub fn read(layout: &Layout, chapters: &[Chapter]) -> Option<Self> {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let toolchain = std::process::Command::new(rustc).arg("-vV").output().ok()?;
        // The verifier by its source, not its binary: `cargo test
        // --workspace` links another binary from the same source (its
        // dependencies' features unified with the tests'), which must not
        // make every stage stale.
        let common = Fingerprint::new("stage")
            .bytes(&toolchain.stdout)
            .file_contents(&layout.root.join("Cargo.toml"))
            .file_contents(&layout.root.join("Cargo.lock"))
            .tree(&layout.root.join("xtask/src"))
            .file_contents(&layout.root.join("xtask/Cargo.toml"))
            .tree(&layout.root.join(ENGINE));
        let chapters = chapters
            .iter()
            .map(|chapter| {
                let markdown = std::fs::read(layout.root.join(&chapter.display_path)).unwrap_or_default();
                crate::hash::of(&markdown)
            })
            .collect();
        Some(StageInputs { common, chapters })
    }

    /// The fingerprint of the stage of chapter `index`, its chapter's crate
    /// `krate`: the chapters up to it, and the crate's files.
    pub fn fingerprint(&self, index: usize, krate: &GeneratedCrate) -> Fingerprint {
        let mut fingerprint = self.common.clone();
        for chapter in &self.chapters[..=index] {
            fingerprint = fingerprint.text(chapter);
        }
        for (path, text) in &krate.files {
            fingerprint = fingerprint.text(&path.to_string_lossy()).text(text);
        }
        fingerprint
    }
}

/// The chapter's programs as the last clean build left them, if every one
/// is still there.
fn built_before(target_dir: &Path, krate: &GeneratedCrate) -> Option<BTreeMap<BlockId, build::BlockBuild>> {
    let mut blocks = BTreeMap::new();
    for (block, line_map) in &krate.line_maps {
        let executable = target_dir
            .join("debug")
            .join(GeneratedCrate::bin_name(&krate.name, block))
            .with_extension(std::env::consts::EXE_EXTENSION);
        if !executable.is_file() {
            return None;
        }
        let id = BlockId {
            crate_name: krate.name.clone(),
            block: block.clone(),
        };
        let built = build::BlockBuild {
            line_map: line_map.clone(),
            executable: Some(executable),
            diagnostics: Vec::new(),
        };
        blocks.insert(id, built);
    }
    Some(blocks)
}

/// The directory of a point's workspace under `target/stages/`.
fn point_dir(point: &Stage) -> String {
    point.chapter.replace('@', "-at-")
}

/// The engines a staged chapter's blocks stand at on the page, other than
/// the chapter's end: for each, the names of the blocks that stand there.
fn points(showings: &Showings, chapters: &[Chapter], stage: &Stage) -> Vec<(Stage, Vec<String>)> {
    let chapter = &chapters[stage.index];
    let end: BTreeMap<&PathBuf, &String> = stage.files.iter().map(|(path, file)| (path, &file.text)).collect();
    let mut points: Vec<(Stage, Vec<String>)> = Vec::new();
    // Only a listing or a version changes the engine: blocks with none
    // between them stand at the same point, and blocks after the last stand
    // at the chapter's end.
    let changes: Vec<usize> = chapter
        .blocks
        .iter()
        .filter(|block| matches!(block.kind, BlockKind::Listing(_) | BlockKind::Version(_)))
        .map(|block| block.line)
        .collect();
    // The point the block before stood at: how many changes were shown
    // there, and which point it is (`None`: the chapter's end).
    let mut last: Option<(usize, Option<usize>)> = None;
    for (block, rust) in chapter.compiled_blocks() {
        let shown = changes.iter().filter(|&&line| line < block.line).count();
        if shown == changes.len() {
            continue;
        }
        if let Some((before, at)) = last
            && before == shown
        {
            if let Some(index) = at {
                points[index].1.push(rust.name.clone());
            }
            continue;
        }
        let files: BTreeMap<PathBuf, StageFile> = showings
            .files_at(Position {
                chapter: stage.index,
                line: block.line,
            })
            .into_iter()
            .map(|(path, lines)| (path, stage_file(lines)))
            .collect();
        if files
            .iter()
            .map(|(path, file)| (path, &file.text))
            .collect::<BTreeMap<_, _>>()
            == end
        {
            last = Some((shown, None));
            continue;
        }
        let index = match points.iter().position(|(point, _)| point.files == files) {
            Some(index) => {
                points[index].1.push(rust.name.clone());
                index
            }
            None => {
                let point = Stage {
                    chapter: format!("{}@{}", stage.chapter, block.line),
                    index: stage.index,
                    files,
                };
                points.push((point, vec![rust.name.clone()]));
                points.len() - 1
            }
        };
        last = Some((shown, Some(index)));
    }
    points
}

pub fn stage_file(lines: Vec<StageLine>) -> StageFile {
    let text = lines.iter().map(|line| format!("{}\n", line.text)).collect();
    let shown_at = lines.into_iter().map(|line| line.shown_at).collect();
    StageFile { text, shown_at }
}

/// Checks `blocks` against the engine as the page has shown it where they
/// stand (`point`): they must compile there, as a reader who runs each
/// block as soon as the page gives it would find. Warnings are the chapter
/// end's to judge (a helper shown before its first caller is unused for a
/// while). Returns the engine's errors at the listings' lines, and each
/// block's errors.
fn check_point(
    layout: &Layout,
    target_dir: &Path,
    point: &Stage,
    blocks: &[String],
    krate: &GeneratedCrate,
    chapter: &Chapter,
    show_progress: bool,
) -> Result<(Vec<Problem>, BlockDiagnostics)> {
    let mut point_files = point.files.clone();
    // `-D warnings` stays as the stages have it (so their dependencies are
    // built once); the source lets warnings be.
    if let Some(lib) = point_files.get_mut(Path::new("src/lib.rs")) {
        lib.text.insert_str(0, "#![allow(warnings)]\n");
        lib.shown_at.insert(0, None);
    }
    let staged = Stage {
        chapter: point.chapter.clone(),
        index: point.index,
        files: point_files,
    };
    let workspace = write_workspace(layout, &point_dir(point), &staged, krate)?;
    let bins: Vec<String> = blocks
        .iter()
        .map(|name| GeneratedCrate::bin_name(&krate.name, name))
        .collect();
    let checked = build::build_with(
        &workspace.root,
        target_dir,
        &[&workspace.krate],
        show_progress,
        &[("RUSTFLAGS", "-D warnings")],
        Some(&bins),
    )?;
    let at = point.chapter.rsplit('@').next().unwrap_or_default();
    let mut engine = Vec::new();
    for message in checked.engine_messages.iter().filter(|m| m.is_error) {
        let file = message.file.strip_prefix(&workspace.engine).ok().map(Path::to_path_buf);
        let shown = file
            .as_ref()
            .and_then(|f| staged.files.get(f))
            .and_then(|f| f.shown_at.get(message.line.wrapping_sub(1)).cloned().flatten());
        let location = match &shown {
            Some((path, line)) => format!("{}:{line}", path.display()),
            None => format!("{}:{at}", chapter.display_path.display()),
        };
        engine.push(Problem {
            location,
            message: format!(
                "the engine as the book has shown it up to {}:{at}, where block `{}` stands, does not compile:\n{}",
                chapter.display_path.display(),
                blocks.first().map_or("", String::as_str),
                message.rendered
            ),
        });
    }
    let mut diagnostics = BTreeMap::new();
    for (id, block) in checked.blocks {
        if !blocks.contains(&id.block) || block.diagnostics.is_empty() {
            continue;
        }
        let found: Vec<build::Diagnostic> = block
            .diagnostics
            .into_iter()
            .map(|mut diagnostic| {
                diagnostic.rendered = format!(
                    "where it stands on the page, against the engine as shown up to {}:{at}:\n{}",
                    chapter.display_path.display(),
                    diagnostic.rendered
                );
                diagnostic
            })
            .collect();
        diagnostics.insert(id, found);
    }
    Ok((engine, diagnostics))
}

/// Makes the files under `root` exactly `wanted` (its `target/` aside),
/// writing only the files whose text changed, so cargo rebuilds only what
/// did. What an earlier run wrote and the stage no longer has goes: a file
/// of a later chapter left behind would build into the stage.
fn write_files(root: &Path, wanted: &BTreeMap<PathBuf, String>) -> Result<()> {
    if root.exists() {
        for path in crate::layout::files_under(root)? {
            let relative = path.strip_prefix(root)?;
            if !wanted.contains_key(relative) && !relative.starts_with("target") {
                std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    for (relative, text) in wanted {
        let path = root.join(relative);
        if std::fs::read_to_string(&path).is_ok_and(|old| &old == text) {
            continue;
        }
        std::fs::create_dir_all(path.parent().context("a file has a directory")?)?;
        crate::atomic::write(&path, text.as_bytes())?;
    }
    Ok(())
}

/// The versions that chapters after the stages give: a chapter that is not
/// staged yet still has its earlier versions compiled, each in place of
/// its region in the finished engine (`cargo check`, warnings allowed: a
/// helper of the finished code may be unused by the version).
pub fn check_versions(
    layout: &Layout,
    showings: &Showings,
    chapters: &[Chapter],
    last_staged: Option<usize>,
) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let from = last_staged.map_or(0, |last| last + 1);
    for (chapter, fence) in showings.chapters_with_versions_from(from) {
        let name = format!("versions-{}", chapters[chapter].crate_name);
        let root = layout.target_dir.join("stages").join(&name);
        let engine = Path::new("crates").join(&name).join("autograd");
        let mut wanted: BTreeMap<PathBuf, String> = BTreeMap::new();
        for (path, mut text, _) in showings.finished_with_versions(Position::end_of(chapter)) {
            if path == Path::new("Cargo.toml") {
                text = engine_manifest_for_check(&text)?;
            } else if path == Path::new("src/lib.rs") {
                text.insert_str(0, "#![allow(warnings)]\n");
            }
            wanted.insert(engine.join(path), text);
        }
        wanted.insert(
            "Cargo.toml".into(),
            workspace_manifest(layout, std::slice::from_ref(&engine), &engine)?,
        );
        if let Ok(lock) = std::fs::read_to_string(layout.root.join("Cargo.lock")) {
            wanted.insert("Cargo.lock".into(), lock);
        }
        write_files(&root, &wanted)?;
        let output = std::process::Command::new(build::cargo())
            .current_dir(&root)
            .args(["check", "--quiet", "--message-format=short", "-p", "autograd"])
            .arg("--target-dir")
            .arg(layout.target_dir.join("stages/target"))
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .context("cannot run cargo check")?;
        if !output.status.success() {
            problems.push(Problem {
                location: format!("{}:{fence}", chapters[chapter].display_path.display()),
                message: format!(
                    "the versions {} gives do not compile in place of their regions in the finished engine \
                     (in target/stages/{name}):\n{}",
                    chapters[chapter].display_path.display(),
                    String::from_utf8_lossy(&output.stderr).trim_end()
                ),
            });
        }
    }
    Ok(problems)
}

/// The engine's manifest without what needs the repository (its tests'
/// dependencies, its benches).
fn engine_manifest_for_check(text: &str) -> Result<String> {
    let mut manifest: toml::Table = text.parse().context("cannot parse the engine's Cargo.toml")?;
    manifest.remove("dev-dependencies");
    manifest.remove("bench");
    Ok(toml::to_string(&manifest)?)
}

/// A workspace manifest for a stage's workspace: the repository's, with
/// `members`, the engine's path dependency at `engine`, the other path
/// dependencies where they are, and no test profile of its own.
fn workspace_manifest(layout: &Layout, members: &[PathBuf], engine: &Path) -> Result<String> {
    let manifest_path = layout.root.join("Cargo.toml");
    let mut manifest: toml::Table = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?
        .parse()
        .with_context(|| format!("cannot parse {}", manifest_path.display()))?;
    // The exercises' tests are built as the stage's programs are, so that
    // building them compiles the tests alone, not the engine and every
    // program a second time at the test profile's level.
    if let Some(profiles) = manifest.get_mut("profile").and_then(toml::Value::as_table_mut) {
        profiles.remove("test");
    }
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .context("the root Cargo.toml has no [workspace]")?;
    let members = members
        .iter()
        .map(|m| toml::Value::from(m.to_string_lossy().into_owned()))
        .collect();
    workspace.insert("members".into(), toml::Value::Array(members));
    let dependencies = workspace.get_mut("dependencies").and_then(toml::Value::as_table_mut);
    for dependency in dependencies
        .into_iter()
        .flat_map(|table| table.iter_mut().map(|(_, value)| value))
    {
        if let Some(path) = dependency.get_mut("path")
            && let Some(relative) = path.as_str()
        {
            let moved = if Path::new(relative) == Path::new(ENGINE) {
                engine.to_path_buf()
            } else {
                layout.root.join(relative)
            };
            *path = toml::Value::from(moved.to_string_lossy().into_owned());
        }
    }
    Ok(toml::to_string(&manifest)?)
}

/// Writes a workspace for `stage`'s engine (its files as given) with the
/// chapter's crate, under `target/stages/<name>`: its root, and the crate as
/// placed there (for [`build::build_with`]).
pub fn write_stage_workspace(
    layout: &Layout,
    name: &str,
    stage: &Stage,
    krate: &GeneratedCrate,
) -> Result<(PathBuf, GeneratedCrate)> {
    let workspace = write_workspace(layout, name, stage, krate)?;
    Ok((workspace.root, workspace.krate))
}

/// Where the chapter crate `krate` of the stage workspace `name` is,
/// relative to the workspace's root.
pub fn stage_crate_dir(layout: &Layout, name: &str, krate: &str) -> PathBuf {
    layout.crates_rel().join(name).join(krate)
}

/// A stage's workspace as written.
struct StageWorkspace {
    root: PathBuf,
    /// The stage's engine, relative to the root.
    engine: PathBuf,
    /// The chapter's crate, its line maps naming its files where they are.
    krate: GeneratedCrate,
}

/// Writes the stage's workspace, only the files whose text changed.
///
/// The stages share one target directory, and cargo tells two path
/// packages of one name and version apart by their path *relative to their
/// workspace*: so each stage's engine and chapter crate live under a
/// directory named after the stage (`crates/ch02-scalars-at-256/autograd`),
/// or one stage's compiled engine would pass for another's.
fn write_workspace(layout: &Layout, name: &str, stage: &Stage, krate: &GeneratedCrate) -> Result<StageWorkspace> {
    let root = layout.target_dir.join("stages").join(name);
    let crates_rel = layout.crates_rel().join(name);
    let engine = crates_rel.join("autograd");
    let chapter_rel = stage_crate_dir(layout, name, &krate.name);
    let line_maps = krate
        .line_maps
        .iter()
        .map(|(block, map)| {
            let mut map = map.clone();
            map.generated_file = chapter_rel.join(GeneratedCrate::bin_path(block));
            (block.clone(), map)
        })
        .collect();
    let staged_krate = GeneratedCrate {
        name: krate.name.clone(),
        files: krate.files.clone(),
        line_maps,
        unformatted: krate.unformatted.clone(),
    };
    let mut wanted: BTreeMap<PathBuf, String> = BTreeMap::new();
    let members = [engine.clone(), chapter_rel.clone()];
    wanted.insert("Cargo.toml".into(), workspace_manifest(layout, &members, &engine)?);
    if let Ok(lock) = std::fs::read_to_string(layout.root.join("Cargo.lock")) {
        wanted.insert("Cargo.lock".into(), lock);
    }
    for (path, file) in &stage.files {
        wanted.insert(engine.join(path), file.text.clone());
    }
    for (path, text) in &krate.files {
        wanted.insert(chapter_rel.join(path), text.clone());
    }
    write_files(&root, &wanted)?;
    Ok(StageWorkspace {
        root,
        engine,
        krate: staged_krate,
    })
}

/// The report's line for a stage: whether its engine built, and how many of
/// the chapter's blocks printed their snapshots against it.
pub fn summary_line(stage: &Stage, engine_problems: usize, matched: usize, blocks: usize, points: usize) -> String {
    let engine = if engine_problems == 0 {
        "engine builds".to_string()
    } else {
        format!("engine does not build cleanly ({engine_problems} problem(s), below)")
    };
    let matches = match (matched == blocks, blocks) {
        (true, 1) => "1 block matches".to_string(),
        (true, _) => format!("{blocks} blocks match"),
        (false, _) => format!("{matched} of {blocks} blocks match"),
    };
    let points = match points {
        0 => "no block stands before the engine is complete".to_string(),
        1 => "compiled where they stand at 1 earlier point".to_string(),
        n => format!("compiled where they stand at {n} earlier points"),
    };
    format!(
        "stage {}: {engine}, {matches} ({points}); {} engine files, {} lines",
        stage.chapter,
        stage.files.len(),
        stage.files.values().map(|f| f.shown_at.len()).sum::<usize>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One engine file, with each of `shown` (anchor, chapter) first
    /// included at line 10 of its chapter.
    fn showings(source: &str, toml: bool, shown: &[(&str, usize)]) -> (Showings, PathBuf) {
        let mut file = EngineFile::new(source, toml);
        let regions = listing::anchors(source).regions;
        for &(anchor, chapter) in shown {
            let at = Position { chapter, line: 10 };
            file.shown.insert(anchor.into(), (regions[anchor].clone(), at));
        }
        file.assign_owners();
        let path = PathBuf::from("src/lib.rs");
        let showings = Showings {
            chapters: (0..3).map(|n| PathBuf::from(format!("book/ch0{n}.md"))).collect(),
            files: BTreeMap::from([(path.clone(), file)]),
            problems: Vec::new(),
        };
        (showings, path)
    }

    fn text_at(showings: &Showings, path: &Path, chapter: usize) -> String {
        let files = showings.files_at(Position::end_of(chapter));
        files.get(path).map_or(String::new(), |lines| {
            lines.iter().map(|l| format!("{}\n", l.text)).collect()
        })
    }

    #[test]
    fn a_stage_keeps_shown_code_and_the_comments_that_go_with_it() {
        let source = "//! Docs.\n\n// ANCHOR: a\n/// Doc of a.\npub fn a() {}\n// ANCHOR_END: a\n\n\
                      /// Doc of b.\npub fn b() {}\n\n\n// why c\n// ANCHOR: c\nfn c() {}\n// ANCHOR_END: c\n\n\
                      #[cfg(test)]\nmod tests {\n    fn t() {}\n}\n";
        let (showings, path) = showings(source, false, &[("a", 1), ("c", 2)]);
        assert_eq!(text_at(&showings, &path, 0), "");
        // `// why c` goes with the code it is about.
        assert_eq!(
            text_at(&showings, &path, 1),
            "//! Docs.\n\n/// Doc of a.\npub fn a() {}\n"
        );
        assert_eq!(
            text_at(&showings, &path, 2),
            "//! Docs.\n\n/// Doc of a.\npub fn a() {}\n\n// why c\nfn c() {}\n"
        );
        let lines = &showings.files_at(Position::end_of(2))[&path];
        assert_eq!(lines[3].shown_at, Some((PathBuf::from("book/ch01.md"), 10)));
        assert_eq!(lines[0].shown_at, None);
    }

    #[test]
    fn a_doc_comment_outside_the_listings_goes_with_its_code() {
        let source = "/// Doc.\n// ANCHOR: f\nfn f() {}\n// ANCHOR_END: f\n/// Gone.\nfn g() {}\n";
        let (showings, path) = showings(source, false, &[("f", 1)]);
        assert_eq!(text_at(&showings, &path, 1), "/// Doc.\nfn f() {}\n");
    }

    #[test]
    fn a_nested_region_comes_in_with_its_own_chapter() {
        let source = "// ANCHOR: walk\nfn walk() {\n    step();\n    // ANCHOR: hooks\n    // the hooks\n    \
                      hooks();\n    // ANCHOR_END: hooks\n    done();\n}\n// ANCHOR_END: walk\n";
        let (showings, path) = showings(source, false, &[("walk", 1), ("hooks", 2)]);
        assert_eq!(
            text_at(&showings, &path, 1),
            "fn walk() {\n    step();\n    done();\n}\n"
        );
        assert_eq!(
            text_at(&showings, &path, 2),
            "fn walk() {\n    step();\n    // the hooks\n    hooks();\n    done();\n}\n"
        );
    }

    #[test]
    fn a_nested_region_says_which_line_it_follows() {
        let dir = tempfile::tempdir().unwrap();
        let source = "// ANCHOR: walk\nfn walk() {\n    step();\n    // ANCHOR: hooks\n    hooks();\n    \
                      // ANCHOR_END: hooks\n}\n// ANCHOR_END: walk\n";
        std::fs::create_dir_all(dir.path().join("crates/autograd/src")).unwrap();
        std::fs::write(dir.path().join("crates/autograd/src/lib.rs"), source).unwrap();
        let (showings, _) = showings(source, false, &[("walk", 1), ("hooks", 2)]);
        let include = |anchor: &str| listing::Include {
            path: "../crates/autograd/src/lib.rs".into(),
            anchor: anchor.into(),
        };
        let chapter = Path::new("book/ch02.md");
        assert_eq!(showings.added_after(chapter, &include("hooks")), Some("step();".into()));
        assert_eq!(showings.added_after(chapter, &include("walk")), None);
    }

    #[test]
    fn an_early_version_stands_in_until_the_region_is_shown() {
        let source = "// ANCHOR: grad\nfn grad() -> u8 {\n    cached()\n}\n// ANCHOR_END: grad\n";
        let (mut showings, path) = showings(source, false, &[("grad", 2)]);
        let early = EarlyVersion {
            position: Position { chapter: 1, line: 40 },
            lines: vec!["fn grad() -> u8 {".into(), "    0".into(), "}".into()],
        };
        showings
            .files
            .get_mut(&path)
            .unwrap()
            .versions
            .insert("grad".into(), vec![early]);
        assert_eq!(text_at(&showings, &path, 0), "");
        assert_eq!(text_at(&showings, &path, 1), "fn grad() -> u8 {\n    0\n}\n");
        assert_eq!(text_at(&showings, &path, 2), "fn grad() -> u8 {\n    cached()\n}\n");
        let lines = &showings.files_at(Position::end_of(1))[&path];
        assert_eq!(lines[1].shown_at, Some((PathBuf::from("book/ch01.md"), 41)));
    }

    #[test]
    fn a_stage_file_that_no_mod_line_declares_is_named() {
        let file = |text: &str| StageFile {
            text: text.into(),
            shown_at: vec![Some((PathBuf::from("book/ch03.md"), 7))],
        };
        let stage = Stage {
            chapter: "ch03".into(),
            index: 1,
            files: BTreeMap::from([
                (
                    PathBuf::from("src/lib.rs"),
                    file("pub mod scalar;\npub(crate) mod dot;\n"),
                ),
                (PathBuf::from("src/scalar.rs"), file("pub fn f() {}\n")),
                (PathBuf::from("src/dot.rs"), file("mod inner;\n")),
                (PathBuf::from("src/dot/inner.rs"), file("\n")),
                (PathBuf::from("src/tensor/mod.rs"), file("pub struct Tensor;\n")),
            ]),
        };
        let problems = undeclared_modules(&stage);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].location, "book/ch03.md:7");
        assert!(
            problems[0].message.contains("src/tensor/mod.rs"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn a_manifest_keeps_its_shown_tables_and_their_comments() {
        let source = "# ANCHOR: package\n[package]\nname = \"autograd\"\n# ANCHOR_END: package\n\n\
                      # Only for the tests.\n[dev-dependencies]\nserde = \"1\"\n";
        let (showings, path) = showings(source, true, &[("package", 1)]);
        assert_eq!(text_at(&showings, &path, 1), "[package]\nname = \"autograd\"\n");
    }
}
