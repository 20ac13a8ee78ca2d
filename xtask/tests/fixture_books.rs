//! The verifier on small fixture books (`tests/fixtures/<case>/`), each
//! copied into a temporary workspace of its own (`common::Fixture`).

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use common::{Fixture, assert_contains, failure_at, options};
use xtask::report::Report;
use xtask::verify::verify;

impl Fixture {
    fn verify(&self, update: bool, ci: bool) -> Result<Report> {
        self.verify_with_timeout(update, ci, Duration::from_secs(10))
    }

    fn verify_with_timeout(&self, update: bool, ci: bool, timeout: Duration) -> Result<Report> {
        self.verify_with(update, ci, timeout, None)
    }

    /// Verifies with `python` as the twins' interpreter.
    fn verify_with_python(&self, update: bool, ci: bool, python: &Path) -> Result<Report> {
        self.verify_with(update, ci, Duration::from_secs(10), Some(python))
    }

    fn verify_with(&self, update: bool, ci: bool, timeout: Duration, python: Option<&Path>) -> Result<Report> {
        let options = xtask::verify::Options {
            timeout,
            python: python.map(Path::to_path_buf),
            ..options(update, ci)
        };
        verify(&self.layout, &options)
    }

    /// Verifies remembering what passed, as `cargo xtask verify` does.
    fn verify_cached(&self, update: bool, ci: bool, python: Option<&Path>) -> Result<Report> {
        let options = xtask::verify::Options {
            python: python.map(Path::to_path_buf),
            use_cache: true,
            ..options(update, ci)
        };
        verify(&self.layout, &options)
    }
}

#[test]
fn compile_errors_and_warnings_are_reported_at_their_markdown_lines() -> Result<()> {
    let fixture = Fixture::new("compile-error")?;
    let report = fixture.verify(true, false)?;
    assert_eq!((report.passed(), report.failed()), (1, 2), "{}", report.summary());
    // `let y: String = x;` is line 12 of the chapter, line 5 of its generated file.
    let error = failure_at(&report, "book/ch01-compile-error.md:12");
    assert_contains(&error, "block `broken`: does not compile cleanly");
    assert_contains(&error, "mismatched types");
    let warning = failure_at(&report, "book/ch01-compile-error.md:19");
    assert_contains(&warning, "unused variable: `unused`");
    Ok(())
}

#[test]
fn a_panicking_block_fails_and_a_should_panic_block_snapshots_its_message() -> Result<()> {
    let fixture = Fixture::new("panics")?;
    let report = fixture.verify(true, false)?;
    assert_eq!((report.passed(), report.failed()), (1, 2), "{}", report.summary());
    // Reported at the line that panicked, not at the block's fence (line 3).
    assert_eq!(
        failure_at(&report, "book/ch01-panics.md:5"),
        "block `boom`: panicked: gradient exploded"
    );
    assert_contains(
        &failure_at(&report, "book/ch01-panics.md:13"),
        "marked should_panic but finished without panicking",
    );
    let snapshot = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-panics", "expected")?;
    assert_eq!(
        snapshot,
        "checking shapes\nthread 'main' panicked:\nshape mismatch: [2] vs [3]"
    );
    Ok(())
}

#[test]
fn an_endless_loop_is_killed_at_the_time_limit_and_the_run_goes_on() -> Result<()> {
    let fixture = Fixture::new("timeout")?;
    let report = fixture.verify_with_timeout(true, false, Duration::from_millis(300))?;
    assert_eq!((report.passed(), report.failed()), (1, 1), "{}", report.summary());
    assert_contains(
        &failure_at(&report, "book/ch01-timeout.md:3"),
        "did not finish within 300 ms and was killed",
    );
    Ok(())
}

#[test]
fn output_that_differs_between_two_runs_fails() -> Result<()> {
    let fixture = Fixture::new("nondeterministic")?;
    let report = fixture.verify(true, false)?;
    assert_eq!(report.failed(), 1, "{}", report.summary());
    let failure = failure_at(&report, "book/ch01-nondeterministic.md:3");
    assert_contains(&failure, "nondeterministic output");
    assert_contains(&failure, "+++ second run");
    assert!(
        !fixture
            .path("tests/snapshots/ch01-nondeterministic__clock.snap")
            .exists()
    );
    Ok(())
}

#[test]
fn an_unknown_attribute_fails_its_block_and_the_others_still_run() -> Result<()> {
    let fixture = Fixture::new("unknown-attribute")?;
    let report = fixture.verify(true, false)?;
    assert_eq!((report.passed(), report.failed()), (1, 1), "{}", report.summary());
    assert_contains(
        &failure_at(&report, "book/ch01-unknown-attribute.md:3"),
        "unknown attribute `editable`",
    );
    assert!(fixture.path("crates/ch01-unknown-attribute/src/bin/valid.rs").exists());
    assert!(
        !fixture
            .path("crates/ch01-unknown-attribute/src/bin/editable-block.rs")
            .exists()
    );
    Ok(())
}

#[test]
fn an_unterminated_fence_fails_at_its_opening_line() -> Result<()> {
    let fixture = Fixture::new("unterminated")?;
    let report = fixture.verify(true, false)?;
    assert_eq!((report.passed(), report.failed()), (0, 1), "{}", report.summary());
    assert_contains(
        &failure_at(&report, "book/ch01-unterminated.md:5"),
        "unterminated code fence",
    );
    Ok(())
}

