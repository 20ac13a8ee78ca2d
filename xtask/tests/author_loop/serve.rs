//! `cargo xtask serve` as an author meets it: the served page shows the
//! verified outputs; saving a chapter re-runs only the block that changed,
//! and the page then shows its new output, or its failure at the chapter
//! line; and what a browser needs to reload is there.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::common::{self, Fixture, assert_contains, options};
use xtask::serve::{Round, ServeOptions, Serving};

/// A round may build a fixture crate: generous, for a loaded machine.
const ROUND: Duration = Duration::from_secs(180);

/// The status and body of `GET path` on the server at `url`.
fn get(url: &str, path: &str) -> Result<(String, String)> {
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).with_context(|| format!("cannot connect to {address}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").context("a response with headers")?;
    let status = head.lines().next().unwrap_or_default().to_string();
    Ok((status, body.to_string()))
}

/// Saves `text` to `path` at once, as an editor that renames its new file
/// over the old one does. `std::fs::write` truncates first: on a loaded
/// machine a poll can fall between the truncation and the write and verify
/// an empty chapter (the next round then verifies the full one, but the
/// test reads the round in between).
fn save(path: &std::path::Path, text: &str) -> Result<()> {
    // Written beside the book, not in it, where the server would see it.
    let root = path.parent().and_then(|p| p.parent()).expect("a chapter is in book/");
    let new = root.join(".saving");
    std::fs::write(&new, text)?;
    std::fs::rename(&new, path)?;
    Ok(())
}

fn next_round(serving: &Serving, after: u64) -> Result<Round> {
    match serving.wait_for_round_after(after, ROUND) {
        Some(round) if round.error.is_none() => Ok(round),
        Some(round) => bail!("round {} could not verify: {}", round.generation, round.summary()),
        None => bail!("no round after build {after} within {ROUND:?}"),
    }
}

/// The fixture `good-small`, its outputs accepted, served on a free port
/// (its first round under way), polled every 50 ms.
fn serve_small_fixture() -> Result<(Fixture, Serving)> {
    let fixture = Fixture::new("good-small")?;
    let accepted = xtask::verify::verify(&fixture.layout, &options(true, false))?;
    ensure!(accepted.is_success(), "{}", accepted.summary());
    let mut serve = ServeOptions::for_author(0, Duration::from_secs(10));
    serve.verify.show_cargo_progress = false;
    serve.poll = Duration::from_millis(50);
    let serving = Serving::start(fixture.layout.clone(), serve)?;
    Ok((fixture, serving))
}

