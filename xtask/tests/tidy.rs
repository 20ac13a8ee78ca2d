//! Conventions held by tests, after rust-analyzer's `tidy.rs`: the code map
//! of `ARCHITECTURE.md` names every module of both crates, every module
//! says what it is in its first lines (`//!`, or `#` for the Python runner),
//! no text of the repository refers to an issue of the tracker by its
//! number, which means nothing to a reader of the repository, and the book's
//! map from PyTorch names every operation of `reference/operations.json`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the workspace")
}

/// The code-map headings of `ARCHITECTURE.md`, with the crate each maps.
const CODE_MAPS: [(&str, &str); 2] = [("### `crates/autograd`", "crates/autograd"), ("### `xtask`", "xtask")];

/// The modules a code-map section lists: the `` `path` `` opening the first
/// cell of each table row, from `heading` to the next heading.
fn code_map(architecture: &str, heading: &str) -> BTreeSet<String> {
    let Some(start) = architecture.find(heading) else {
        return BTreeSet::new();
    };
    let section = &architecture[start + heading.len()..];
    let end = section.find("\n#").unwrap_or(section.len());
    section[..end]
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|cell| cell.split_once('`').map(|(path, _)| path.to_string()))
        .collect()
}

/// A crate's source files under `src/`, relative to the crate.
fn modules(crate_dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut pending = vec![crate_dir.join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "py") {
                found.push(path.strip_prefix(crate_dir)?.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// What the code map of the crate at `crate_dir` gets wrong, and which of
/// its modules have no documentation.
fn code_map_problems(architecture: &str, heading: &str, crate_dir: &Path) -> Result<Vec<String>> {
    let mapped = code_map(architecture, heading);
    let mut problems = Vec::new();
    let actual = modules(crate_dir)?;
    for module in &actual {
        if !mapped.contains(module) {
            problems.push(format!(
                "{module} is not in the code map under `{heading}` of ARCHITECTURE.md"
            ));
        }
        let text = std::fs::read_to_string(crate_dir.join(module))?;
        let doc = if module.ends_with(".py") { "# " } else { "//!" };
        if !text.trim_start().starts_with(doc) {
            problems.push(format!("{module} does not start with its documentation (`{doc}`)"));
        }
    }
    for module in mapped.difference(&actual.iter().cloned().collect()) {
        problems.push(format!(
            "the code map under `{heading}` names {module}, which does not exist"
        ));
    }
    Ok(problems)
}

#[test]
fn the_code_map_names_every_module_of_both_crates_and_each_is_documented() -> Result<()> {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md"))?;
    let mut problems = Vec::new();
    for (heading, crate_dir) in CODE_MAPS {
        problems.extend(code_map_problems(&architecture, heading, &root().join(crate_dir))?);
    }
    ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

#[test]
fn a_module_left_out_of_the_code_map_or_undocumented_is_named() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("src/inner"))?;
    std::fs::write(dir.path().join("src/lib.rs"), "//! The crate.\n")?;
    std::fs::write(dir.path().join("src/inner/mapped.rs"), "//! Mapped.\n")?;
    std::fs::write(dir.path().join("src/forgotten.rs"), "//! Not in the map.\n")?;
    std::fs::write(dir.path().join("src/bare.rs"), "fn f() {}\n")?;
    let architecture = "## Code map\n\n### `fixture` — a crate\n\n| module | what |\n|---|---|\n\
                        | `src/lib.rs` | the front |\n| `src/inner/mapped.rs` | x |\n| `src/bare.rs` | y |\n\
                        | `src/gone.rs` | z |\n\n## Next\n\n| `src/forgotten.rs` | not this section |\n";
    let problems = code_map_problems(architecture, "### `fixture`", dir.path())?;
    assert_eq!(
        problems,
        [
            "src/bare.rs does not start with its documentation (`//!`)",
            "src/forgotten.rs is not in the code map under `### `fixture`` of ARCHITECTURE.md",
            "the code map under `### `fixture`` names src/gone.rs, which does not exist",
        ]
    );
    Ok(())
}

/// Where `text` refers to an issue by number (`issue 6`, `issue #12`,
/// `issues 3 and 4`): the 1-based line of each.
fn issue_references(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        let mut rest = lower.as_str();
        while let Some(at) = rest.find("issue") {
            let after = rest[at + "issue".len()..].trim_start_matches('s');
            let number = after.trim_start_matches([' ', '#']);
            if number.len() < after.len() && number.starts_with(|c: char| c.is_ascii_digit()) {
                lines.push(index + 1);
                break;
            }
            rest = &rest[at + "issue".len()..];
        }
    }
    lines
}

#[test]
fn no_text_of_the_repository_refers_to_an_issue_number() -> Result<()> {
    assert_eq!(
        issue_references("see issue 6\nissue #12\nan issue with 3 parts\nissues 3, 4\n"),
        [1, 2, 4]
    );
    let listed = Command::new("git")
        .current_dir(root())
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .context("cannot run git ls-files")?;
    if !listed.status.success() {
        eprintln!("skipped: not a git checkout");
        return Ok(());
    }
    let mut found = Vec::new();
    for file in listed.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let path = PathBuf::from(String::from_utf8_lossy(file).into_owned());
        // Licences are legal text; snapshots and reference data are outputs;
        // this file shows what the rule looks for.
        let name = path.to_string_lossy();
        let exempt = ["LICENSE", "tests/snapshots/", "reference/", "xtask/tests/tidy.rs"];
        if exempt.iter().any(|prefix| name.starts_with(prefix)) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root().join(&path)) else {
            continue;
        };
        found.extend(issue_references(&text).into_iter().map(|line| format!("{name}:{line}")));
    }
    ensure!(found.is_empty(), "refers to an issue number: {}", found.join(", "));
    Ok(())
}

