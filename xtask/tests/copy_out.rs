//! The reader's code, outside the repository: a chapter crate copied out by
//! `cargo xtask new`, a chapter's download from the built book, and a crate
//! of the reader's own set up as the introduction says, each builds and
//! runs on its own and prints what the book shows.
//!
//! The builds share a target directory of their own (`copy-out` beside the
//! workspace's, kept between runs so only the first build compiles
//! ndarray), and are offline: everything they need is already in cargo's
//! cache, because the workspace was built first.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use xtask::extract::{self, BlockKind};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
}

/// `$CARGO_TARGET_DIR/copy-out`, else `<workspace>/target/copy-out`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root().join(dir) })
        .unwrap_or_else(|| root().join("target"))
        .join("copy-out")
}

/// `cargo <args>` in `dir`, offline, into the shared target directory: its
/// standard output, or an error with everything it printed.
fn cargo(dir: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .args(["--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .context("cannot run cargo")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    ensure!(
        output.status.success(),
        "cargo {} in {} failed ({}):\n{}\n{stdout}",
        args.join(" "),
        dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}

/// What the book shows under `block` of `crate_name`: its snapshot's body,
/// after the `---` header.
fn shown_output(crate_name: &str, block: &str) -> Result<String> {
    let path = root().join(format!("tests/snapshots/{crate_name}__{block}.snap"));
    let snapshot = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    snapshot
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body.to_string())
        .context("the snapshot has no `---` header")
}

#[test]
fn cargo_xtask_new_writes_the_chapters_download_its_package_named_after_the_directory() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("my-scalars");
    let copied = xtask::copy_out::new_crate(root(), "02", &dir)?;
    assert_eq!(copied.chapter, "ch02-scalars");
    assert_eq!(copied.package, "my-scalars");
    assert!(copied.bins.iter().any(|bin| bin == "square"), "{:?}", copied.bins);
    assert!(copied.next_steps(&dir).contains("&& cargo run\n"));

    // The download's files, with the package's name in place of the chapter's.
    let book = extract::read_book(root(), &root().join("book"))?;
    let (_, download) = xtask::copy_out::chapter_crate(root(), &book, "ch02-scalars", "my-scalars")?;
    for (path, text) in &download {
        let written =
            fs::read_to_string(dir.join(path)).with_context(|| format!("{} was not written", path.display()))?;
        assert!(written == *text, "{} differs from the download's", path.display());
    }
    let manifest = fs::read_to_string(dir.join("Cargo.toml"))?;
    assert!(manifest.contains("name = \"my-scalars\""), "{manifest}");
    assert!(manifest.contains("edition = \"2024\""), "{manifest}");
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    assert!(manifest.contains("autograd = { path = \"autograd\" }"), "{manifest}");
    let engine = fs::read_to_string(dir.join("autograd/Cargo.toml"))?;
    for manifest in [&manifest, &engine] {
        assert!(!manifest.contains(".workspace"), "nothing inherited: {manifest}");
    }
    assert!(
        dir.join("autograd/src/tensor/mod.rs").is_file(),
        "the engine comes along"
    );
    // Each program is the one the verifier compiled, under its own header.
    let square = fs::read_to_string(dir.join("src/bin/square.rs"))?;
    let generated = fs::read_to_string(root().join("crates/ch02-scalars/src/bin/square.rs"))?;
    assert_eq!(
        square.split_once('\n').map(|(_, body)| body),
        generated.split_once('\n').map(|(_, body)| body)
    );
    assert!(square.starts_with("// book/ch02-scalars.md, block `square`: copied from the book; yours to edit.\n"));

    // The code a reader starts from is formatted as rustfmt formats it.
    let fmt = Command::new(env!("CARGO"))
        .args(["fmt", "--check"])
        .current_dir(&dir)
        .output()
        .context("cannot run cargo fmt")?;
    ensure!(
        fmt.status.success(),
        "the copy is not rustfmt-clean:\n{}",
        String::from_utf8_lossy(&fmt.stdout)
    );

    // The directory is now not empty: a second copy into it is refused.
    let again = xtask::copy_out::new_crate(root(), "ch02-scalars", &dir).unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");

    // Nor is any directory inside the repository, existing or not: it would
    // be a second workspace root below the repository's.
    for inside in [root().join("crates/mycopy"), root().join("target/../book/new/deeper")] {
        let error = xtask::copy_out::new_crate(root(), "2", &inside)
            .unwrap_err()
            .to_string();
        assert!(error.contains("is inside the book's repository"), "{error}");
        assert!(error.contains("multiple workspace roots found"), "{error}");
        assert!(!inside.exists(), "nothing written");
    }
    Ok(())
}

