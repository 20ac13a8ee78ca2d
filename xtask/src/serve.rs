//! `cargo xtask serve`: the book on 127.0.0.1, verified again each time the
//! author saves.
//!
//! One pipeline, in a loop: [`watch`] the sources; when one changes, run
//! [`verify`] (its verdict cache re-runs only the blocks that changed);
//! build the book as a preview ([`book::build_preview`]: each failure shown
//! in its page, at its block, with its chapter line, and a block whose new
//! output is not accepted yet shows that output); then switch the server to
//! that build. Every served page polls `/__serve/state`
//! (`xtask/assets/live-reload.js`) and reloads when a newer build is
//! served, so the page an author looks at follows what they write.
//!
//! Builds alternate between two directories, so a page is never read from
//! a build still being written.

pub mod watch;

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::book;
use crate::http;
use crate::layout::Layout;
use crate::preprocessor::VerifiedOutput;
use crate::render::{BlockFinding, Findings};
use crate::report::{Pass, Report, Verdict};
use crate::verify::{self, Options};
use watch::Stamp;

/// The script every served page runs: it reloads the page on a new build.
const LIVE_RELOAD: &str = include_str!("../assets/live-reload.js");

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1; 0 lets the system choose one.
    pub port: u16,
    pub verify: Options,
    /// How often the sources are looked at.
    pub poll: Duration,
}

impl ServeOptions {
    /// What an author's `cargo xtask serve` runs: a local verify with the
    /// verdict cache, without the workspace's tests (they take minutes) and
    /// without verify's own book build (the preview build finds the same).
    pub fn for_author(port: u16, timeout: Duration) -> Self {
        ServeOptions {
            port,
            verify: Options {
                update: false,
                force: false,
                ci: false,
                timeout,
                show_cargo_progress: true,
                python: None,
                use_cache: true,
                workspace_tests: false,
                book_check: false,
            },
            poll: Duration::from_millis(250),
        }
    }
}

/// What one round of verify and build found.
#[derive(Debug, Clone)]
pub struct Round {
    /// The build it made: the first is 1.
    pub generation: u64,
    /// The blocks and twins that ran again (`book/ch01-x.md:3: block `x``);
    /// every other one was unchanged since it last passed.
    pub rerun: Vec<String>,
    pub unchanged: usize,
    /// Every failure and problem, as (location, message).
    pub failures: Vec<(String, String)>,
    /// Why verify could not run at all, if it could not.
    pub error: Option<String>,
    pub took: Duration,
}

impl Round {
    /// The line the terminal and the page's status show.
    pub fn summary(&self) -> String {
        if let Some(error) = &self.error {
            return format!("verify could not run: {error}");
        }
        let verdict = match self.failures.len() {
            0 => "all verified".to_string(),
            n => format!("{n} failure(s), first at {}", self.failures[0].0),
        };
        format!(
            "{verdict} ({} re-run, {} unchanged, in {:.1} s)",
            self.rerun.len(),
            self.unchanged,
            self.took.as_secs_f64()
        )
    }
}

/// What the watcher and the server share.
#[derive(Default)]
struct State {
    /// The build served and its generation; `None` before the first.
    served: Option<(u64, PathBuf)>,
    /// A round is under way.
    busy: bool,
    last: Option<Round>,
}

