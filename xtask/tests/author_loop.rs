//! The author's loop: `cargo xtask verify` rejects everything the book would
//! show wrong, reports it all in one run at the chapter's lines, and a small
//! edit stays small (no noisy rewrites, nothing deleted by a failing run).

mod common;
// `cargo xtask serve`, the loop with a page that follows the edits.
#[path = "author_loop/serve.rs"]
mod serve;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use common::{Fixture, assert_contains, failure_at, options};
use xtask::report::Report;
use xtask::verify::{Options, verify};

fn run(fixture: &Fixture, options: Options) -> Result<Report> {
    verify(&fixture.layout, &options)
}

/// `--update`, outside CI.
fn update(fixture: &Fixture) -> Result<Report> {
    run(fixture, options(true, false))
}

/// Every file under the chapter crates and the snapshots, with its bytes.
fn committed_files(fixture: &Fixture) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![fixture.path("crates"), fixture.layout.snapshots_dir.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = fs::read(&path)?;
                files.insert(path.strip_prefix(&fixture.layout.root)?.to_path_buf(), bytes);
            }
        }
    }
    Ok(files)
}

fn edit(path: &Path, from: &str, to: &str) -> Result<()> {
    let text = fs::read_to_string(path)?;
    ensure!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1))?;
    Ok(())
}

#[test]
fn every_bad_formula_is_reported_in_the_same_run_and_big_delimiters_render() -> Result<()> {
    let fixture = Fixture::new("math")?;
    let report = update(&fixture)?;
    // The block still ran: a bad formula stops nothing.
    assert_eq!((report.passed(), report.failed()), (1, 0), "{}", report.summary());
    let chapter = "book/ch01-math.md";
    assert_contains(
        &failure_at(&report, &format!("{chapter}:6")),
        "this `$` opens no formula",
    );
    assert_contains(&failure_at(&report, &format!("{chapter}:6")), "\\frac{a}{b");
    assert_contains(&failure_at(&report, &format!("{chapter}:8")), "x^{2");
    assert_contains(
        &failure_at(&report, &format!("{chapter}:10")),
        "this `$` opens no formula",
    );
    let unparsed = failure_at(&report, &format!("{chapter}:12"));
    assert_contains(&unparsed, "formula `\\frac{a}` does not parse");
    // pulldown-latex's context box keeps its lines.
    assert!(unparsed.lines().count() > 2, "{unparsed}");
    assert_eq!(report.problems.len(), 4, "{}", report.summary());
    // `cargo xtask book` refuses the same formulas, all of them, and says
    // that it could not check the links.
    let error = format!(
        "{:#}",
        xtask::book::build(&fixture.layout.root).expect_err("bad formulas")
    );
    assert_contains(&error, "the book has 5 problem(s)");
    assert_contains(&error, "\nlinks: not checked");

    // Without the broken ones, the book builds, and `\big(` and `\Big(` are
    // MathML elements, not tags escaped to text (pulldown-latex 0.8 writes
    // `stretchy="true"minsize=…`, which mdBook escapes, and warns about).
    let markdown = fs::read_to_string(fixture.path("book/ch01-math.md"))?;
    let good: String = markdown.lines().take(4).map(|line| format!("{line}\n")).collect();
    fs::write(fixture.path("book/ch01-math.md"), good)?;
    let report = update(&fixture)?;
    assert!(report.is_success(), "{}", report.summary());
    xtask::book::build(&fixture.layout.root)?;
    let page = fs::read_to_string(fixture.path("target/book/ch01-math.html"))?;
    assert!(!page.contains("&lt;mo"), "escaped markup in a formula:\n{page}");
    assert_eq!(page.matches("stretchy=\"true\" minsize=").count(), 4, "{page}");
    Ok(())
}