#[test]
fn a_chapter_downloaded_from_the_book_builds_where_it_is_unpacked_and_runs_its_first_block() -> Result<()> {
    let book = tempfile::tempdir()?;
    let archives = xtask::downloads::write_all(root(), book.path())?;
    let archive = book.path().join("downloads/ch02-scalars.tar.gz");
    assert!(archives.contains(&archive), "{archives:?}");
    assert!(archives.contains(&book.path().join("downloads/autograd-book.tar.gz")));

    let unpacked = tempfile::tempdir()?;
    let file = fs::File::open(&archive)?;
    tar::Archive::new(flate2::read::GzDecoder::new(file)).unpack(unpacked.path())?;
    let dir = unpacked.path().join("ch02-scalars");
    assert!(dir.join("autograd/src/lib.rs").is_file());
    // A bare `cargo run` runs the chapter's first program; `--locked`: the
    // versions the book was verified with, the lock taken as it is.
    let chapters = extract::read_book(root(), &root().join("book"))?;
    let (copied, _) = xtask::copy_out::chapter_crate(root(), &chapters, "ch02-scalars", "ch02-scalars")?;
    let first = copied.default_run.context("chapter 2 has a first program")?;
    let stdout = cargo(&dir, &["run", "--locked"])?;
    assert_eq!(stdout.trim_end(), shown_output("ch02-scalars", &first)?.trim_end());
    let stdout = cargo(&dir, &["run", "--locked", "--bin", "square"])?;
    assert_eq!(stdout.trim_end(), shown_output("ch02-scalars", "square")?.trim_end());
    Ok(())
}

#[test]
fn the_introduction_links_every_chapters_download() -> Result<()> {
    let book = extract::read_book(root(), &root().join("book"))?;
    let introduction = fs::read_to_string(root().join("book/introduction.md"))?;
    for name in xtask::copy_out::chapter_crates(&book)
        .into_iter()
        .chain(["autograd-book".to_string()])
    {
        let link = format!("(downloads/{})", xtask::downloads::file_name(&name));
        assert!(
            introduction.contains(&link),
            "book/introduction.md does not link {link}"
        );
    }
    Ok(())
}