struct Shared {
    state: Mutex<State>,
    /// Notified when a round starts and when it ends.
    changed: Condvar,
    stop: AtomicBool,
    /// The pages asking for news at this moment: the pages open.
    watching: AtomicUsize,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state as it was: still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The book being served, and the watcher that keeps it verified.
pub struct Serving {
    address: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<Result<()>>>,
}

impl Serving {
    /// Listens on 127.0.0.1 and starts the first round in the background:
    /// until it is done, pages say that the book is being verified.
    pub fn start(layout: Layout, options: ServeOptions) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{} (another server on that port? pass --port)",
                options.port
            )
        })?;
        let address = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
            watching: AtomicUsize::new(0),
        });
        let server = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(&listener, &shared))
        };
        let watcher = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || watch_loop(&layout, &options, &shared))
        };
        Ok(Serving {
            address,
            shared,
            threads: vec![server, watcher],
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// The first round after build `generation`, once it is done; `None`
    /// if none ends within `timeout`.
    pub fn wait_for_round_after(&self, generation: u64, timeout: Duration) -> Option<Round> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state();
        loop {
            if let Some(round) = state.last.as_ref().filter(|r| r.generation > generation) {
                return Some(round.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// How many pages are open on the book, each waiting for its next news.
    pub fn pages_watching(&self) -> usize {
        self.shared.watching.load(Ordering::SeqCst)
    }

    /// Runs until the watcher or the server fails (an author stops it with Ctrl-C).
    pub fn wait(mut self) -> Result<()> {
        let first = self.threads.remove(0);
        join(first)
    }

    /// Stops the watcher (after the round under way) and the server.
    pub fn stop(self) -> Result<()> {
        self.shared.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            join(thread)?;
        }
        Ok(())
    }
}

fn join(thread: JoinHandle<Result<()>>) -> Result<()> {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What is watched: what the book is made of (chapters, the engine's source
/// that listings show, the book's assets) and its snapshots (`cargo insta
/// review` accepts outputs there). Pending `.snap.new` files are verify's
/// own writes.
fn watched(layout: &Layout) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let sources = vec![
        layout.book_dir.clone(),
        layout.root.join("book.toml"),
        layout.root.join("crates/autograd/src"),
        layout.root.join("xtask/assets"),
    ];
    (sources, vec![layout.snapshots_dir.clone()])
}

fn is_pending_snapshot(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".snap.new")
}

fn watch_loop(layout: &Layout, options: &ServeOptions, shared: &Shared) -> Result<()> {
    let (sources, snapshots) = watched(layout);
    let take = |roots: &[PathBuf]| Stamp::take(roots, is_pending_snapshot);
    let mut seen_sources = take(&sources);
    let mut generation = 1;
    round(layout, options, shared, generation);
    // Verify may write snapshots (pending ones are not watched, refreshed
    // ones are): what it wrote is not a change to verify again. A source
    // saved while it ran is, so sources are compared with before the round.
    let mut seen_snapshots = take(&snapshots);
    while !shared.stop.load(Ordering::SeqCst) {
        std::thread::sleep(options.poll);
        let (mut now_sources, mut now_snapshots) = (take(&sources), take(&snapshots));
        let mut changed = now_sources.changes_since(&seen_sources);
        changed.extend(now_snapshots.changes_since(&seen_snapshots));
        if changed.is_empty() {
            continue;
        }
        // An editor may save in several writes: wait until a poll sees none.
        loop {
            std::thread::sleep(options.poll);
            let again = (take(&sources), take(&snapshots));
            if again == (now_sources.clone(), now_snapshots.clone()) {
                break;
            }
            (now_sources, now_snapshots) = again;
        }
        let names: Vec<String> = changed.iter().map(|p| layout.shown(p).display().to_string()).collect();
        println!("serve: changed: {}", names.join(", "));
        seen_sources = now_sources;
        generation += 1;
        round(layout, options, shared, generation);
        seen_snapshots = take(&snapshots);
    }
    Ok(())
}

/// Verifies, builds the preview, and serves it; a round that cannot verify
/// keeps the last build served and says why in the pages' status.
fn round(layout: &Layout, options: &ServeOptions, shared: &Shared, generation: u64) {
    shared.state().busy = true;
    shared.changed.notify_all();
    let started = Instant::now();
    let dir = layout
        .target_dir
        .join("xtask/serve")
        .join(if generation.is_multiple_of(2) { "even" } else { "odd" });
    let outcome = verify::verify(layout, &options.verify).and_then(|report| {
        print!("\n{}", report.summary());
        let (chapters, book_findings) = findings(&report);
        let preview = VerifiedOutput::preview(chapters, book_findings);
        let (_, problems) = book::build_preview(&layout.root, &dir, preview)?;
        Ok((report, problems))
    });
    let round = match outcome {
        Ok((report, problems)) => {
            let (rerun, unchanged) = reruns(&report);
            let mut failures = report.failures();
            failures.extend(problems.into_iter().map(|p| (p.location, p.message)));
            Round {
                generation,
                rerun,
                unchanged,
                failures,
                error: None,
                took: started.elapsed(),
            }
        }
        Err(error) => Round {
            generation,
            rerun: Vec::new(),
            unchanged: 0,
            failures: Vec::new(),
            error: Some(format!("{error:#}")),
            took: started.elapsed(),
        },
    };
    println!("serve: build {generation}: {}", round.summary());
    let mut state = shared.state();
    if round.error.is_none() {
        state.served = Some((generation, dir));
    }
    state.busy = false;
    state.last = Some(round);
    shared.changed.notify_all();
}

/// The blocks and twins that ran in this round, and how many were unchanged.
fn reruns(report: &Report) -> (Vec<String>, usize) {
    let mut rerun = Vec::new();
    let mut unchanged = 0;
    for chapter in &report.chapters {
        for block in &chapter.blocks {
            match &block.verdict {
                Verdict::Passed(Pass::Unchanged) => unchanged += 1,
                Verdict::Passed(Pass::Ran | Pass::TwinRan) | Verdict::Failed { .. } => {
                    rerun.push(format!("{}:{}: {}", chapter.path.display(), block.line, block.label));
                }
                Verdict::Passed(_) => {}
            }
        }
    }
    (rerun, unchanged)
}

/// What the report found wrong, as the preview shows it: by chapter (as
/// its path is shown, `book/ch01-x.md`), and what belongs to no chapter,
/// which every page shows.
fn findings(report: &Report) -> (BTreeMap<PathBuf, Findings>, Findings) {
    let mut chapters: BTreeMap<PathBuf, Findings> = BTreeMap::new();
    for chapter in &report.chapters {
        let findings = chapters.entry(chapter.path.clone()).or_default();
        for block in &chapter.blocks {
            if let Verdict::Failed { line, message } = &block.verdict {
                let finding = BlockFinding {
                    location: format!("{}:{line}", chapter.path.display()),
                    message: format!("{}: {message}", block.label),
                    new_output: block.new_output.clone(),
                };
                findings.blocks.insert(block.line, finding);
            }
        }
    }
    let mut book = Findings::default();
    for problem in &report.problems {
        let chapter = problem
            .location
            .rsplit_once(':')
            .filter(|(_, line)| line.parse::<usize>().is_ok())
            .map(|(path, _)| PathBuf::from(path));
        let entry = (problem.location.clone(), problem.message.clone());
        match chapter.and_then(|path| chapters.get_mut(&path)) {
            Some(findings) => findings.others.push(entry),
            None => book.others.push(entry),
        }
    }
    for findings in chapters.values_mut() {
        findings.others.extend(book.others.iter().cloned());
    }
    (chapters, book)
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) -> Result<()> {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    // A browser that hangs up early is no error of the book's.
                    let _ = answer(&stream, &shared);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e).context("the server cannot accept connections"),
        }
    }
    Ok(())
}

