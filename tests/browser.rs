//! The search page in a real browser: headless Chromium loads `/?q=积分制`
//! from `govkb serve`, the rendered DOM must hold highlighted hits and filter
//! menus, the document view must show its section tree and extracted
//! records, and screenshots are saved for a person to look at.
//!
//! Skipped, with the reason printed, when Chromium is not installed (set
//! `GOVKB_CHROMIUM` to use another binary).

mod common;
mod serve;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve::client::encode;
use serve::Server;

/// Print past the test harness's output capture, so `cargo test` shows it.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GOVKB_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Run headless Chromium on `url` with `args` and a fresh profile; its stdout.
fn chromium(bin: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--lang=zh-CN",
            // Wait for the page's API calls before dumping or shooting.
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("chromium output")
}

#[test]
fn search_page_in_headless_chromium() {
    let Some(bin) = find_chromium() else {
        say("browser test skipped: no chromium on PATH (apt-get install chromium, or set GOVKB_CHROMIUM)");
        return;
    };
    let server = Server::start(common::index_dir());
    let search = format!("{}/?q={}", server.url(), encode("积分制"));

    let dom = chromium(&bin, &search, &["--dump-dom"]);
    let hits = dom.matches(r#"<li class="hit""#).count();
    assert_eq!(hits, 10, "expected a page of 10 hits:\n{dom}");
    assert!(dom.contains("积分制</b>"), "no highlighted match:\n{dom}");
    assert!(dom.contains("找到 "), "no result count:\n{dom}");
    assert!(dom.contains("简报（"), "doc-type menu lacks counts:\n{dom}");
    assert!(
        dom.contains("昌江黎族自治县"),
        "no place on the hits:\n{dom}"
    );
    assert!(dom.contains(r#"class="current""#), "no pager:\n{dom}");

    // One hit per article, each saying how many more its article has, with
    // a link that searches within that article.
    let spread = format!("{search}&per_article=1");
    let dom = chromium(&bin, &spread, &["--dump-dom"]);
    assert_eq!(dom.matches(r#"<li class="hit""#).count(), 8, "{dom}");
    assert!(
        dom.contains("本文另有 10 条结果"),
        "no more-in-article link:\n{dom}"
    );
    assert!(
        dom.contains("within=003_cfe1f94d390e57b3%23a3"),
        "the link does not search within the article:\n{dom}"
    );
    // Figures are listed from their passages: the limit is not sent for them.
    let dom = chromium(&bin, &format!("{spread}&kind=figure"), &["--dump-dom"]);
    assert!(
        !dom.contains("检索失败"),
        "the limit broke a figure search:\n{dom}"
    );
    assert!(dom.contains("找到 "), "no figure results:\n{dom}");
    let within = format!("{search}&within={}", encode("003_cfe1f94d390e57b3#a3"));
    let dom = chromium(&bin, &within, &["--dump-dom"]);
    assert!(dom.contains("找到 11 条结果"), "{dom}");
    assert!(
        dom.contains(r#"title="003_cfe1f94d390e57b3#a3">昌江县："#),
        "the scope line lacks the article's title:\n{dom}"
    );

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let shot = shots.join("search.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &bin,
        &search,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 20_000,
        "screenshot {} is {size} bytes",
        shot.display()
    );
    say(&format!(
        "browser test: screenshot of the search page at {}",
        shot.display()
    ));

    let doc = format!("{}/?doc=001_ce8c2f571f49a2a9", server.url());
    let dom = chromium(&bin, &doc, &["--dump-dom"]);
    assert!(
        dom.contains("美发〔2021〕7号"),
        "no document number:\n{dom}"
    );
    assert!(dom.contains("措施与分工"), "no measures:\n{dom}");
    assert!(
        dom.contains(r#"<ul class="tree">"#),
        "no section tree:\n{dom}"
    );
    let shot = shots.join("document.png");
    chromium(
        &bin,
        &doc,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
        ],
    );
    say(&format!(
        "browser test: screenshot of a document view at {}",
        shot.display()
    ));
}