#[test]
fn a_good_book_passes_every_block_and_renders_its_outputs() -> Result<()> {
    let fixture = Fixture::new("good")?;
    let first = fixture.verify(true, false)?;
    assert!(first.is_success(), "{}", first.summary());
    // Nothing changed: a CI run passes and writes nothing.
    let report = fixture.verify(false, true)?;
    assert!(report.is_success(), "{}", report.summary());
    // The last line says what was checked, and that nothing failed.
    assert!(
        report.summary().ends_with(
            "\nverify: 5 Rust blocks (3 ran, 1 compiled only, 1 ignored), 0 twins, 0 listings, 4 shown; 0 failed\n"
        ),
        "{}",
        report.summary()
    );
    // A `python` block without `twin=` is shown, like `text`: nothing runs it.
    assert!(!report.summary().contains("note:"), "{}", report.summary());
    assert_eq!(
        report.chapters[1].progress_line(),
        "book/ch01-good.md: 9 blocks (3 ran, 1 compiled only, 1 ignored, 4 shown): ok"
    );

    let generated = fs::read_to_string(fixture.path("crates/ch01-good/src/bin/hello.rs"))?;
    // Formatted as rustfmt formats it, and naming no chapter line.
    assert_contains(
        &generated,
        "// book/ch01-good.md, block `hello`: generated from the book: edit the chapter, not this file.",
    );
    assert_contains(&generated, "fn main() {\n    fn greet()");
    assert_contains(&generated, "\n    #[allow(dead_code)]\n");

    let index = xtask::book::build(&fixture.layout.root)?;
    assert!(index.ends_with("target/book/index.html"), "{}", index.display());
    let page = fs::read_to_string(fixture.path("target/book/ch01-good.html"))?;
    assert_contains(&page, "<p class=\"verified-output\">Output:</p>");
    assert_contains(&page, "backward called twice");
    assert!(!page.contains("name=hello"), "the info string is stripped on the page");
    Ok(())
}

#[test]
fn a_hand_edited_chapter_crate_is_stale_and_kept() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(fixture.verify(true, false)?.is_success());
    let generated = fixture.path("crates/ch01-good/src/bin/hello.rs");
    fs::write(&generated, fs::read_to_string(&generated)? + "// my own edit\n")?;

    let report = fixture.verify(false, true)?;
    assert_contains(
        &failure_at(&report, "crates/ch01-good/src/bin/hello.rs"),
        "was edited by hand",
    );
    assert_contains(
        &failure_at(&report, "book/ch01-good.md:3"),
        "not built: crates/ch01-good is out of date",
    );
    assert!(!report.is_success());

    // --update will not discard the edit either (robustness.rs has --force).
    assert!(!fixture.verify(true, false)?.is_success());
    assert!(fs::read_to_string(&generated)?.contains("my own edit"));
    Ok(())
}

#[test]
fn a_local_run_regenerates_a_stale_crate_and_builds_it() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(fixture.verify(true, false)?.is_success());
    let chapter = fixture.path("book/ch01-good.md");
    let edited =
        fs::read_to_string(&chapter)?.replace("panic!(\"backward called twice\");", "panic!(\"called twice\");");
    fs::write(&chapter, edited)?;

    // The regenerated file is not a failure of its own: the author commits
    // it with the chapter (in CI, which writes nothing, it would be one).
    let report = fixture.verify(false, false)?;
    assert_eq!((report.passed(), report.failed()), (8, 1), "{}", report.summary());
    assert!(report.problems.is_empty(), "{}", report.summary());
    // The block was built from the chapter as edited: its new panic message shows.
    let failure = failure_at(&report, "book/ch01-good.md:20");
    assert_contains(&failure, "-backward called twice\n+called twice");
    assert!(
        fs::read_to_string(fixture.path("crates/ch01-good/src/bin/expected-panic.rs"))?.contains("\"called twice\"")
    );
    Ok(())
}

#[test]
fn a_removed_block_leaves_an_orphan_snapshot_and_file_until_update_deletes_them() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(fixture.verify(true, false)?.is_success());
    let chapter = fixture.path("book/ch01-good.md");
    let text = fs::read_to_string(&chapter)?;
    let start = text.find("```rust,name=own-main").context("the block")?;
    let end = start + text[start..].find("}\n```\n").context("its end")? + "}\n```\n".len();
    fs::write(&chapter, format!("{}{}", &text[..start], &text[end..]))?;

    let report = fixture.verify(false, true)?;
    assert_contains(
        &failure_at(&report, "tests/snapshots/ch01-good__own-main.snap"),
        "orphan snapshot",
    );
    assert_contains(
        &failure_at(&report, "crates/ch01-good/src/bin/own-main.rs"),
        "no longer exists",
    );
    assert!(
        fixture.path("tests/snapshots/ch01-good__own-main.snap").exists(),
        "CI deletes nothing"
    );

    assert!(fixture.verify(true, false)?.is_success());
    assert!(!fixture.path("tests/snapshots/ch01-good__own-main.snap").exists());
    assert!(!fixture.path("crates/ch01-good/src/bin/own-main.rs").exists());
    assert!(fixture.verify(false, true)?.is_success());
    Ok(())
}

#[test]
fn in_ci_a_new_snapshot_fails_and_no_file_is_written() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(fixture.verify(true, false)?.is_success());
    fs::remove_dir_all(&fixture.layout.snapshots_dir)?;

    let report = fixture.verify(false, true)?;
    assert_eq!(report.failed(), 3, "{}", report.summary());
    assert_contains(&failure_at(&report, "book/ch01-good.md:3"), "new output, no snapshot");
    assert!(
        !fixture.layout.snapshots_dir.exists(),
        "CI wrote into the snapshots directory"
    );

    // Outside CI the same run leaves pending snapshots for review, and still fails.
    let report = fixture.verify(false, false)?;
    assert_eq!(report.failed(), 3, "{}", report.summary());
    assert!(fixture.path("tests/snapshots/ch01-good__hello.snap.new").exists());
    assert!(!fixture.path("tests/snapshots/ch01-good__hello.snap").exists());
    Ok(())
}

#[test]
fn a_twin_that_agrees_passes_and_is_snapshotted_with_its_torch_version() -> Result<()> {
    let fixture = Fixture::new("twins")?;
    let Some(python) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    let report = fixture.verify_with_python(true, false, &python)?;
    assert!(report.is_success(), "{}", report.summary());
    assert_eq!(
        report.chapters[0].progress_line(),
        "book/ch01-twins.md: 3 blocks (1 ran, 1 shown, 1 twins ran): ok"
    );
    let snapshot = fs::read_to_string(fixture.path("tests/snapshots/ch01-twins__pair.py.snap"))?;
    assert_contains(
        &snapshot,
        "description: \"PyTorch twin of block `pair`, run with torch 0.0.0\"",
    );
    assert_contains(&snapshot, "x.grad = [2.0, 10.0, 0.3333333333333333]");
    assert!(fixture.path("tests/snapshots/ch01-twins__pair.snap").exists());

    // Nothing changed: a CI run passes and writes nothing.
    let report = fixture.verify_with_python(false, true, &python)?;
    assert!(report.is_success(), "{}", report.summary());
    assert!(!report.summary().contains("not re-run"), "{}", report.summary());

    // The rendered book shows the pair as two labelled panels, each with its output.
    xtask::book::build(&fixture.layout.root)?;
    let page = fs::read_to_string(fixture.path("target/book/ch01-twins.html"))?;
    assert_contains(&page, "<div class=\"twin-panel\" data-twin-tab=\"PyTorch\">");
    assert_contains(&page, "x.grad = [2.0, 10.0, 0.3333333333333333]");
    Ok(())
}