fn answer(stream: &TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(request) = http::read_request(stream)? else {
        return Ok(());
    };
    let head = request.method == "HEAD";
    if !head && request.method != "GET" {
        return http::respond(
            stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET or HEAD only\n",
            false,
        );
    }
    if request.path == "/__serve/state" {
        shared.watching.fetch_add(1, Ordering::SeqCst);
        let news = wait_for_news(shared, &request.query);
        shared.watching.fetch_sub(1, Ordering::SeqCst);
        let state = serde_json::to_string(&news)?;
        return http::respond(stream, "200 OK", "application/json", state.as_bytes(), head);
    }
    if request.path == "/__serve/live-reload.js" {
        let kind = http::content_type(Path::new("live-reload.js"));
        return http::respond(stream, "200 OK", kind, LIVE_RELOAD.as_bytes(), head);
    }
    let served = shared.state().served.clone();
    let Some((generation, dir)) = served else {
        let page = with_live_reload(WAITING_PAGE, 0);
        return http::respond(stream, "200 OK", "text/html; charset=utf-8", page.as_bytes(), head);
    };
    let file = http::file_for(&dir, &request.path);
    match file.as_deref().map(|path| (path, std::fs::read(path))) {
        Some((path, Ok(bytes))) if path.extension().is_some_and(|e| e == "html") => {
            let page = with_live_reload(&String::from_utf8_lossy(&bytes), generation);
            http::respond(stream, "200 OK", http::content_type(path), page.as_bytes(), head)
        }
        Some((path, Ok(bytes))) => http::respond(stream, "200 OK", http::content_type(path), &bytes, head),
        _ => http::respond(
            stream,
            "404 Not Found",
            "text/plain; charset=utf-8",
            format!("no page {} in the book\n", request.path).as_bytes(),
            head,
        ),
    }
}