#[test]
fn saving_a_chapter_reverifies_its_changed_block_and_the_served_page_follows() -> Result<()> {
    let (fixture, serving) = serve_small_fixture()?;
    let url = serving.url();
    let page = "/ch01-small.html";

    // The first round runs every block (the fixture's cache is empty), and
    // the page shows the verified outputs, with the script that reloads it.
    let first = next_round(&serving, 0)?;
    assert_eq!(first.generation, 1);
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    assert_eq!(first.rerun.len(), 2, "{:?}", first.rerun);
    let (status, body) = get(&url, page)?;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_contains(&body, ">hello\n</code>");
    assert_contains(
        &body,
        "<script src=\"/__serve/live-reload.js\" data-generation=\"1\"></script>",
    );
    let (_, state) = get(&url, "/__serve/state")?;
    let state: serde_json::Value = serde_json::from_str(&state)?;
    assert_eq!(state["generation"], 1, "{state}");
    assert_eq!(state["failed"], false, "{state}");
    let (_, script) = get(&url, "/__serve/live-reload.js")?;
    assert_contains(&script, "/__serve/state");
    assert_eq!(get(&url, "/../Cargo.toml")?.0, "HTTP/1.1 404 Not Found");

    // A new output: only its block runs again, and the page shows the new
    // output as not yet accepted.
    let chapter = fixture.path("book/ch01-small.md");
    let text = std::fs::read_to_string(&chapter)?;
    save(
        &chapter,
        &text.replace("println!(\"hello\");", "println!(\"hello, edited\");"),
    )?;
    let second = next_round(&serving, 1)?;
    assert_eq!(second.rerun, ["book/ch01-small.md:3: block `hello`"]);
    assert_eq!(second.unchanged, 1);
    assert_eq!(second.failures.len(), 1, "{:?}", second.failures);
    let (_, body) = get(&url, page)?;
    assert_contains(&body, "data-generation=\"2\"");
    assert_contains(&body, "New, not yet accepted. Output:");
    assert_contains(&body, ">hello, edited\n</code>");
    assert_contains(&body, "<b>Not verified</b> at <code>book/ch01-small.md:3</code>");
    let (_, state) = get(&url, "/__serve/state")?;
    let state: serde_json::Value = serde_json::from_str(&state)?;
    assert_eq!(
        (state["generation"].as_u64(), state["failed"].as_bool()),
        (Some(2), Some(true)),
        "{state}"
    );

    // A block that does not compile: the page shows the compiler's message
    // at the chapter line it points to, and no output.
    save(
        &chapter,
        &text.replace("println!(\"hello\");", "println!(\"{}\", missing);"),
    )?;
    let third = next_round(&serving, 2)?;
    assert_eq!(third.rerun, ["book/ch01-small.md:3: block `hello`"]);
    let (_, body) = get(&url, page)?;
    assert_contains(&body, "<b>Not verified</b> at <code>book/ch01-small.md:4</code>");
    assert_contains(&body, "cannot find value `missing` in this scope");
    assert!(!body.contains(">hello\n</code>"), "no output is shown for it:\n{body}");

    // Back as it was: verified again, nothing failing.
    save(&chapter, &text)?;
    let fourth = next_round(&serving, 3)?;
    assert!(fourth.failures.is_empty(), "{:?}", fourth.failures);
    let (_, body) = get(&url, page)?;
    assert!(!body.contains("Not verified"), "{body}");
    assert_contains(&body, ">hello\n</code>");
    serving.stop()
}

#[test]
fn a_page_open_in_a_browser_reloads_itself_with_the_new_output() -> Result<()> {
    if !common::needed_by_test(common::Tool::Chromium) {
        return Ok(());
    }
    let chromium = xtask::browser::find_chromium().context("Chromium, just found")?;
    let (fixture, serving) = serve_small_fixture()?;
    next_round(&serving, 0)?;

    // Chromium loads the page of build 1 and keeps it open: the server holds
    // each of its questions for up to a second, during which virtual time
    // stands still, so its 3 virtual seconds (12 questions, a quarter of a
    // second apart) last up to 12 s in real time: a round fits in them.
    let profile = tempfile::tempdir()?;
    let browser = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("{}ch01-small.html", serving.url()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while serving.pages_watching() == 0 {
        ensure!(Instant::now() < deadline, "the page never asked the server for news");
        std::thread::sleep(Duration::from_millis(20));
    }

    // The page of build 1 is open, and its script is running: now save.
    let chapter = fixture.path("book/ch01-small.md");
    let text = std::fs::read_to_string(&chapter)?;
    save(
        &chapter,
        &text.replace("println!(\"hello\");", "println!(\"hello, reloaded\");"),
    )?;
    next_round(&serving, 1)?;
    let dom = browser.wait_with_output()?;
    let dom = String::from_utf8_lossy(&dom.stdout);
    // What the browser shows at the end is the page of build 2, reloaded by
    // itself, with its badge saying what the round found.
    assert_contains(&dom, "data-generation=\"2\"");
    assert_contains(&dom, ">hello, reloaded\n</code>");
    assert_contains(&dom, "data-state=\"failed\"");
    assert_contains(&dom, "cargo xtask serve: 1 failure(s), first at book/ch01-small.md:3");
    serving.stop()
}