#[test]
fn a_twin_that_disagrees_fails_naming_the_first_differing_number() -> Result<()> {
    let fixture = Fixture::new("twin-disagrees")?;
    let Some(python) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    let report = fixture.verify_with_python(true, false, &python)?;
    assert_eq!((report.passed(), report.failed()), (1, 1), "{}", report.summary());
    let failure = failure_at(&report, "book/ch01-disagrees.md:8");
    assert_contains(
        &failure,
        "PyTorch twin of `pair`: the PyTorch twin disagrees with its Rust block: number 3 differs: \
         Rust printed `0.0300` (output line 2), PyTorch printed `0.0310` (output line 2)",
    );
    // Both outputs, side by side.
    assert_contains(&failure, "  2  c = 0.0300        | c = 0.0310");

    // Marked `differs`, the same twin passes: PyTorch parts from the block on purpose.
    let chapter = fixture.path("book/ch01-disagrees.md");
    let markdown = fs::read_to_string(&chapter)?;
    common::write(
        &chapter,
        &markdown.replace("python,twin=pair", "python,twin=pair,differs"),
    )?;
    let report = fixture.verify_with_python(true, false, &python)?;
    assert!(report.is_success(), "{}", report.summary());

    // And once the two agree again, `differs` is a failure that says so.
    let markdown = fs::read_to_string(&chapter)?;
    common::write(&chapter, &markdown.replace("c = 0.0310", "c = 0.0300"))?;
    let report = fixture.verify_with_python(true, false, &python)?;
    assert_contains(
        &failure_at(&report, "book/ch01-disagrees.md:8"),
        "is marked `differs`, but PyTorch printed the same numbers as block `pair`",
    );
    Ok(())
}

#[test]
fn a_twin_naming_a_missing_rust_block_is_an_error_at_its_line() -> Result<()> {
    let fixture = Fixture::new("twin-missing-rust")?;
    // No Python at all: the error is found before anything would run.
    let report = fixture.verify_with_python(true, false, Path::new("/bin/false"))?;
    assert_eq!((report.passed(), report.failed()), (1, 1), "{}", report.summary());
    assert_contains(
        &failure_at(&report, "book/ch01-missing.md:7"),
        "`twin=absent` names no Rust block of this chapter",
    );
    Ok(())
}

#[test]
fn without_torch_the_committed_twin_snapshot_is_cross_checked() -> Result<()> {
    let fixture = Fixture::new("twins")?;
    let Some(python) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    assert!(fixture.verify_with_python(true, false, &python)?.is_success());
    let twin_snapshot = fixture.path("tests/snapshots/ch01-twins__pair.py.snap");

    // `/bin/false` cannot import torch: the twin is checked from its snapshot.
    let no_torch = Path::new("/bin/false");
    let report = fixture.verify_with_python(false, true, no_torch)?;
    assert!(report.is_success(), "{}", report.summary());
    assert_contains(
        &report.summary(),
        "note: 1 python block(s) not re-run: no Python could import torch (/bin/false: failed (exit status: 1)",
    );
    assert_eq!(
        report.chapters[0].progress_line(),
        "book/ch01-twins.md: 3 blocks (1 ran, 1 shown, 1 twins checked from snapshots): ok"
    );

    // The committed output still has to agree with the Rust block's.
    let snapshot = fs::read_to_string(&twin_snapshot)?;
    fs::write(
        &twin_snapshot,
        snapshot.replace("x.grad = [2.0, 10.0,", "x.grad = [2.0, 11.0,"),
    )?;
    let report = fixture.verify_with_python(false, true, no_torch)?;
    assert_contains(
        &failure_at(&report, "book/ch01-twins.md:11"),
        "number 3 differs: Rust printed `10.0000` (output line 2), PyTorch printed `11.0`",
    );

    // An edited twin cannot be vouched for by an output of its old code.
    fs::write(&twin_snapshot, snapshot)?;
    let chapter = fixture.path("book/ch01-twins.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(&chapter, text.replace("1 / 3])", "1 / 3.0])"))?;
    let report = fixture.verify_with_python(false, true, no_torch)?;
    assert_contains(
        &failure_at(&report, "book/ch01-twins.md:11"),
        "the twin's code differs from the code its snapshot tests/snapshots/ch01-twins__pair.py.snap was made with",
    );

    // And without a snapshot there is nothing to cross-check.
    fs::write(&chapter, text)?;
    fs::remove_file(&twin_snapshot)?;
    let report = fixture.verify_with_python(false, true, no_torch)?;
    assert_contains(
        &failure_at(&report, "book/ch01-twins.md:11"),
        "no committed snapshot tests/snapshots/ch01-twins__pair.py.snap, and torch is needed to make one",
    );
    Ok(())
}

