//! The verifier under bad input: malformed markdown never panics
//! it, misbehaving blocks are contained and reported, and no update loses
//! work. Each test's name says the input it tries.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use common::{Fixture, assert_contains, failure_at, options};
use proptest::prelude::*;
use xtask::extract::{self, BlockKind};
use xtask::report::Report;
use xtask::verify::{Options, verify};

// ---------------------------------------------------------------------------
// 1. Malformed markdown.

/// Generated inputs per run of the property below. The count is in the
/// test's name, which `cargo test` (and so `cargo xtask verify`) prints, and
/// the test fails unless exactly this many inputs were tried.
const MALFORMED_CASES: u32 = 10_000;

/// The nasty pieces chapters are built from: fences of both kinds and many
/// lengths, with and without info strings, nested in quotes and lists,
/// hidden-line markers, tabs, CRLF and lone CR, NULs, invalid UTF-8 and very
/// long lines.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"```",
        b"````",
        b"`````````",
        b"~~~",
        b"~~~~~",
        b"```rust,name=a",
        b"```rust,name=a,should_panic",
        b"```rust,name=b,no_run",
        b"```rust,name=a,ignore=why",
        b"```rust",
        b"```rust,name=",
        b"```rust,name=Bad_Name",
        b"~~~rust,name=c",
        b"````rust,name=d",
        b"```python,twin=a",
        b"```python,twin=",
        b"```python",
        b"```text",
        b"```toml",
        b"``` rust , name = a ",
        b"```\trust,name=a",
        b"```rust,name=a```",
        b"    indented code",
        b"\tindented by a tab",
        b"> ```rust,name=q",
        b"> ```",
        b"- ```text",
        b"  ```",
        b"1. item",
        b"fn main() {}",
        b"fn main() { println!(\"x\"); }",
        b"# hidden line",
        b"#",
        b"## escaped",
        b"#[derive(Debug)]",
        b"\t# tab then hash",
        b"   #  spaced",
        b"let x = 1;",
        b"",
        b"# A heading",
        b"[link](ch02.md)",
        b"<div>",
        b"\x00",
        b"\xff\xfe",
        b"\xc3",
        b"\xe2\x82",
        b"\xed\xa0\x80",
        "é ü 漢字 🦀".as_bytes(),
        b"\\",
        b"\r",
    ];
    prop_oneof![
        8 => proptest::sample::select(fixed).prop_map(<[u8]>::to_vec),
        1 => (1usize..20_000, proptest::sample::select(vec![b'x', b'`', b'~', b'#', b' '])).prop_map(|(n, c)| vec![c; n]),
        1 => proptest::collection::vec(any::<u8>(), 0..16),
    ]
}

fn line_ending() -> impl Strategy<Value = &'static [u8]> {
    prop_oneof![6 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b"\r"[..]), 1 => Just(&b""[..])]
}

fn chapter_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((piece(), line_ending()), 0..40).prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|(piece, ending)| piece.into_iter().chain(ending.iter().copied()))
            .collect()
    })
}