#[test]
fn verify_rejects_what_the_book_build_rejects_at_the_chapter_lines() -> Result<()> {
    let fixture = Fixture::new("book-rejects")?;
    let report = update(&fixture)?;
    let chapter = "book/ch01-rejects.md";
    assert_contains(
        &failure_at(&report, &format!("{chapter}:3")),
        "link `ch09-missing.html` leads nowhere: ch09-missing.html does not exist",
    );
    assert_contains(
        &failure_at(&report, &format!("{chapter}:4")),
        "link `#no-such-heading` leads nowhere: no element with id `no-such-heading`",
    );
    assert_contains(
        &failure_at(&report, "mdBook"),
        "warning: unexpected HTML end tag `</span>` found in `ch01-rejects.md`",
    );
    // Reported once each: not again for print.html.
    assert_eq!(report.problems.len(), 3, "{}", report.summary());
    let snapshot = fixture.path("tests/snapshots/ch01-rejects__bad-graph.snap");
    if xtask::graph::is_installed() {
        assert_contains(
            &failure_at(&report, &format!("{chapter}:12")),
            "block `bad-graph`: Graphviz's `dot` cannot draw the DOT text it printed",
        );
        assert!(!snapshot.exists(), "--update accepted a graph the book cannot draw");
    } else {
        assert_contains(&report.summary(), "note: the graph blocks' pictures were not drawn");
    }
    Ok(())
}

#[test]
fn inserting_prose_rewrites_nothing_and_a_block_edit_only_its_own_files() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(update(&fixture)?.is_success());
    let before = committed_files(&fixture)?;
    let chapter = fixture.path("book/ch01-good.md");
    edit(
        &chapter,
        "# Every kind of block, all passing\n",
        "# Every kind of block, all passing\n\nTwo lines of prose,\ninserted at the top.\n",
    )?;
    let cached = Options {
        use_cache: true,
        ..options(false, false)
    };
    let report = run(&fixture, cached.clone())?;
    assert!(report.is_success(), "{}", report.summary());
    assert_eq!(
        committed_files(&fixture)?,
        before,
        "a prose edit changed generated files or snapshots"
    );
    // Messages still name the lines as they are now.
    assert_eq!(
        report.chapters[1].blocks[0].line, 6,
        "the first block's fence is 3 lines lower"
    );
    // CI agrees: nothing in a committed file is out of date.
    assert!(run(&fixture, options(false, true))?.is_success());

    // Editing one block's code (not its output) changes its own files only:
    // its program, and its snapshot, which records the code that printed it.
    edit(
        &chapter,
        "println!(\"{}\", greet());",
        "println!(\"{}\", greet()); // greet",
    )?;
    let report = run(&fixture, cached)?;
    assert!(report.is_success(), "{}", report.summary());
    let after = committed_files(&fixture)?;
    let changed: Vec<&PathBuf> = after
        .keys()
        .filter(|path| before.get(*path) != after.get(*path))
        .collect();
    assert_eq!(
        changed,
        [
            Path::new("crates/ch01-good/src/bin/hello.rs"),
            Path::new("tests/snapshots/ch01-good__hello.snap")
        ]
    );
    Ok(())
}

#[test]
fn generated_crates_are_rustfmt_clean_and_cargo_fmt_changes_nothing() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(update(&fixture)?.is_success());
    let cargo_fmt = |args: &[&str]| -> Result<std::process::Output> {
        Command::new(env!("CARGO"))
            .arg("fmt")
            .args(args)
            .current_dir(&fixture.layout.root)
            .output()
            .context("cannot run cargo fmt")
    };
    let check = cargo_fmt(&["--all", "--check"])?;
    ensure!(
        check.status.success(),
        "cargo fmt --check:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
    ensure!(cargo_fmt(&["--all"])?.status.success());
    let report = run(&fixture, options(false, true))?;
    assert!(report.is_success(), "after cargo fmt:\n{}", report.summary());

    // A block not formatted as rustfmt formats it fails, with the diff.
    edit(
        &fixture.path("book/ch01-good.md"),
        "println!(\"{}\", greet());",
        "println!(\"{}\",greet());",
    )?;
    let report = update(&fixture)?;
    let failure = failure_at(&report, "book/ch01-good.md:3");
    assert_contains(&failure, "is not formatted as rustfmt formats it");
    assert_contains(&failure, "-println!(\"{}\",greet());\n+println!(\"{}\", greet());");
    Ok(())
}