#[test]
fn a_removed_twin_leaves_an_orphan_snapshot() -> Result<()> {
    let fixture = Fixture::new("twins")?;
    let Some(python) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    assert!(fixture.verify_with_python(true, false, &python)?.is_success());
    let chapter = fixture.path("book/ch01-twins.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(&chapter, text.replace("```python,twin=pair", "```python"))?;

    let report = fixture.verify_with_python(false, true, &python)?;
    assert_contains(
        &failure_at(&report, "tests/snapshots/ch01-twins__pair.py.snap"),
        "orphan snapshot",
    );
    assert!(fixture.verify_with_python(true, false, &python)?.is_success());
    assert!(!fixture.path("tests/snapshots/ch01-twins__pair.py.snap").exists());
    Ok(())
}

// ---------------------------------------------------------------------------
// The verdict cache: what passed and has not changed is not re-run; any
// change to what a verdict depends on runs it again.
// ---------------------------------------------------------------------------

#[test]
fn a_warm_run_reuses_what_passed_and_runs_again_whatever_changed() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    let first = fixture.verify_cached(true, false, None)?;
    assert!(first.is_success(), "{}", first.summary());
    assert_eq!(
        first.chapters[0].progress_line(),
        "book/ch01-small.md: 2 blocks (2 ran): ok"
    );

    let warm = fixture.verify_cached(false, false, None)?;
    assert!(warm.is_success(), "{}", warm.summary());
    assert_eq!(
        warm.chapters[0].progress_line(),
        "book/ch01-small.md: 2 blocks (2 unchanged since they passed): ok"
    );

    // A snapshot edited to expect something else: that block runs again and fails.
    let snapshot = fixture.path("tests/snapshots/ch01-small__hello.snap");
    let original = fs::read_to_string(&snapshot)?;
    fs::write(&snapshot, original.replace("hello", "goodbye"))?;
    let edited = fixture.verify_cached(false, false, None)?;
    assert_eq!(edited.failed(), 1, "{}", edited.summary());
    assert_contains(&failure_at(&edited, "book/ch01-small.md:3"), "goodbye");
    // The failure was forgotten, not remembered: it fails again.
    assert_eq!(fixture.verify_cached(false, false, None)?.failed(), 1);
    fs::write(&snapshot, original)?;
    let restored = fixture.verify_cached(false, false, None)?;
    assert_eq!(
        restored.chapters[0].progress_line(),
        "book/ch01-small.md: 2 blocks (1 ran, 1 unchanged since they passed): ok"
    );

    // A block whose code changed is rebuilt, so it runs again; the other is not.
    let chapter = fixture.path("book/ch01-small.md");
    fs::write(
        &chapter,
        fs::read_to_string(&chapter)?.replace("println!(\"other\")", "println!(\"other!\")"),
    )?;
    let changed = fixture.verify_cached(true, false, None)?;
    assert!(changed.is_success(), "{}", changed.summary());
    assert_eq!(
        changed.chapters[0].progress_line(),
        "book/ch01-small.md: 2 blocks (1 ran, 1 unchanged since they passed): ok"
    );

    // CI ignores the cache: everything runs.
    let ci = fixture.verify_cached(false, true, None)?;
    assert_eq!(
        ci.chapters[0].progress_line(),
        "book/ch01-small.md: 2 blocks (2 ran): ok"
    );
    Ok(())
}

#[test]
fn an_unchanged_twin_is_not_rerun_but_a_changed_snapshot_is() -> Result<()> {
    let fixture = Fixture::new("twins")?;
    let Some(wrapper) = common::python_with_stand_in_torch(&fixture.path("python"))? else {
        return Ok(());
    };
    // Laid out like a virtual environment, with torch's metadata directory
    // where `pip` puts it: the cache can then tell which torch it is.
    let env = fixture.path("env");
    let python = env.join("bin/python");
    fs::create_dir_all(env.join("bin"))?;
    fs::copy(&wrapper, &python)?;
    fs::create_dir_all(env.join("lib/python3.11/site-packages/torch-0.0.0.dist-info"))?;

    let first = fixture.verify_cached(true, false, Some(&python))?;
    assert!(first.is_success(), "{}", first.summary());
    assert_eq!(
        first.chapters[0].progress_line(),
        "book/ch01-twins.md: 3 blocks (1 ran, 1 shown, 1 twins ran): ok"
    );
    let warm = fixture.verify_cached(false, false, Some(&python))?;
    assert!(warm.is_success(), "{}", warm.summary());
    assert_eq!(
        warm.chapters[0].progress_line(),
        "book/ch01-twins.md: 3 blocks (1 shown, 2 unchanged since they passed): ok"
    );

    // The twin moved (prose inserted above it and its Rust block): nothing
    // it depends on changed, so nothing runs again and no file is written;
    // then CI, with no cache, agrees.
    let chapter = fixture.path("book/ch01-twins.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(
        &chapter,
        text.replace("The twin prints", "More prose.\n\nThe twin prints")
            .replace("```python,twin=pair", "A twin.\n\n```python,twin=pair"),
    )?;
    let snapshots_before = fs::read_to_string(fixture.path("tests/snapshots/ch01-twins__pair.py.snap"))?;
    let moved = fixture.verify_cached(false, false, Some(&python))?;
    assert!(moved.is_success(), "{}", moved.summary());
    assert_eq!(
        moved.chapters[0].progress_line(),
        "book/ch01-twins.md: 3 blocks (1 shown, 2 unchanged since they passed): ok"
    );
    assert_eq!(
        fs::read_to_string(fixture.path("tests/snapshots/ch01-twins__pair.py.snap"))?,
        snapshots_before
    );
    let ci = fixture.verify_cached(false, true, Some(&python))?;
    assert!(ci.is_success(), "{}", ci.summary());

    // Another torch version: the twin runs again.
    fs::rename(
        env.join("lib/python3.11/site-packages/torch-0.0.0.dist-info"),
        env.join("lib/python3.11/site-packages/torch-0.0.1.dist-info"),
    )?;
    let upgraded = fixture.verify_cached(false, false, Some(&python))?;
    assert!(upgraded.is_success(), "{}", upgraded.summary());
    assert_contains(&upgraded.chapters[0].progress_line(), "1 twins ran");

    // The twin's snapshot edited: it runs again, and fails.
    let snapshot = fixture.path("tests/snapshots/ch01-twins__pair.py.snap");
    let original = fs::read_to_string(&snapshot)?;
    fs::write(&snapshot, original.replace("x.grad = [2.0", "x.grad = [3.0"))?;
    let edited = fixture.verify_cached(false, false, Some(&python))?;
    assert_eq!(edited.failed(), 1, "{}", edited.summary());
    Ok(())
}

