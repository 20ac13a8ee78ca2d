//! `cargo xtask`: the command line over the [`xtask`] library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use xtask::layout::{self, Layout};
use xtask::verify::{self, Options};

const USAGE: &str = "\
usage:
  cargo xtask verify [--update] [--force] [--no-cache] [--timeout-ms <ms>]
      Extract, build, run and snapshot every code block of the book, then run
      the workspace's tests. --update rewrites the generated chapter crates,
      accepts new outputs and deletes orphans. A chapter-crate file edited by
      hand is never overwritten or deleted unless --force is given. What
      passed before and has not changed since is not re-run, unless
      --no-cache is given or CI is set (see xtask/src/cache.rs).
  cargo xtask book [--open] [--preview]
      Render the book into target/book, each block with its verified output,
      and each chapter's code as a download in target/book/downloads. A block
      whose code changed since its output was verified fails the build;
      with --preview its output is shown marked as not verified instead.
  cargo xtask serve [--port <n>] [--open] [--timeout-ms <ms>]
      Serve the book on http://127.0.0.1:<n>/ (3000 unless told), verifying
      it again each time a chapter, a snapshot or the engine's source is
      saved: only what changed runs again, and the pages reload with the new
      outputs, or show each failure at its block with its chapter line.
  cargo xtask preprocess [supports <renderer>]
      The verified-output preprocessor, for mdBook's own `mdbook build`.
  cargo xtask new [--stage | --exercise] <chapter> <dir>
      Copy a chapter's crate (`ch02-scalars`, or its number `2`) into <dir> as
      a standalone crate, with the engine, that builds outside the repository:
      the same files as the chapter's download from the built book. With
      --stage, the engine is the one the book has built by the start of the
      chapter: type the chapter's listings into it, and its programs run.
      With --exercise, the engine as the chapter ends it, the functions the
      chapter marks as exercises left for you to write, and `cargo test`
      checking them against the book's outputs; without a chapter, it lists
      the chapters that have one.
  cargo xtask browser [--screenshot <png>]
      Build the book and check it in headless Chromium: no console errors;
      outputs, math, graphs and quizzes shown; a screenshot of chapter 5.
  cargo xtask bench [--budget <s>] [--rounds <n>] [--markdown] [--save <json>]
      Time the engine's workloads and the same in PyTorch and micrograd (with
      the Python the twins use), and print the table against BENCHMARKS.md's targets.";

/// Time a block's run may take unless `--timeout-ms` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot tell the current directory")?;
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let root = &layout::workspace_root(manifest_dir.as_deref(), &cwd)?;
    let (command, rest) = args.split_first().map_or(("", &[][..]), |(c, r)| (c.as_str(), r));
    match command {
        "verify" => verify_command(root, rest),
        "book" => {
            let (mut open, mut preview) = (false, false);
            for arg in rest {
                match arg.as_str() {
                    "--open" => open = true,
                    "--preview" => preview = true,
                    _ => bail!("unknown argument `{arg}`\n{USAGE}"),
                }
            }
            let index = if preview {
                xtask::book::build_unverified(root)?
            } else {
                xtask::book::build(root)?
            };
            println!("book: {}", index.display());
            if preview {
                println!(
                    "book: a preview: an output its block's code did not print is marked \"Not verified\" on its \
                     page; `cargo xtask verify` checks them"
                );
            }
            if open {
                open_in_browser(&index)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        "serve" => serve_command(root, rest),
        "preprocess" => xtask::preprocessor::command(rest).map(|()| ExitCode::SUCCESS),
        "new" => {
            let copied = match rest {
                [chapter, dir] => xtask::copy_out::new_crate(root, chapter, Path::new(dir))?,
                [flag, chapter, dir] if flag == "--stage" => {
                    xtask::copy_out::new_stage_crate(root, chapter, Path::new(dir))?
                }
                [flag, chapter, dir] if flag == "--exercise" => {
                    xtask::exercise::new_exercise_crate(root, chapter, Path::new(dir))?
                }
                [flag, ..] if flag == "--exercise" => {
                    let book = xtask::extract::read_book(root, &root.join("book"))?;
                    let chapters = xtask::exercise::chapters_with_exercises(&book);
                    println!("chapters with an exercise: {}", chapters.join(", "));
                    println!("usage: cargo xtask new --exercise <chapter> <dir>");
                    return Ok(ExitCode::SUCCESS);
                }
                _ => bail!("{USAGE}"),
            };
            println!("{}", copied.next_steps(Path::new(dir_of(rest))));
            Ok(ExitCode::SUCCESS)
        }
        "bench" => xtask::bench::command(root, rest).map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        "browser" => {
            xtask::browser::command(root, rest).map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("{USAGE}"),
    }
}

fn verify_command(root: &Path, args: &[String]) -> Result<ExitCode> {
    let mut options = Options {
        update: false,
        force: false,
        ci: xtask::tools::in_ci(),
        timeout: DEFAULT_TIMEOUT,
        show_cargo_progress: true,
        // Found as python.rs says: $AUTOGRAD_BOOK_PYTHON, the cached venv, python3.
        python: None,
        use_cache: true,
        workspace_tests: true,
        book_check: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--update" => options.update = true,
            "--force" => options.force = true,
            "--no-cache" => options.use_cache = false,
            "--timeout-ms" => {
                let value = args.next().context("--timeout-ms needs a number of milliseconds")?;
                let ms = value
                    .parse()
                    .with_context(|| format!("--timeout-ms: `{value}` is not a number of milliseconds"))?;
                options.timeout = Duration::from_millis(ms);
            }
            _ => bail!("unknown argument `{arg}`\n{USAGE}"),
        }
    }
    let report = verify::verify(&Layout::of_workspace(root)?, &options)?;
    print!("\n{}", report.summary());
    Ok(if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn serve_command(root: &Path, args: &[String]) -> Result<ExitCode> {
    let (mut port, mut open, mut timeout) = (3000, false, DEFAULT_TIMEOUT);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--open" => open = true,
            "--port" => {
                let value = args.next().context("--port needs a port number")?;
                port = value
                    .parse()
                    .with_context(|| format!("--port: `{value}` is not a port number"))?;
            }
            "--timeout-ms" => {
                let value = args.next().context("--timeout-ms needs a number of milliseconds")?;
                let ms = value
                    .parse()
                    .with_context(|| format!("--timeout-ms: `{value}` is not a number of milliseconds"))?;
                timeout = Duration::from_millis(ms);
            }
            _ => bail!("unknown argument `{arg}`\n{USAGE}"),
        }
    }
    let options = xtask::serve::ServeOptions::for_author(port, timeout);
    let serving = xtask::serve::Serving::start(Layout::of_workspace(root)?, options)?;
    println!("serve: the book is at {} (Ctrl-C stops it)", serving.url());
    if open {
        open_in_browser(serving.url().as_ref())?;
    }
    serving.wait()?;
    Ok(ExitCode::SUCCESS)
}

/// Opens a file or a URL in the desktop's browser.
fn open_in_browser(path: &Path) -> Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(opener)
        .arg(path)
        .status()
        .with_context(|| format!("cannot run `{opener}` to open {}", path.display()))?;
    if !status.success() && !cfg!(windows) {
        // explorer.exe reports failure even when it opened the file.
        bail!("`{opener} {}` failed ({status})", path.display());
    }
    Ok(())
}

/// The directory argument of `new`: its last.
fn dir_of(rest: &[String]) -> &str {
    rest.last().map_or("", String::as_str)
}