#[test]
fn an_update_that_fails_deletes_nothing_and_an_unclosed_fence_names_its_neighbour() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(update(&fixture)?.is_success());
    // The first block loses its closing fence, and swallows the second.
    let chapter = fixture.path("book/ch01-small.md");
    edit(&chapter, "println!(\"hello\");\n```\n", "println!(\"hello\");\n\n")?;
    let report = update(&fixture)?;
    assert_contains(
        &failure_at(&report, "book/ch01-small.md:3"),
        "this block's closing fence is missing: line 7 (\"```rust,name=other\") opens another block inside it",
    );
    for kept in [
        "tests/snapshots/ch01-small__other.snap",
        "crates/ch01-small/src/bin/other.rs",
        "tests/snapshots/ch01-small__hello.snap",
    ] {
        assert!(fixture.path(kept).exists(), "a failing --update deleted {kept}");
    }

    // Any failure keeps an update from deleting: here an orphan meets a
    // block that does not compile.
    edit(&chapter, "println!(\"hello\");\n\n", "println!(\"hello\");\n```\n")?;
    let text = fs::read_to_string(&chapter)?;
    let start = text.find("```rust,name=other").context("the block")?;
    fs::write(
        &chapter,
        format!("{}```rust,name=broken\nlet x: i32 = \"no\";\n```\n", &text[..start]),
    )?;
    let report = update(&fixture)?;
    assert_contains(&failure_at(&report, "book/ch01-small.md:8"), "mismatched types");
    assert_contains(
        &failure_at(&report, "tests/snapshots/ch01-small__other.snap"),
        "it was not deleted: this run has failures",
    );
    assert!(fixture.path("tests/snapshots/ch01-small__other.snap").exists());
    assert!(fixture.path("crates/ch01-small/src/bin/other.rs").exists());
    // Without --update, a generated orphan is one `--update` deletes.
    let report = run(&fixture, options(false, true))?;
    assert_contains(
        &failure_at(&report, "crates/ch01-small/src/bin/other.rs"),
        "`cargo xtask verify --update` deletes it",
    );
    Ok(())
}

#[test]
fn update_never_accepts_a_twin_that_disagrees_with_its_rust_block() -> Result<()> {
    let fixture = Fixture::new("twin-disagrees")?;
    let Some(python) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    let report = run(
        &fixture,
        Options {
            python: Some(python),
            ..options(true, false)
        },
    )?;
    assert_contains(&failure_at(&report, "book/ch01-disagrees.md:8"), "0.0310");
    assert!(
        !fixture.path("tests/snapshots/ch01-disagrees__pair.py.snap").exists(),
        "--update accepted a twin that disagrees"
    );
    assert!(
        !fixture
            .path("tests/snapshots/ch01-disagrees__pair.py.snap.new")
            .exists(),
        "a pending snapshot would let `cargo insta review` accept it"
    );
    Ok(())
}

/// `cargo insta`, when it is installed (`.ci/run` installs it; CI fails
/// without it, a local run says it skipped).
fn cargo_insta() -> Option<Command> {
    if !common::needed_by_test(common::Tool::CargoInsta) {
        return None;
    }
    let mut command = Command::new(env!("CARGO"));
    command.arg("insta");
    Some(command)
}