/// Checks one chapter as the verifier reads it: bytes to text (an error
/// must name the file and a line), then every block with a verdict-to-be at
/// a line of the chapter, and the hidden-line handling of every Rust block.
fn check_chapter(bytes: &[u8]) {
    let path = Path::new("book/ch01-fuzz.md");
    let markdown = match extract::markdown_of(path, bytes.to_vec()) {
        Ok(markdown) => markdown,
        Err(error) => {
            let message = format!("{error:#}");
            let rest = message
                .strip_prefix("book/ch01-fuzz.md:")
                .unwrap_or_else(|| panic!("no file in {message:?}"));
            let line: usize = rest
                .split(':')
                .next()
                .and_then(|l| l.parse().ok())
                .unwrap_or_else(|| panic!("no line in {message:?}"));
            assert!(
                line >= 1 && line <= 1 + bytes.iter().filter(|&&b| b == b'\n').count(),
                "{message}"
            );
            // The rest of the chapter is still judged: the verifier never
            // gets here with it, but the book's preprocessor might.
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let lines = 1 + markdown.matches('\n').count();
    let blocks = extract::blocks(&markdown);
    let mut names = std::collections::HashSet::new();
    for block in &blocks {
        assert!(
            block.line >= 1 && block.line <= lines,
            "block at line {} of {lines}",
            block.line
        );
        assert!(block.range.start <= block.range.end && block.range.end <= markdown.len());
        assert!(markdown.is_char_boundary(block.range.start) && markdown.is_char_boundary(block.range.end));
        match &block.kind {
            BlockKind::Rust(rust) => {
                assert!(
                    names.insert(rust.name.clone()),
                    "duplicate name `{}` got a Rust verdict",
                    rust.name
                );
                assert!(rust.first_code_line > block.line);
                assert!(rust.code.is_empty() || rust.code.ends_with('\n'));
            }
            BlockKind::Invalid(message) => assert!(!message.is_empty()),
            _ => {}
        }
    }
}

/// The property: every generated chapter ends in a verdict per block or an
/// error at a file and line, and nothing panics. Run with proptest's runner
/// directly so the test can count the inputs and print the count; the
/// count is also in the name, which every `cargo test` run lists.
#[test]
fn malformed_markdown_10_000_generated_chapters_never_panic_the_extractor() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: MALFORMED_CASES,
        // A failure is shrunk and reported here; nothing is written to the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let tried = AtomicUsize::new(0);
    let result = runner.run(&chapter_bytes(), |bytes| {
        tried.fetch_add(1, Ordering::Relaxed);
        check_chapter(&bytes);
        Ok(())
    });
    let tried = tried.load(Ordering::Relaxed);
    if let Err(failure) = result {
        panic!("robustness: after {tried} malformed-markdown inputs: {failure}");
    }
    assert!(tried >= MALFORMED_CASES as usize, "only {tried} inputs tried");
    println!("robustness: {tried} malformed-markdown inputs tried, 0 panics");
}

#[test]
fn each_named_malformed_chapter_gets_a_verdict_at_a_line() {
    let cases: &[(&str, &[u8])] = &[
        ("empty chapter", b""),
        ("unterminated fence", b"```rust,name=a\nfn main() {}\n"),
        ("nested fences", b"````text\n```rust,name=a\n```\n````\n"),
        ("tilde closed by backticks", b"~~~rust,name=a\nfn main() {}\n```\n"),
        (
            "CRLF",
            b"```rust,name=a\r\n# let x = 1;\r\nprintln!(\"{x}\");\r\n```\r\n",
        ),
        ("tabs", b"\t```rust,name=a\n\t# hidden\n\t```\n"),
        ("duplicate names", b"```rust,name=a\n```\n```rust,name=a\n```\n"),
        ("very long line", &[b'x'; 1 << 20]),
        ("NUL", b"```rust,name=a\n\0\n```\n"),
    ];
    for (what, bytes) in cases {
        check_chapter(bytes);
        let blocks = extract::blocks(&String::from_utf8_lossy(bytes));
        if *what == "duplicate names" {
            assert!(
                matches!(&blocks[1].kind, BlockKind::Invalid(m) if m.contains("duplicate")),
                "{what}"
            );
        }
        if *what == "unterminated fence" || *what == "tilde closed by backticks" {
            assert!(
                matches!(&blocks[0].kind, BlockKind::Invalid(m) if m.contains("unterminated")),
                "{what}"
            );
        }
    }
    let error = extract::markdown_of(
        Path::new("book/ch01-x.md"),
        b"ok\n```text\nbad \xff byte\n```\n".to_vec(),
    )
    .expect_err("not UTF-8");
    assert_eq!(
        format!("{error:#}"),
        "book/ch01-x.md:3: not valid UTF-8 (byte 0xff at byte 5 of the line): save the chapter as UTF-8"
    );
}

#[test]
fn a_summary_naming_a_missing_file_or_a_non_utf8_chapter_is_an_error_at_a_line() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let book = dir.path().join("book");
    fs::create_dir_all(&book)?;
    fs::write(book.join("SUMMARY.md"), "# S\n\n- [Gone](ch09-gone.md)\n")?;
    let error = format!(
        "{:#}",
        extract::read_book(dir.path(), &book).expect_err("missing chapter")
    );
    assert!(
        error.starts_with("book/SUMMARY.md:3: chapter `ch09-gone.md` does not exist"),
        "{error}"
    );

    fs::write(book.join("SUMMARY.md"), "# S\n\n- [Bad](ch01-bad.md)\n")?;
    fs::write(book.join("ch01-bad.md"), b"# Bad\n\n\xff\n")?;
    let error = format!("{:#}", extract::read_book(dir.path(), &book).expect_err("bad bytes"));
    assert!(error.contains("ch01-bad.md:3: not valid UTF-8"), "{error}");

    fs::write(book.join("SUMMARY.md"), b"# S\r\n\r\n- [Empty](ch01-empty.md)\r\n")?;
    fs::write(book.join("ch01-empty.md"), b"")?;
    let chapters = extract::read_book(dir.path(), &book)?;
    assert!(chapters[0].blocks.is_empty());
    Ok(())
}