#[test]
fn an_unproven_number_fails_at_its_line_and_a_quotation_is_counted() -> Result<()> {
    let fixture = Fixture::new("prose")?;
    let report = fixture.verify(true, false)?;
    assert_eq!(report.failed(), 0, "{}", report.summary());
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{}", report.summary());
    assert_eq!(failures[0].0, "book/ch01-numbers.md:11");
    assert_contains(
        &failures[0].1,
        "`0.7854` in the prose: no verified output of the chapter prints this number, and neither block \
         beside it types it; the nearest \
         printed is `0.7852`, by block `print-gradient` (its output line 1: `grad = 0.7852`)",
    );
    assert_contains(
        &report.summary(),
        "prose: 2 checked, 1 quoted, 4 exempt (definitions 3, inputs 1), 1 unproven\n",
    );

    // Written as the block prints it, the number is proven, and the run passes.
    let chapter = fixture.path("book/ch01-numbers.md");
    let markdown = fs::read_to_string(&chapter)?;
    common::write(
        &chapter,
        &markdown.replace("A rounding of it, 0.7854, is not", "Its value, 0.7852, is"),
    )?;
    let report = fixture.verify(false, true)?;
    assert!(report.is_success(), "{}", report.summary());
    assert_contains(
        &report.summary(),
        "prose: 3 checked, 1 quoted, 4 exempt (definitions 3, inputs 1), 0 unproven\n",
    );
    Ok(())
}

/// Every failure in one run: the workspace's tests run with
/// `--no-fail-fast`, so a failing test binary hides no other, each failed
/// test is named, and the closing line counts them and is the last line.
#[test]
fn every_failing_test_binary_is_reported_and_the_closing_line_counts_their_failures() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    for (binary, test) in [("first", "a_first_failure"), ("second", "a_second_failure")] {
        common::write(
            &fixture.path(&format!("crates/autograd/tests/{binary}.rs")),
            &format!("#[test]\nfn {test}() {{\n    assert_eq!(1 + 1, 3, \"a failure of the fixture's\");\n}}\n"),
        )?;
    }
    let options = xtask::verify::Options {
        workspace_tests: true,
        ..options(true, false)
    };
    let report = verify(&fixture.layout, &options)?;
    let tests = report.workspace_tests.as_ref().context("the tests ran")?;
    let counted = tests.counted.as_ref().context("and were counted")?;
    assert_eq!(
        counted.failed,
        ["a_first_failure", "a_second_failure"],
        "{}",
        report.summary()
    );
    assert!(!report.is_success());
    let summary = report.summary();
    assert_contains(
        &summary,
        "\nthe workspace's tests: 2 failed: a_first_failure, a_second_failure; their output is above\n",
    );
    let last = summary.lines().last().unwrap_or_default();
    assert!(last.starts_with("verify: 2 Rust blocks (2 ran), "), "{summary}");
    assert!(last.ends_with(" tests; 2 failed (2 in the tests)"), "{summary}");
    Ok(())
}

/// No chapter outside the book: a markdown file SUMMARY.md does not list is
/// an error naming it, and a chapter taken out of SUMMARY.md gets one
/// message for its crate and one for its snapshots, not one per file.
#[test]
fn a_chapter_summary_md_does_not_list_is_an_error_and_its_files_get_one_message() -> Result<()> {
    let fixture = Fixture::new("good")?;
    assert!(fixture.verify(true, false)?.is_success());
    common::write(
        &fixture.path("book/ch02-unlisted.md"),
        "# Unlisted\n\nIt claims 3.14159.\n\n```rust,name=pi\nprintln!(\"2.71828\");\n```\n",
    )?;
    let report = fixture.verify(false, true)?;
    assert_contains(
        &failure_at(&report, "book/ch02-unlisted.md"),
        "book/SUMMARY.md does not list this chapter, so the book leaves it out and verify checks none of its blocks",
    );
    assert_eq!(report.problems.len(), 1, "{}", report.summary());

    // Taken out of SUMMARY.md, the chapter's crate and snapshots are orphans,
    // each group in one message.
    let summary = fixture.path("book/SUMMARY.md");
    let listed = fs::read_to_string(&summary)?;
    fs::write(&summary, listed.replace("- [Good](ch01-good.md)\n", ""))?;
    let report = fixture.verify(false, true)?;
    assert_contains(
        &failure_at(&report, "crates/ch01-good"),
        "file(s): book/ch01-good.md is not listed in SUMMARY.md, so no block generates these any more",
    );
    assert_contains(
        &failure_at(&report, "tests/snapshots/ch01-good__*"),
        "3 snapshot(s): book/ch01-good.md is not listed in SUMMARY.md",
    );
    assert_contains(&failure_at(&report, "book/ch01-good.md"), "does not list this chapter");
    assert_eq!(report.problems.len(), 4, "{}", report.summary());
    Ok(())
}

/// Nondeterminism is never accepted: `--update` runs a new output more
/// times than a check does, so a `HashMap` of many keys is refused; and a
/// block seen printing two outputs is remembered, so that a later run whose
/// runs agree by chance does not accept it, until its code changes.
#[test]
fn a_block_that_printed_two_outputs_is_never_accepted_until_its_code_changes() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    let chapter = fixture.path("book/ch01-small.md");
    fs::write(
        &chapter,
        "# Small\n\n```rust,name=map\nuse std::collections::HashMap;\n\n\
         let squares: HashMap<u32, u32> = (0..64).map(|i| (i, i * i)).collect();\n\
         println!(\"{squares:?}\");\n```\n",
    )?;
    let report = fixture.verify(true, false)?;
    assert_contains(&failure_at(&report, "book/ch01-small.md:3"), "nondeterministic output");
    assert!(!fixture.path("tests/snapshots/ch01-small__map.snap").exists());

    // A block whose first run differs from all the later ones: they agree
    // with each other, as a short map's order may by chance.
    let first_time = "# Small\n\n```rust,name=first-time\n\
                      let marker = std::env::current_exe().unwrap().with_extension(\"seen\");\n\
                      if marker.exists() {\n    println!(\"seen before\");\n} else {\n    \
                      std::fs::write(&marker, \"\").unwrap();\n    println!(\"first time\");\n}\n```\n";
    fs::write(&chapter, first_time)?;
    let report = fixture.verify_cached(false, false, None)?;
    assert_contains(&failure_at(&report, "book/ch01-small.md:3"), "+++ second run");
    let report = fixture.verify_cached(true, false, None)?;
    assert_contains(
        &failure_at(&report, "book/ch01-small.md:3"),
        "an earlier run of this block printed two different outputs, and its code has not changed since",
    );
    assert!(!fixture.path("tests/snapshots/ch01-small__first-time.snap").exists());
    // Its code changed: it is judged afresh, and its runs now agree.
    fs::write(&chapter, first_time.replace("seen before", "seen"))?;
    let report = fixture.verify_cached(true, false, None)?;
    assert!(report.is_success(), "{}", report.summary());
    Ok(())
}