#[test]
fn cargo_insta_finds_a_pending_output_and_accepting_it_there_makes_verify_pass() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    let Some(_) = cargo_insta() else { return Ok(()) };
    // As in the project: a target in the repository's tests/ makes it a
    // directory cargo-insta searches (tests/book_snapshots.rs says why).
    let stub = fixture.path("crates/autograd/Cargo.toml");
    let manifest = fs::read_to_string(&stub)?;
    fs::write(
        &stub,
        format!("{manifest}\n[[test]]\nname = \"book_snapshots\"\npath = \"../../tests/book_snapshots.rs\"\n"),
    )?;
    common::write(&fixture.path("tests/book_snapshots.rs"), "")?;
    assert!(update(&fixture)?.is_success());

    edit(
        &fixture.path("book/ch01-small.md"),
        "println!(\"hello\");",
        "println!(\"hello, insta\");",
    )?;
    let report = run(&fixture, options(false, false))?;
    assert_contains(&failure_at(&report, "book/ch01-small.md:3"), "cargo insta review");

    let insta = |args: &[&str]| -> Result<String> {
        let mut command = cargo_insta().context("cargo-insta")?;
        let output = command
            .args(args)
            .current_dir(&fixture.layout.root)
            .env_remove("CI")
            .output()
            .context("cannot run cargo insta")?;
        ensure!(
            output.status.success(),
            "cargo insta {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let pending = insta(&["pending-snapshots", "--workspace"])?;
    assert_contains(&pending, "tests/snapshots/ch01-small__hello.snap");
    insta(&["accept", "--workspace"])?;
    assert!(!fixture.path("tests/snapshots/ch01-small__hello.snap.new").exists());
    let snapshot = fixture.path("tests/snapshots/ch01-small__hello.snap");
    let accepted = String::from_utf8(fs::read(&snapshot)?)?;
    let report = run(&fixture, options(false, true))?;
    assert!(report.is_success(), "after `cargo insta accept`:\n{}", report.summary());
    // Accepted by either tool, the snapshot is the same file, byte for byte.
    fs::remove_file(&snapshot)?;
    assert!(update(&fixture)?.is_success());
    assert_eq!(
        fs::read_to_string(&snapshot)?,
        accepted,
        "verify --update and cargo insta accept differ"
    );
    assert_eq!(
        xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-small", "hello")?,
        "hello, insta"
    );
    Ok(())
}

/// The fixture's stand-in engine, with one anchored region.
const ANCHORED_ENGINE: &str = "//! A stand-in engine.\n\n\
    // ANCHOR: square\n/// Squares.\npub fn square(x: f64) -> f64 {\n    x * x\n}\n// ANCHOR_END: square\n";

#[test]
fn listings_show_the_engines_source_and_a_missing_anchor_fails_at_its_line() -> Result<()> {
    let fixture = Fixture::new("listings")?;
    fs::write(fixture.path("crates/autograd/src/lib.rs"), ANCHORED_ENGINE)?;
    let report = update(&fixture)?;
    assert_eq!(
        report.chapters[0].progress_line(),
        "book/ch01-listings.md: 3 blocks (1 ran, 1 listings, 1 FAILED): failed"
    );
    assert_contains(
        &failure_at(&report, "book/ch01-listings.md:11"),
        "crates/autograd/src/lib.rs has no anchor `cube` (its anchors: square)",
    );
    // A listing is no block of the chapter's crate.
    assert!(!fs::read_to_string(fixture.path("crates/ch01-listings/Cargo.toml"))?.contains("square"));
    // `cargo xtask book` refuses it at the same line.
    let error = format!(
        "{:#}",
        xtask::book::build(&fixture.layout.root).expect_err("a missing anchor")
    );
    assert_contains(
        &error,
        "book/ch01-listings.md:11: crates/autograd/src/lib.rs has no anchor `cube`",
    );

    // Without it, the page shows the code under its caption, and no anchor comment.
    let chapter = fixture.path("book/ch01-listings.md");
    let text = fs::read_to_string(&chapter)?;
    let start = text.find("A listing that names").context("the second listing")?;
    let end = text.find("And a block").context("the block after it")?;
    fs::write(&chapter, format!("{}{}", &text[..start], &text[end..]))?;
    assert!(update(&fixture)?.is_success());
    xtask::book::build(&fixture.layout.root)?;
    let page = fs::read_to_string(fixture.path("target/book/ch01-listings.html"))?;
    assert_contains(
        &page,
        "<p class=\"listing-caption\" id=\"listing-square\">From <code>crates/autograd/src/lib.rs</code></p>",
    );
    assert_contains(&page, "pub fn square");
    assert!(
        !page.contains("{{#include"),
        "mdBook did not expand the listing:\n{page}"
    );
    assert!(!page.contains("ANCHOR"), "an anchor comment on the page:\n{page}");

    // An anchor left open in the source is one error, at its own line, and
    // fails the listing that uses it; the listings of the file's other
    // anchors still pass.
    let engine = format!(
        "{}// ANCHOR: double\npub fn double(x: f64) -> f64 {{\n    2.0 * x\n}}\n// ANCHOR_END: double\n",
        ANCHORED_ENGINE.replace("// ANCHOR_END: square\n", "")
    );
    fs::write(fixture.path("crates/autograd/src/lib.rs"), engine)?;
    let double = "\n```rust,listing\n{{#include ../crates/autograd/src/lib.rs:double}}\n```\n";
    fs::write(&chapter, format!("{}{double}{double}", fs::read_to_string(&chapter)?))?;
    let report = update(&fixture)?;
    assert_contains(
        &failure_at(&report, "crates/autograd/src/lib.rs:3"),
        "opens anchor `square`, which is never closed (`ANCHOR_END: square`)",
    );
    assert_contains(
        &failure_at(&report, "book/ch01-listings.md:5"),
        "anchor `square` is broken at crates/autograd/src/lib.rs:3 (reported there)",
    );
    assert_eq!(
        report.failed(),
        1,
        "only the listing of `square`:\n{}",
        report.summary()
    );
    assert_eq!(report.problems.len(), 1, "{}", report.summary());
    Ok(())
}

/// `mdbook test` on the real book, as mdBook runs it, with the book's
/// preprocessor in-process: every Rust block and every listing of the
/// engine is marked `ignore`, so rustdoc, which cannot link the engine,
/// compiles none of them and the command passes.
#[test]
fn mdbook_test_passes_on_the_book_with_every_rust_block_and_listing_ignored() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask/ is inside the workspace")?;
    let mut book = mdbook_driver::MDBook::load(root)?;
    book.with_preprocessor(xtask::preprocessor::VerifiedOutput::new(
        xtask::render::Strictness::Publish,
    ));
    book.test(Vec::new())
}