// ---------------------------------------------------------------------------
// Fixture books (`common::Fixture`).

impl Fixture {
    fn verify(&self, update: bool, ci: bool, force: bool) -> Result<Report> {
        verify(
            &self.layout,
            &Options {
                force,
                ..options(update, ci)
            },
        )
    }

    /// Every file outside `target/`, with its contents.
    fn tree(&self) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
        let mut files = BTreeMap::new();
        let mut pending = vec![self.layout.root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir)? {
                let path = entry?.path();
                if path == self.layout.target_dir {
                    continue;
                }
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.insert(path.strip_prefix(&self.layout.root)?.to_path_buf(), fs::read(&path)?);
                }
            }
        }
        Ok(files)
    }
}

// ---------------------------------------------------------------------------
// 2. Misbehaving blocks.

#[test]
fn blocks_that_read_stdin_flood_stdout_write_files_leave_a_child_or_abort_are_each_reported() -> Result<()> {
    let fixture = Fixture::new("misbehaving")?;
    let started = Instant::now();
    let report = fixture.verify(true, false, false)?;
    // The sleeper would hold stdout open for 30 s: the run must not wait for it.
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
    let chapter = "book/ch01-misbehaving.md";
    assert_eq!((report.passed(), report.failed()), (3, 3), "{}", report.summary());

    // stdin is at end of input.
    let stdin = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-misbehaving", "reads-stdin")?;
    assert_eq!(stdin, "read 0 bytes from stdin");

    // 3000 lines of 1024 bytes: capped, failed with the size.
    assert_contains(
        &failure_at(&report, &format!("{chapter}:12")),
        "block `prints-megabytes`: printed 3072000 bytes to stdout, more than the limit of 1048576 bytes (1 MiB)",
    );

    // Files are written in a scratch directory, which is removed.
    let wrote = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-misbehaving", "writes-files")?;
    assert_eq!(wrote, "wrote: true");
    let scratch = fixture.layout.target_dir.join("xtask/scratch");
    let left: Vec<_> = fs::read_dir(&scratch)?.collect::<Result<_, _>>()?;
    assert!(left.is_empty(), "scratch directories left behind: {left:?}");
    assert!(!fixture.path("out.txt").exists() && !fixture.path("book/out.txt").exists());

    assert_contains(
        &failure_at(&report, &format!("{chapter}:26")),
        "block `leaves-a-child`: left a child process running after it exited (it was killed)",
    );
    assert_contains(
        &failure_at(&report, &format!("{chapter}:33")),
        "block `aborts`: was killed by SIGABRT (signal 6)",
    );
    let still = xtask::snapshot::read_output(&fixture.layout.snapshots_dir, "ch01-misbehaving", "still-runs")?;
    assert_eq!(still, "the run went on");

    // A second run, in CI, leaves the tree exactly as it was.
    let before = fixture.tree()?;
    fixture.verify(false, true, false)?;
    assert!(before == fixture.tree()?, "a CI verify changed files outside target/");
    Ok(())
}

// ---------------------------------------------------------------------------
// 3. No lost work.