/// Outputs are text, never directives: what a block prints is shown as the
/// characters it printed, whatever mdBook, markdown, HTML or a formula
/// would make of them.
#[test]
fn an_output_that_prints_directives_html_markdown_or_math_is_shown_as_it_printed() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    common::write(&fixture.path("README.md"), "# A secret README\n\nnot for the page\n")?;
    fs::write(
        fixture.path("book/ch01-small.md"),
        // The directives are made at run time: written in the block, mdBook
        // would replace them in its code too (and the extractor refuses them).
        "# Small\n\n```rust,name=hijack\nlet open = \"{\".repeat(2);\n\
         println!(\"{open}#include ../README.md:1:3}}}}\");\n\
         println!(\"{open}#title Hijacked}}}}\");\n\
         println!(\"<b>bold</b> **strong** $x^2$ &amp;\");\n```\n",
    )?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    xtask::book::build(&fixture.layout.root)?;
    let page = fs::read_to_string(fixture.path("target/book/ch01-small.html"))?;
    let title = page
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"));
    assert!(title.is_some_and(|(title, _)| !title.contains("Hijacked")), "{title:?}");
    assert!(
        !page.contains("A secret README"),
        "an output included the README:\n{page}"
    );
    for shown in [
        "{{#include ../README.md:1:3}}",
        "{{#title Hijacked}}",
        "&lt;b&gt;bold&lt;/b&gt; **strong** $x^2$ &amp;amp;",
    ] {
        assert_contains(&page, shown);
    }
    assert!(!page.contains("<math"), "an output became a formula");
    Ok(())
}

/// A snapshot knows its code: a block edited since its output was verified
/// fails the book build at its line, and `cargo xtask book --preview` shows
/// the old output marked as not verified; verify then accepts the new one.
#[test]
fn a_block_edited_since_its_output_was_verified_fails_the_book_build_and_a_preview_marks_it() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(fixture.verify(true, false)?.is_success());
    let chapter = fixture.path("book/ch01-small.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(
        &chapter,
        text.replace("println!(\"hello\");", "println!(\"hello, edited\");"),
    )?;

    let error = format!("{:#}", xtask::book::build(&fixture.layout.root).unwrap_err());
    assert_contains(
        &error,
        "book/ch01-small.md:3: block `hello`: its code changed since its output was verified",
    );
    assert!(!error.contains("block `other`"), "{error}");

    xtask::book::build_unverified(&fixture.layout.root)?;
    let page = fs::read_to_string(fixture.path("target/book/ch01-small.html"))?;
    assert_contains(
        &page,
        "<p class=\"verified-output new-output\">Not verified: the code above is not the code that printed \
         this. Output:</p>\n\n<pre><code class=\"language-text\">hello\n</code></pre>",
    );
    assert_eq!(page.matches("Not verified").count(), 1, "only the edited block");

    assert!(fixture.verify(true, false)?.is_success());
    xtask::book::build(&fixture.layout.root)?;
    Ok(())
}

/// The `stages` fixture with its stages running through `through`.
fn staged_fixture(through: Option<&str>) -> Result<Fixture> {
    let fixture = Fixture::new("stages")?;
    if let Some(through) = through {
        let book_toml = fixture.path("book.toml");
        let text = fs::read_to_string(&book_toml)?;
        fs::write(&book_toml, format!("{text}staged-through = \"{through}\"\n"))?;
    }
    Ok(fixture)
}

#[test]
fn each_chapter_runs_against_the_engine_as_shown_by_its_end() -> Result<()> {
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    assert_eq!(
        report.stages,
        [
            "stage ch01-squares: engine builds, 1 block matches (no block stands before the engine is complete); 2 engine files, 23 lines",
            "stage ch02-cubes: engine builds, 1 block matches (no block stands before the engine is complete); 2 engine files, 36 lines",
        ]
    );
    // Chapter 1's engine has no inherent `describe` yet: the trait's answers.
    let nine = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-squares", "nine")?;
    assert_eq!(nine, "9 is a number");
    let eight = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch02-cubes", "eight")?;
    assert_eq!(eight, "8 is a square");
    let stage = fs::read_to_string(fixture.path("target/stages/ch01-squares/crates/ch01-squares/autograd/src/lib.rs"))?;
    assert!(!stage.contains("fn cube") && !stage.contains("ANCHOR"), "{stage}");
    Ok(())
}

#[test]
fn a_clean_stage_is_not_built_again_until_a_chapter_up_to_it_changes() -> Result<()> {
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    let first = fixture.verify_cached(true, false, None)?;
    assert!(first.is_success(), "{}", first.summary());
    // A stage handed to cargo again would have its workspace written again.
    let manifest = |chapter: &str| fixture.path(&format!("target/stages/{chapter}/Cargo.toml"));
    for chapter in ["ch01-squares", "ch02-cubes"] {
        fs::remove_file(manifest(chapter))?;
    }
    let warm = fixture.verify_cached(false, false, None)?;
    assert!(warm.is_success(), "{}", warm.summary());
    assert_eq!(warm.stages, first.stages);
    assert!(!manifest("ch01-squares").exists() && !manifest("ch02-cubes").exists());
    // Chapter 2 changes: its stage is built again, chapter 1's is not.
    let chapter = fixture.path("book/ch02-cubes.md");
    fs::write(
        &chapter,
        format!("{}\nOne more sentence.\n", fs::read_to_string(&chapter)?),
    )?;
    let edited = fixture.verify_cached(false, false, None)?;
    assert!(edited.is_success(), "{}", edited.summary());
    assert!(!manifest("ch01-squares").exists());
    assert!(manifest("ch02-cubes").exists());
    Ok(())
}