#[test]
fn every_code_line_of_the_engines_core_is_on_a_page() -> Result<()> {
    let chapters = xtask::extract::read_book(root(), &root().join("book"))?;
    let coverage = xtask::coverage::measure(root(), &chapters)?;
    let missing = coverage.core_missing();
    ensure!(
        missing.is_empty(),
        "engine code no chapter shows (add it to a chapter where the reader meets it, or to the \
         appendix, as a `rust,listing` of an anchored region):\n{}",
        missing.join("\n")
    );
    Ok(())
}

#[test]
fn an_engine_function_no_chapter_shows_is_named_with_its_lines() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    std::fs::create_dir_all(root.join("book"))?;
    std::fs::create_dir_all(root.join("crates/autograd/src"))?;
    std::fs::write(
        root.join("crates/autograd/src/scalar.rs"),
        "//! A core file.\n\n// ANCHOR: shown\npub fn shown() {}\n// ANCHOR_END: shown\n\n\
         /// Not in any chapter.\npub fn forgotten() -> u32 {\n    // a comment is no code\n    7\n}\n",
    )?;
    std::fs::write(root.join("book/SUMMARY.md"), "- [One](ch01.md)\n")?;
    std::fs::write(
        root.join("book/ch01.md"),
        "# One\n\n```rust,listing\n{{#include ../crates/autograd/src/scalar.rs:shown}}\n```\n",
    )?;
    let chapters = xtask::extract::read_book(root, &root.join("book"))?;
    let coverage = xtask::coverage::measure(root, &chapters)?;
    assert_eq!(coverage.core_missing(), ["scalar.rs: lines 8-11 are on no page"]);
    assert!(
        coverage
            .summary()
            .starts_with("engine on the page: 1 of 4 code lines (25%)\n"),
        "{}",
        coverage.summary()
    );
    Ok(())
}

/// The identifiers of the code spans of a markdown text, each without a
/// `try_` prefix and a `_keepdim` suffix (so `try_add` names `add`).
fn code_identifiers(markdown: &str) -> BTreeSet<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|word| !word.is_empty())
        .map(|word| {
            let word = word.strip_prefix("try_").unwrap_or(word);
            word.strip_suffix("_keepdim").unwrap_or(word).to_string()
        })
        .collect()
}

/// The public names of `reference/operations.json` (the one list of
/// operations) that `markdown` never names in a code span.
fn unmapped_operations(list: &str, markdown: &str) -> Result<Vec<String>> {
    let list: serde_json::Value = serde_json::from_str(list).context("parsing the list of operations")?;
    let named = code_identifiers(markdown);
    let mut missing = Vec::new();
    for operation in list["operations"].as_array().context("an operations array")? {
        for api in operation["api"].as_array().context("an api array")? {
            let api = api.as_str().context("an api name")?;
            if !named.contains(api) {
                missing.push(api.to_string());
            }
        }
    }
    Ok(missing)
}

/// The rows of the map's tables (outside "Not here") that name no listed
/// operation (whose reference cases hold its numbers to PyTorch's) and link
/// to no page of the book that shows it.
fn unheld_map_rows(list: &str, markdown: &str) -> Result<Vec<String>> {
    let list: serde_json::Value = serde_json::from_str(list).context("parsing the list of operations")?;
    let mut listed = BTreeSet::new();
    for operation in list["operations"].as_array().context("an operations array")? {
        for api in operation["api"].as_array().context("an api array")? {
            listed.insert(api.as_str().context("an api name")?.to_string());
        }
    }
    let mut section = "";
    let mut unheld = Vec::new();
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading;
        }
        let is_row = line.starts_with("| ") && !line.starts_with("| PyTorch |");
        if !is_row || section == "Not here" {
            continue;
        }
        let this_crate = line.split(" | ").nth(1).unwrap_or_default();
        let names_listed = code_identifiers(this_crate).iter().any(|name| listed.contains(name));
        if !names_listed && !line.contains(".md)") {
            unheld.push(line.to_string());
        }
    }
    Ok(unheld)
}

#[test]
fn every_row_of_the_pytorch_map_is_held_by_reference_cases_or_a_page_that_shows_it() -> Result<()> {
    let list = std::fs::read_to_string(root().join("reference/operations.json"))?;
    let map = std::fs::read_to_string(root().join("book/appendix-pytorch-map.md"))?;
    let unheld = unheld_map_rows(&list, &map)?;
    ensure!(
        unheld.is_empty(),
        "book/appendix-pytorch-map.md says a row without a difference has PyTorch's numbers; these rows name no \
         operation of reference/operations.json and link to no page that shows them:\n{}",
        unheld.join("\n")
    );
    // And the check can fail: a row without its link is caught.
    let without = map.replace(
        "one dtype per graph ([chapter 3](ch03-vectors.md))",
        "one dtype per graph",
    );
    ensure!(
        unheld_map_rows(&list, &without)?.len() == 1,
        "a row without a proof went unnoticed"
    );
    Ok(())
}

#[test]
fn the_pytorch_map_names_every_listed_operation() -> Result<()> {
    let list = std::fs::read_to_string(root().join("reference/operations.json"))?;
    let map = std::fs::read_to_string(root().join("book/appendix-pytorch-map.md"))?;
    let missing = unmapped_operations(&list, &map)?;
    ensure!(
        missing.is_empty(),
        "book/appendix-pytorch-map.md does not name these operations of reference/operations.json: {missing:?}"
    );
    // And the check can fail: a map without `logsumexp` is caught.
    let without = map.replace("logsumexp", "log_sum_exp");
    ensure!(
        unmapped_operations(&list, &without)? == ["logsumexp"],
        "a missing row went unnoticed"
    );
    Ok(())
}