/// The introduction's `Cargo.toml` for a crate of the reader's own, with
/// the engine copied beside it and a chapter 10 block pasted as its
/// `src/main.rs` as the copy button copies it: it builds, and prints what
/// the book shows under the block.
#[test]
fn the_manifest_the_introduction_gives_a_readers_own_crate_builds_a_copied_block() -> Result<()> {
    let book = extract::read_book(root(), &root().join("book"))?;
    let introduction = book
        .iter()
        .find(|c| c.crate_name == "introduction")
        .context("the introduction")?;
    let markdown = fs::read_to_string(root().join(&introduction.display_path))?;
    let shown: Vec<&str> = introduction
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Shown("toml")))
        .map(|b| &markdown[b.range.clone()])
        .collect();
    let [fenced] = shown.as_slice() else {
        panic!("expected one `toml` block in the introduction, found {}", shown.len());
    };
    let manifest = fenced
        .trim_end()
        .strip_prefix("```toml\n")
        .and_then(|m| m.strip_suffix("```"))
        .context("a fenced toml block")?;

    // Its edition and `ndarray` are the workspace's.
    let parsed: toml::Table = manifest.parse()?;
    let workspace: toml::Table = fs::read_to_string(root().join("Cargo.toml"))?.parse()?;
    let edition = &workspace["workspace"]["package"]["edition"];
    assert_eq!(&parsed["package"]["edition"], edition, "the introduction's edition");
    let ndarray = &workspace["workspace"]["dependencies"]["ndarray"]["version"];
    assert_eq!(
        &parsed["dependencies"]["ndarray"], ndarray,
        "the introduction's ndarray"
    );

    let chapter = book
        .iter()
        .find(|c| c.crate_name == "ch10-adding-an-operation")
        .context("chapter 10")?;
    let gradcheck = chapter
        .compiled_blocks()
        .find(|(_, rust)| rust.name == "softplus-gradcheck")
        .context("chapter 10's gradcheck block")?
        .1;
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("my-autograd");
    let (_, files) = xtask::copy_out::chapter_crate(root(), &book, "ch10-adding-an-operation", "unused")?;
    let engine: Vec<_> = files
        .into_iter()
        .filter(|(path, _)| path.starts_with("autograd"))
        .collect();
    xtask::copy_out::write_files(&dir, &engine)?;
    fs::write(dir.join("Cargo.toml"), manifest)?;
    fs::create_dir_all(dir.join("src"))?;
    fs::write(dir.join("src/main.rs"), xtask::generate::program_text(&gradcheck.code))?;
    let stdout = cargo(&dir, &["run"])?;
    assert_eq!(
        stdout.trim_end(),
        shown_output("ch10-adding-an-operation", "softplus-gradcheck")?.trim_end()
    );
    Ok(())
}

#[test]
fn a_chapters_starting_point_holds_the_engine_the_chapters_before_it_built() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("start-ch03");
    let copied = xtask::copy_out::new_stage_crate(root(), "ch03", &dir)?;
    assert_eq!(copied.chapter, "ch03-vectors");
    assert!(
        copied
            .next_steps(&dir)
            .contains("type the chapter's listings into autograd/")
    );
    // Chapter 2's scalar engine, without the tensor engine chapter 3 builds.
    assert!(dir.join("autograd/src/scalar.rs").is_file());
    assert!(!dir.join("autograd/src/tensor").exists());
    let lib = fs::read_to_string(dir.join("autograd/src/lib.rs"))?;
    assert!(
        lib.contains("pub mod scalar;") && !lib.contains("pub mod tensor;"),
        "{lib}"
    );
    cargo(&dir, &["build", "-p", "autograd"])?;
    let fmt = Command::new(env!("CARGO"))
        .args(["fmt", "--check"])
        .current_dir(&dir)
        .output()
        .context("cannot run cargo fmt")?;
    ensure!(
        fmt.status.success(),
        "the starting point is not rustfmt-clean:\n{}",
        String::from_utf8_lossy(&fmt.stdout)
    );

    // Chapter 2 starts from nothing: a manifest and an empty lib.rs, which
    // build. With what chapter 2's listings show typed in, its programs
    // print what the book shows.
    let dir = temp.path().join("start-ch02");
    xtask::copy_out::new_stage_crate(root(), "2", &dir)?;
    let lib = fs::read_to_string(dir.join("autograd/src/lib.rs"))?;
    assert!(lib.starts_with("//! The engine, built from the book"), "{lib}");
    cargo(&dir, &["build", "-p", "autograd"])?;
    let book = extract::read_book(root(), &root().join("book"))?;
    let showings = xtask::stages::Showings::read(root(), &book)?;
    let chapter = book
        .iter()
        .position(|c| c.crate_name == "ch02-scalars")
        .context("chapter 2")?;
    let typed = showings.files_at(xtask::stages::Position {
        chapter: chapter + 1,
        line: 0,
    });
    for (path, lines) in &typed {
        let text: String = lines.iter().map(|line| format!("{}\n", line.text)).collect();
        fs::write(dir.join("autograd").join(path), text)?;
    }
    let printed = cargo(&dir, &["run", "--bin", "tape-walk"])?;
    assert_eq!(
        printed.trim_end(),
        shown_output("ch02-scalars", "tape-walk")?.trim_end()
    );
    Ok(())
}