#[test]
fn an_exercise_function_whose_stub_no_test_notices_is_named_and_the_run_shown_must_be_the_run() -> Result<()> {
    // Chapter 2's listing becomes an exercise, with a function no program calls.
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    let chapter = fixture.path("book/ch02-cubes.md");
    let text = fs::read_to_string(&chapter)?.replacen("```rust,listing\n", "```rust,listing,exercise\n", 1);
    // The page shows a passing run of the exercise's tests, with a wrong count.
    let run = "\n```console\ncargo test --test exercise\n```\n\n```text\nrunning 2 tests\n…\n\
               test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n```\n";
    fs::write(&chapter, format!("{text}{run}"))?;
    let report = fixture.verify(true, false)?;
    let run_line = text.lines().count() + 6;
    let failure = failure_at(&report, &format!("book/ch02-cubes.md:{run_line}"));
    assert_contains(
        &failure,
        "the exercise's passing run prints\nrunning 1 test\n…\ntest result: ok. 1 passed;",
    );
    fs::write(
        &chapter,
        format!("{text}{}", run.replace("2 tests", "1 test").replace(" 2 ", " 1 ")),
    )?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    assert!(
        report.stages.contains(
            &"exercise ch02-cubes: 2 functions stubbed, 2 caught, solution passes 1 test (1 program)".to_string()
        ),
        "{:?}",
        report.stages
    );
    let engine = fixture.path("crates/autograd/src/lib.rs");
    let unused = "/// Never called.\npub fn unused() -> f64 {\n    1.0\n}\n// ANCHOR_END: cube";
    fs::write(
        &engine,
        fs::read_to_string(&engine)?.replace("// ANCHOR_END: cube", unused),
    )?;
    let report = fixture.verify(true, false)?;
    assert!(!report.is_success(), "{}", report.summary());
    let failure = failure_at(&report, "book/ch02-cubes.md:4");
    assert_contains(
        &failure,
        "exercise function `unused` (src/lib.rs): no test of the chapter fails",
    );
    assert!(
        report.stages.contains(
            &"exercise ch02-cubes: 3 functions stubbed, 2 caught, solution passes 1 test (1 program)".to_string()
        ),
        "{:?}",
        report.stages
    );
    Ok(())
}

#[test]
fn a_block_that_prints_differently_at_its_stage_fails() -> Result<()> {
    // Accepted against the finished engine, then checked against the stages.
    let fixture = staged_fixture(None)?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    assert!(report.stages.is_empty());
    let book_toml = fixture.path("book.toml");
    let text = fs::read_to_string(&book_toml)?;
    fs::write(&book_toml, format!("{text}staged-through = \"ch02-cubes\"\n"))?;
    let report = fixture.verify(false, false)?;
    assert_eq!(report.failed(), 1, "{}", report.summary());
    let failure = failure_at(&report, "book/ch01-squares.md:15");
    assert_contains(&failure, "9 is a number");
    assert_contains(&failure, "9 is a square");
    assert_eq!(
        report.stages[0],
        "stage ch01-squares: engine builds, 0 of 1 blocks match (no block stands before the engine is complete); 2 engine files, 23 lines"
    );
    Ok(())
}