#[test]
fn a_hand_edited_generated_file_is_never_overwritten_without_force() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(fixture.verify(true, false, false)?.is_success());
    let generated = fixture.path("crates/ch01-small/src/bin/hello.rs");
    let edited = fs::read_to_string(&generated)? + "// my own edit\n";
    fs::write(&generated, &edited)?;

    // Neither a local run, nor --update, nor CI overwrites it.
    for (update, ci) in [(false, false), (true, false), (false, true)] {
        let report = fixture.verify(update, ci, false)?;
        assert!(!report.is_success());
        assert_contains(
            &failure_at(&report, "crates/ch01-small/src/bin/hello.rs"),
            "was edited by hand: it no longer matches the hash in its generated header; the verifier will not \
             overwrite it: move the edit into the chapter at book/ch01-small.md:3 (block `hello`) or pass --force \
             to discard it",
        );
        assert_contains(&failure_at(&report, "book/ch01-small.md:3"), "not built");
        assert_eq!(fs::read_to_string(&generated)?, edited, "update={update} ci={ci}");
    }
    // A file that lost its header is hand-written, and kept too.
    fs::write(&generated, "fn main() {}\n")?;
    assert!(!fixture.verify(true, false, false)?.is_success());
    assert_eq!(fs::read_to_string(&generated)?, "fn main() {}\n");

    // --force discards the edit.
    assert!(fixture.verify(true, false, true)?.is_success());
    assert!(!fs::read_to_string(&generated)?.contains("fn main() {}\n\n"));
    assert!(fixture.verify(false, true, false)?.is_success());
    Ok(())
}

#[test]
fn a_hand_edited_orphan_is_not_deleted_without_force() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(fixture.verify(true, false, false)?.is_success());
    let chapter = fixture.path("book/ch01-small.md");
    let text = fs::read_to_string(&chapter)?;
    fs::write(&chapter, text.replace("```rust,name=other\n", "```rust,name=renamed\n"))?;
    let orphan = fixture.path("crates/ch01-small/src/bin/other.rs");
    fs::write(&orphan, fs::read_to_string(&orphan)? + "// kept\n")?;

    let report = fixture.verify(true, false, false)?;
    assert_contains(
        &failure_at(&report, "crates/ch01-small/src/bin/other.rs"),
        "edited by hand since; the verifier will not delete it",
    );
    assert!(orphan.exists());
    assert!(fixture.verify(true, false, true)?.is_success());
    assert!(!orphan.exists());
    Ok(())
}

#[test]
fn update_deletes_only_snapshots_and_files_the_verifier_made() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(fixture.verify(true, false, false)?.is_success());
    let snapshots = &fixture.layout.snapshots_dir;
    // Another test's insta snapshot, a file named like a snapshot, a
    // hand-written file in a chapter crate: none is the verifier's.
    let foreign = [
        (
            snapshots.join("ch01-small__other-test.snap"),
            "---\nsource: src/lib.rs\nexpression: x\n---\n1\n",
        ),
        (snapshots.join("ch01-small__notes.snap"), "not a snapshot\n"),
        (fixture.path("crates/ch01-small/src/notes.rs"), "// mine\n"),
    ];
    for (path, text) in &foreign {
        fs::write(path, text)?;
    }
    let report = fixture.verify(true, false, false)?;
    assert!(report.is_success(), "{}", report.summary());
    for (path, text) in &foreign {
        assert_eq!(&fs::read_to_string(path)?, text, "{}", path.display());
    }
    Ok(())
}

#[test]
fn update_writes_every_file_atomically_leaving_no_temporary_files() -> Result<()> {
    let fixture = Fixture::new("good-small")?;
    assert!(fixture.verify(true, false, false)?.is_success());
    let tree = fixture.tree()?;
    let temporary: Vec<_> = tree.keys().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(temporary.is_empty(), "{temporary:?}");
    // Every generated file carries the hash of its body.
    for (path, bytes) in &tree {
        if path.starts_with("crates/ch01-small") {
            assert!(!xtask::generate::is_hand_edited(bytes), "{}", path.display());
            assert!(
                String::from_utf8_lossy(bytes)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .contains(" fnv1a=")
            );
        }
    }
    Ok(())
}