/// A graph block whose DOT text the test writes itself.
const GRAPH_BLOCK: &str = "\n```rust,name=two-nodes,graph\nprintln!(\"digraph {{ a -> b }}\");\n```\n";

#[test]
fn a_graph_picture_is_committed_beside_its_snapshot_and_the_book_shows_it() -> Result<()> {
    if !common::needed_by_test(common::Tool::Graphviz) {
        return Ok(());
    }
    let fixture = Fixture::new("good")?;
    let chapter = fixture.path("book/ch01-good.md");
    let mut text = fs::read_to_string(&chapter)?;
    let line = text.lines().count() + 2;
    text.push_str(GRAPH_BLOCK);
    fs::write(&chapter, &text)?;
    assert!(update(&fixture)?.is_success());
    let picture = fixture.path("tests/snapshots/ch01-good__two-nodes.svg");
    let committed = fs::read_to_string(&picture).context("the picture was not committed")?;
    let (header, svg) = committed.split_once('\n').context("a header line")?;
    assert_contains(header, "drawn by Graphviz's dot from the DOT text of FNV-1a hash");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(run(&fixture, options(false, true))?.is_success(), "CI disagrees");

    // The book shows the committed picture, not one drawn anew.
    fs::write(
        &picture,
        format!("{header}\n<svg><text>the committed picture</text></svg>\n"),
    )?;
    assert!(run(&fixture, options(false, true))?.is_success());
    let page = fs::read_to_string(fixture.layout.target_dir.join("xtask/book-check/ch01-good.html"))?;
    assert_contains(&page, "<svg><text>the committed picture</text></svg>");

    // CI fails on a missing picture, and on one drawn from other DOT text.
    let at = format!("book/ch01-good.md:{line}");
    fs::remove_file(&picture)?;
    let report = run(&fixture, options(false, true))?;
    assert_contains(&failure_at(&report, &at), "the committed picture");
    assert!(update(&fixture)?.is_success());
    let old = fs::read_to_string(&picture)?;
    edit(&chapter, "digraph {{ a -> b }}", "digraph {{ a -> c }}")?;
    assert!(update(&fixture)?.is_success());
    fs::write(&picture, &old)?;
    let report = run(&fixture, options(false, true))?;
    assert_contains(&failure_at(&report, &at), "is missing or was drawn from other DOT text");
    Ok(())
}

/// Links are checked even when a chapter has a problem that stops the
/// published book's build: verify's own build goes on, and reports both;
/// `cargo xtask book` says that it did not check them.
#[test]
fn links_are_checked_beside_a_formula_that_stops_the_book_build() -> Result<()> {
    let fixture = Fixture::new("book-rejects")?;
    let chapter = fixture.path("book/ch01-rejects.md");
    fs::write(&chapter, fs::read_to_string(&chapter)? + "\nBad: $\\frac{1}$\n")?;
    let report = update(&fixture)?;
    let chapter_path = "book/ch01-rejects.md";
    assert_contains(
        &failure_at(&report, &format!("{chapter_path}:3")),
        "link `ch09-missing.html` leads nowhere",
    );
    let formula_line = fs::read_to_string(&chapter)?.lines().count();
    assert_contains(
        &failure_at(&report, &format!("{chapter_path}:{formula_line}")),
        "formula `\\frac{1}` does not parse",
    );
    let published = format!("{:#}", xtask::book::build(&fixture.layout.root).unwrap_err());
    assert_contains(&published, "formula `\\frac{1}` does not parse");
    assert_contains(
        &published,
        "links: not checked: the book build stopped at the problems above",
    );
    Ok(())
}