#[test]
fn a_name_the_book_shows_only_later_fails_at_its_stage_with_the_chapter_line() -> Result<()> {
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    // A block of chapter 1 that calls chapter 2's function: it builds against
    // the finished engine, not against chapter 1's.
    let chapter = fixture.path("book/ch01-squares.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(&chapter, text.replace("square(3.0), Square", "cube(3.0), Square"))?;
    let report = fixture.verify(true, false)?;
    let failure = failure_at(&report, "book/ch01-squares.md:17");
    assert_contains(&failure, "against stage ch01-squares");
    assert_contains(&failure, "cannot find function `cube`");

    // A listing of chapter 1 that calls what chapter 2 shows: the engine's
    // own error, at the listing's line.
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    for (file, from, to) in [
        ("ch01-squares.md", ":square}}", ":cube}}"),
        ("ch02-cubes.md", ":cube}}", ":square}}"),
    ] {
        let path = fixture.path(&format!("book/{file}"));
        fs::write(&path, fs::read_to_string(&path)?.replace(from, to))?;
    }
    let report = fixture.verify(true, false)?;
    let failure: Vec<String> = report
        .failures()
        .into_iter()
        .filter(|(at, _)| at == "book/ch01-squares.md:12")
        .map(|(_, message)| message)
        .collect();
    let failure = failure.join("\n");
    assert_contains(&failure, "stage ch01-squares: the engine as the book has shown it");
    assert_contains(&failure, "cannot find function `square`");
    assert!(
        report.stages[0].contains("engine does not build cleanly"),
        "{:?}",
        report.stages
    );
    Ok(())
}

#[test]
fn a_later_chapter_adds_to_an_earlier_listing_and_replaces_an_earlier_version() -> Result<()> {
    let fixture = Fixture::new("stages-grow")?;
    let book_toml = fixture.path("book.toml");
    fs::write(
        &book_toml,
        fs::read_to_string(&book_toml)? + "staged-through = \"ch02-hooks\"\n",
    )?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    let read = |chapter: &str| xtask::snapshot::read_output(&fixture.layout.snapshots_dir, chapter, "steps");
    assert_eq!(read("ch01-walk")?, "[\"start\", \"end\"] plain");
    assert_eq!(read("ch02-hooks")?, "[\"start\", \"hooks\", \"end\"] cached");

    // The page shows what the stage has: chapter 1's walk without the hooks
    // chapter 2 adds, and its rule as the version chapter 2 replaces.
    let chapters = xtask::extract::read_book(&fixture.layout.root, &fixture.layout.book_dir)?;
    let showings = xtask::stages::Showings::read(&fixture.layout.root, &chapters)?;
    let render = |chapter: &str| -> Result<String> {
        let path = Path::new("book").join(chapter);
        let markdown = fs::read_to_string(fixture.path(&path.to_string_lossy()))?;
        xtask::render::render_chapter(
            &fixture.layout.root,
            &fixture.layout.snapshots_dir,
            &path,
            &markdown,
            xtask::render::Strictness::Check,
            Some(&showings),
        )
        .map_err(|errors| anyhow::anyhow!("{errors:?}"))
    };
    // A listing to copy rather than read is folded.
    let walk = fixture.path("book/ch01-walk.md");
    fs::write(
        &walk,
        fs::read_to_string(&walk)?.replace("```toml,listing\n", "```toml,listing,collapsed\n"),
    )?;
    let first = render("ch01-walk.md")?;
    assert_contains(
        &first,
        "<details class=\"listing-collapsed\" id=\"listing-manifest\"><summary class=\"listing-caption\">From \
         <code>crates/autograd/Cargo.toml</code>: to copy as it is</summary>\n\n```toml\n{{#include",
    );
    assert_contains(
        &first,
        "pub fn walk() -> Vec<&'static str> {\n    let mut steps = vec![\"start\"];\n    steps.push(\"end\");",
    );
    assert_contains(
        &first,
        "a first version, which <a href=\"ch02-hooks.html\">chapter 2</a> replaces",
    );
    let second = render("ch02-hooks.md")?;
    assert_contains(
        &second,
        "inside <code>pub fn walk() -&gt; Vec&lt;&amp;'static str&gt;</code>, added after \
         <code>let mut steps = vec![\"start\"];</code>",
    );
    assert_contains(
        &second,
        "replacing the version of <a href=\"ch01-walk.html\">chapter 1</a>",
    );
    // A region shown again says the reader has it already.
    let hooks = fixture.path("book/ch02-hooks.md");
    fs::write(
        &hooks,
        fs::read_to_string(&hooks)?
            + "\nThe walk again:\n\n```rust,listing\n{{#include ../crates/autograd/src/lib.rs:walk}}\n```\n",
    )?;
    let again = render("ch02-hooks.md")?;
    assert_contains(
        &again,
        "as <a href=\"ch01-walk.html\">chapter 1</a> wrote it: already in your engine",
    );
    assert_eq!(again.matches("already in your engine").count(), 1, "{again}");
    // Folded below it, what the replacement changes.
    assert_contains(
        &second,
        "What it changes in the version of <a href=\"ch01-walk.html\">chapter 1</a></summary>\n\n```diff\n\
         -/// The rule, first version.\n+/// The rule, as chapter 2 has it.\n pub fn rule() -> &'static str {\n\
         -    \"plain\"\n+    \"cached\"\n }\n```",
    );
    Ok(())
}

#[test]
fn a_version_shown_after_its_finished_code_is_an_error_at_its_line() -> Result<()> {
    let fixture = Fixture::new("stages-grow")?;
    // Chapter 2 shows the finished rule; a version of it after that, in the
    // same chapter, replaces nothing a reader has.
    let chapter = fixture.path("book/ch02-hooks.md");
    let version = "\n```rust,listing,version-of=../crates/autograd/src/lib.rs:rule\npub fn rule() -> &'static str {\n    \"late\"\n}\n```\n";
    fs::write(&chapter, fs::read_to_string(&chapter)? + version)?;
    let report = fixture.verify(true, false)?;
    let failure = failure_at(&report, "book/ch02-hooks.md:15");
    assert_contains(
        &failure,
        "a version of `rule` after the finished `rule` is shown (book/ch02-hooks.md:8)",
    );
    Ok(())
}

#[test]
fn a_staged_chapter_shows_at_most_forty_lines_at_a_time() -> Result<()> {
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    // Thirty lines of comment make chapter 1's listing 47 lines long.
    let engine = fixture.path("crates/autograd/src/lib.rs");
    let comment = "// A long explanation.\n".repeat(30);
    let source = fs::read_to_string(&engine)?.replace(
        "/// The square of `x`.\n",
        &format!("{comment}/// The square of `x`.\n"),
    );
    fs::write(&engine, source)?;
    let report = fixture.verify(true, false)?;
    let failure = failure_at(&report, "book/ch01-squares.md:11");
    assert_contains(
        &failure,
        "a listing of 47 lines: a staged chapter shows at most 40 at a time",
    );
    // Folded, as code to copy, a listing of a file outside the engine's core
    // (the fixture's `lib.rs`) may be longer.
    let chapter = fixture.path("book/ch01-squares.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(
        &chapter,
        text.replace("```rust,listing\n", "```rust,listing,collapsed\n"),
    )?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    Ok(())
}

#[test]
fn a_block_that_uses_what_its_chapter_shows_only_below_it_fails_where_it_stands() -> Result<()> {
    let fixture = staged_fixture(Some("ch02-cubes"))?;
    // Chapter 2's block moved above the listing of `cube`: it builds at the
    // chapter's end, but not where a reader meets it.
    let chapter = fixture.path("book/ch02-cubes.md");
    let text = fs::read_to_string(&chapter)?;
    let (listing, block) = text
        .split_once("\n\n```rust,name=eight")
        .context("the fixture's block")?;
    let (title, listing) = listing.split_once("\n\n").context("the fixture's title")?;
    fs::write(&chapter, format!("{title}\n\n```rust,name=eight{block}\n{listing}\n"))?;
    let report = fixture.verify(true, false)?;
    let failure = failure_at(&report, "book/ch02-cubes.md:5");
    assert_contains(
        &failure,
        "where it stands on the page, against the engine as shown up to book/ch02-cubes.md:3",
    );
    assert_contains(&failure, "cannot find function `cube`");
    assert!(
        report.stages[1].contains("compiled where they stand at 1 earlier point"),
        "{:?}",
        report.stages
    );
    // Put back below the listing, it passes: the point's own build is not
    // taken for the chapter's end (they share a target directory).
    fs::write(&chapter, &text)?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    Ok(())
}

#[test]
fn a_version_in_a_chapter_not_staged_yet_must_compile_in_place_of_its_region() -> Result<()> {
    // No stages: the version of `rule` is still compiled, in place of the
    // finished `rule`.
    let fixture = Fixture::new("stages-grow")?;
    let report = fixture.verify(true, false)?;
    assert!(report.is_success(), "{}", report.summary());
    let chapter = fixture.path("book/ch01-walk.md");
    fs::write(
        &chapter,
        fs::read_to_string(&chapter)?.replace("    \"plain\"\n", "    plain\n"),
    )?;
    let report = fixture.verify(true, false)?;
    let failure = failure_at(&report, "book/ch01-walk.md:13");
    assert_contains(
        &failure,
        "do not compile in place of their regions in the finished engine",
    );
    assert_contains(&failure, "cannot find value `plain`");
    Ok(())
}