/// How long a page's question for news is held before it is answered
/// with none (the page then asks again).
const HOLD: Duration = Duration::from_secs(1);

/// The state `/__serve/state` reports, once it differs from what the page
/// says it knows (`generation=<n>&busy=<bool>`), or after [`HOLD`]. The
/// page's next question follows at once, so a round's start and end reach
/// it without delay, and without a stream of questions.
fn wait_for_news(shared: &Shared, query: &str) -> serde_json::Value {
    let known = |key: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or("")
            .to_string()
    };
    let (generation, busy) = (known("generation"), known("busy"));
    let deadline = Instant::now() + HOLD;
    let mut state = shared.state();
    loop {
        let served = state.served.as_ref().map_or(0, |(generation, _)| *generation);
        let news = served.to_string() != generation || state.busy.to_string() != busy;
        let left = deadline.checked_duration_since(Instant::now());
        let (Some(left), false) = (left, news) else {
            let last = state.last.as_ref();
            return serde_json::json!({
                "generation": served,
                "busy": state.busy,
                "failed": last.is_some_and(|r| r.error.is_some() || !r.failures.is_empty()),
                "summary": last.map_or_else(|| "verifying the book…".to_string(), Round::summary),
            });
        };
        state = shared
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
}

/// What a page shows before the first round is done.
const WAITING_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Verifying the book</title></head>\n<body><p>cargo xtask serve is verifying the book; \
    this page shows it when that is done.</p></body></html>\n";

/// The page with the live-reload script, told which build it is from.
fn with_live_reload(page: &str, generation: u64) -> String {
    let script = format!("<script src=\"/__serve/live-reload.js\" data-generation=\"{generation}\"></script>\n");
    match page.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &page[..at], &page[at..]),
        None => format!("{page}{script}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BlockReport, ChapterReport, Problem};

    #[test]
    fn findings_go_to_their_block_their_chapter_or_every_page() {
        let report = Report {
            chapters: vec![ChapterReport {
                path: PathBuf::from("book/ch01-x.md"),
                blocks: vec![
                    BlockReport {
                        label: "block `a`".into(),
                        line: 3,
                        verdict: Verdict::Failed {
                            line: 5,
                            message: "error[E0425]: cannot find value `y`".into(),
                        },
                        is_twin: false,
                        new_output: None,
                    },
                    BlockReport {
                        label: "block `b`".into(),
                        line: 9,
                        verdict: Verdict::Passed(Pass::Unchanged),
                        is_twin: false,
                        new_output: None,
                    },
                ],
            }],
            problems: vec![
                Problem {
                    location: "book/ch01-x.md:12".into(),
                    message: "`0.5` in the prose: no output shows it".into(),
                },
                Problem {
                    location: "cargo build".into(),
                    message: "a dependency failed".into(),
                },
            ],
            ..Report::default()
        };
        let (chapters, book) = findings(&report);
        let chapter = &chapters[Path::new("book/ch01-x.md")];
        assert_eq!(chapter.blocks[&3].location, "book/ch01-x.md:5");
        assert_eq!(
            chapter.blocks[&3].message,
            "block `a`: error[E0425]: cannot find value `y`"
        );
        assert_eq!(
            chapter.others.iter().map(|(at, _)| at.as_str()).collect::<Vec<_>>(),
            ["book/ch01-x.md:12", "cargo build"]
        );
        assert_eq!(book.others.len(), 1);
        let (rerun, unchanged) = reruns(&report);
        assert_eq!((rerun, unchanged), (vec!["book/ch01-x.md:3: block `a`".to_string()], 1));
    }

    #[test]
    fn every_page_gets_the_live_reload_script_with_its_generation() {
        assert_eq!(
            with_live_reload("<html><body><p>x</p></body></html>", 4),
            "<html><body><p>x</p><script src=\"/__serve/live-reload.js\" data-generation=\"4\"></script>\n</body></html>"
        );
    }
}
