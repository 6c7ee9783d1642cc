//! Bad input never panics: each broken file is reported with its path and
//! reason, and the rest of the corpus is ingested. Property tests feed the
//! normaliser and the parser arbitrary Chinese/mixed text.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use govkb::index::build::ingest;
use govkb::normalize::{clean_inline, to_blocks};
use govkb::parse::parse_document;
use govkb::pipeline::load_document;
use govkb::read::{list_corpus, read_source, SourceFile, SourceFormat};
use proptest::prelude::*;

const NOTICE: &str = "001_ce8c2f571f49a2a9.txt";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name),
    )
    .unwrap()
}

/// The reason `read_source` gives for one file written with `bytes`.
fn reason(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = match load_document(dir.path(), &path) {
        Ok((d, _)) => panic!(
            "{name} was read: {:?}",
            d.clean_text.chars().take(80).collect::<String>()
        ),
        Err(e) => e.to_string(),
    };
    assert!(
        err.starts_with(&format!("{name}: ")),
        "names the file: {err}"
    );
    err
}

#[test]
fn empty_and_blank_files() {
    assert_eq!(reason("empty.txt", b""), "empty.txt: file is empty");
    assert_eq!(
        reason("blank.md", b"  \n\r\n\t \n"),
        "blank.md: file is empty"
    );
    assert_eq!(
        reason("rules.md", b"---\n***\n___\n"),
        "rules.md: no text (only punctuation or markup)"
    );
    assert_eq!(
        reason(
            "empty.html",
            b"<html><head><title></title><script>x()</script></head><body></body></html>"
        ),
        "empty.html: no text in the document"
    );
}

#[test]
fn binary_content_with_a_text_name() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
    assert_eq!(
        reason("photo.txt", png),
        "photo.txt: binary content, not text: this is a PNG image"
    );
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0>\0\x03\0\xFE\xFF";
    assert!(
        reason("report.txt", ole).contains("old Office file (.doc/.xls/.wps); save it as .docx")
    );
    // Pseudo-random bytes, with and without NULs.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    assert_eq!(
        reason("noise.txt", &noise),
        "noise.txt: binary content, not text"
    );
    let no_nul: Vec<u8> = noise.iter().map(|&b| b.max(1)).collect();
    let r = reason("noise2.md", &no_nul);
    assert!(
        r.contains("binary content") || r.contains("not valid UTF-8"),
        "{r}"
    );
    // A PDF or a .docx saved under a .txt name is read as what it is.
    let notice = sample(NOTICE);
    let dir = tempfile::tempdir().unwrap();
    let zip = {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(b"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>\xE7\xAC\xAC\xE4\xB8\x80\xE6\xAE\xB5</w:t></w:r></w:p></w:body></w:document>").unwrap();
        z.finish().unwrap().into_inner()
    };
    std::fs::write(dir.path().join("word.txt"), zip).unwrap();
    let src = read_source(dir.path(), &dir.path().join("word.txt")).unwrap();
    assert_eq!(src.text.trim(), "第一段");
    assert!(!notice.is_empty());
}

#[test]
fn invalid_utf8_is_a_clear_failure() {
    // UTF-8 text with damaged bytes in it is not mistaken for GBK.
    let text = String::from_utf8(sample(NOTICE)).unwrap();
    let at = |n: usize| text.char_indices().nth(n).unwrap().0;
    let (first, second) = (at(60), at(1000));
    let mut damaged = text.as_bytes().to_vec();
    damaged.insert(second, 0xC0);
    damaged.insert(first, 0xFF);
    let r = reason("damaged.txt", &damaged);
    assert!(
        r.contains(&format!(
            "invalid UTF-8: 2 malformed byte sequences, the first at byte {first}"
        )),
        "{r}"
    );
    // A file cut in the middle of a character.
    let text = "海南乡村振兴简报".repeat(20);
    let cut = &text.as_bytes()[..text.len() - 1];
    let r = reason("cut.txt", cut);
    assert!(r.contains("invalid UTF-8"), "{r}");
    // Latin-1 is not an encoding of Chinese documents.
    let r = reason(
        "latin1.txt",
        b"R\xe9sum\xe9 of the caf\xe9 meeting, na\xefve plan, ann\xe9e 2021.\n",
    );
    assert!(
        r.contains("not valid UTF-8 (first invalid byte at offset 1)"),
        "{r}"
    );
    assert!(r.contains("re-save the file as UTF-8"), "{r}");
    // UTF-16 with a BOM and a lone surrogate.
    let r = reason("surrogate.txt", b"\xFF\xFE\x2D\x4E\x00\xD8\x41\x00");
    assert!(
        r.contains("UTF-16LE byte-order mark but has invalid UTF-16LE data"),
        "{r}"
    );
    // NUL padding after the text (left by a crash) is not binary.
    let mut padded = "海南乡村振兴简报：琼中县以“五个强化”打造数字乡村。"
        .as_bytes()
        .to_vec();
    padded.extend_from_slice(&[0; 64]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("padded.txt"), &padded).unwrap();
    let src = read_source(dir.path(), &dir.path().join("padded.txt")).unwrap();
    assert!(src.text.ends_with("打造数字乡村。"));
}

#[test]
fn a_large_single_line_file_is_read_quickly() {
    // ~4 MB on one line: a sentence repeated, and a run with no punctuation.
    let mut line = "海南省各市县扎实推进乡村振兴，脱贫人口人均纯收入增长12.5%；".repeat(40_000);
    line.push_str(&"乡村振兴".repeat(100_000));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one-line.txt"), &line).unwrap();
    let t = Instant::now();
    let (doc, bytes) = load_document(dir.path(), &dir.path().join("one-line.txt")).unwrap();
    let took = t.elapsed();
    assert_eq!(bytes as usize, line.len());
    let chars: Vec<char> = doc.clean_text.chars().collect();
    for p in &doc.passages {
        assert_eq!(
            chars[p.span.start..p.span.end].iter().collect::<String>(),
            p.text
        );
    }
    assert!(
        took < Duration::from_secs(20),
        "{} MB took {took:?}",
        line.len() >> 20
    );
    eprintln!(
        "{} bytes on one line: read and parsed in {took:?}, {} passages",
        line.len(),
        doc.passages.len()
    );
    // Over the size limit: refused from its size, without reading it.
    let big = dir.path().join("huge.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(govkb::read::MAX_TEXT_BYTES + 1).unwrap();
    let t = Instant::now();
    let err = read_source(dir.path(), &big).unwrap_err().to_string();
    assert!(
        err.starts_with("huge.txt: too large: 64 MB, over the 64 MB limit"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[test]
fn deeply_nested_markdown_is_capped_not_recursed() {
    let cases = [
        (
            "quotes.md",
            format!("# 标题\n\n{}深层引文。\n\n正文段落。\n", ">".repeat(10_000)),
        ),
        (
            "lists.md",
            format!(
                "# 标题\n\n{}深层列表。\n\n正文段落。\n",
                "- ".repeat(10_000)
            ),
        ),
        (
            "ordered.md",
            format!("# 标题\n\n{}深层编号。\n", "1. ".repeat(10_000)),
        ),
        (
            "indented.md",
            (0..3_000)
                .map(|i| format!("{}- 第{i}层\n", " ".repeat(2 * i)))
                .collect(),
        ),
        (
            "emphasis.md",
            format!("{}强调{}\n", "*".repeat(10_000), "*".repeat(10_000)),
        ),
        (
            "brackets.md",
            format!("{}链接{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in cases {
        std::fs::write(dir.path().join(name), &text).unwrap();
        let t = Instant::now();
        let (doc, _) = load_document(dir.path(), &dir.path().join(name)).unwrap();
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{name}: {:?}",
            t.elapsed()
        );
        let squashed: String = doc
            .clean_text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let word = match name {
            "quotes.md" => "深层引文",
            "lists.md" => "深层列表",
            "ordered.md" => "深层编号",
            "indented.md" => "第2999层",
            "emphasis.md" => "强调",
            _ => "链接",
        };
        assert!(squashed.contains(word), "{name}: text kept");
    }
}

#[test]
fn uncapped_pulldown_cmark_copes_with_deep_nesting() {
    // The cap is a guard, not a crutch: the Markdown parser itself is
    // iterative and takes 10,000 levels (what the normaliser sees if
    // something bypasses read_source).
    for text in [
        format!("{}深\n", ">".repeat(10_000)),
        format!("{}深\n", "- ".repeat(10_000)),
    ] {
        let src = SourceFile {
            rel_path: "deep.md".into(),
            format: SourceFormat::Markdown,
            text,
            encoding: "UTF-8",
            bytes: 0,
        };
        let blocks = to_blocks(&src);
        assert!(blocks.iter().any(|b| b.text.contains('深')));
    }
}

#[test]
fn a_file_that_vanishes_after_listing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), sample(NOTICE)).unwrap();
    std::fs::write(dir.path().join("b.txt"), sample(NOTICE)).unwrap();
    let listing = list_corpus(dir.path()).unwrap();
    assert_eq!(listing.files.len(), 2);
    std::fs::remove_file(dir.path().join("b.txt")).unwrap();
    let err = load_document(dir.path(), &listing.files[1])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "b.txt: file vanished after the corpus was listed (deleted or moved during the run)"
    );
    assert!(load_document(dir.path(), &listing.files[0]).is_ok());
}

#[test]
fn symlink_loops_and_broken_links_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/notice.txt"), sample(NOTICE)).unwrap();
    symlink(root, root.join("sub/back-to-root")).unwrap();
    symlink(root.join("self.txt"), root.join("self.txt")).unwrap();
    symlink(root.join("gone.txt"), root.join("dangling.txt")).unwrap();
    let listing = list_corpus(root).unwrap();
    assert_eq!(listing.files, vec![root.join("sub/notice.txt")]);
    let failed: Vec<String> = listing
        .failed
        .iter()
        .map(|s| format!("{}: {}", s.rel_path, s.reason))
        .collect();
    assert_eq!(
        failed,
        [
            "dangling.txt: broken symlink (its target does not exist)",
            "self.txt: symlink loop (it points to itself)",
            "sub/back-to-root: symlink loop: it leads back to the corpus folder; not followed",
        ]
    );
}

#[test]
fn special_files_are_listed_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a plain mkfifo(3) call on a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let listing = list_corpus(dir.path()).unwrap();
    assert!(listing.files.is_empty());
    assert_eq!(listing.skipped[0].rel_path, "pipe.txt");
    assert_eq!(
        listing.skipped[0].reason,
        "not a regular file (a pipe, socket or device); not read"
    );
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Run `govkb ingest` on `corpus`; as an unprivileged user when we are root
/// (root reads a mode-000 file regardless).
fn govkb_ingest(corpus: &Path, index: &Path, work: &Path) -> std::process::Output {
    let mut bin = PathBuf::from(env!("CARGO_BIN_EXE_govkb"));
    let run = |bin: &Path| {
        let mut cmd = Command::new(bin);
        cmd.args(["ingest"]).arg(corpus).arg("--index").arg(index);
        if is_root() {
            use std::os::unix::process::CommandExt;
            cmd.uid(65534).gid(65534);
        }
        cmd.output()
    };
    match run(&bin) {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // The build folder is not reachable for `nobody`: run a copy.
            let copy = work.join("govkb");
            std::fs::copy(&bin, &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
            bin = copy;
            run(&bin).unwrap()
        }
        Err(e) => panic!("cannot run govkb: {e}"),
    }
}

/// A corpus with every kind of bad input next to good files, ingested by the
/// real binary: each bad file is named with its reason, the good ones are
/// indexed, the exit status is 1.
#[test]
fn ingest_reports_every_bad_file_and_keeps_the_rest() {
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(corpus.join(name), bytes).unwrap();
    w("good-notice.txt", &sample(NOTICE));
    w("good-bulletin.txt", &sample("000_e37caf2969f00417.txt"));
    w("empty.txt", b"");
    w("photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    let mut damaged = sample(NOTICE);
    damaged[100] = 0xFF;
    w("damaged-utf8.txt", &damaged);
    w(
        "deep.md",
        format!("# 深\n\n{}引文\n", ">".repeat(10_000)).as_bytes(),
    );
    w("old.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    w("unreadable.txt", &sample(NOTICE));
    std::fs::set_permissions(
        corpus.join("unreadable.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::create_dir(corpus.join("locked")).unwrap();
    std::fs::write(corpus.join("locked/inside.txt"), sample(NOTICE)).unwrap();
    std::fs::set_permissions(
        corpus.join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    symlink(&corpus, corpus.join("loop")).unwrap();
    symlink(corpus.join("nowhere.txt"), corpus.join("dangling.txt")).unwrap();
    let index = work.path().join("index");
    let out = govkb_ingest(&corpus, &index, work.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("--- govkb ingest stdout\n{stdout}--- stderr\n{stderr}---");
    std::fs::set_permissions(
        corpus.join("locked"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "exit 1 when some files failed");
    assert!(
        stdout.contains("indexed 3 files"),
        "two good files and deep.md: {stdout}"
    );
    assert!(stdout.contains("skipped old.doc: old word-processor format (.doc): save it as .docx"));
    for line in [
        "govkb: failed empty.txt: file is empty",
        "govkb: failed photo.txt: binary content, not text: this is a PNG image",
        "govkb: failed damaged-utf8.txt: invalid UTF-8",
        "govkb: failed unreadable.txt: permission denied: govkb cannot read this file",
        "govkb: failed locked: permission denied: govkb cannot list this folder",
        "govkb: failed loop: symlink loop: it leads back to the corpus folder; not followed",
        "govkb: failed dangling.txt: broken symlink (its target does not exist)",
        "govkb: 7 file(s) failed; the others are indexed",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in\n{stderr}");
    }
    assert!(!stderr.contains("panicked"));
    // The same corpus through the library: the report lists the same files.
    let index2 = work.path().join("index2");
    let report = ingest(
        &corpus,
        &index2,
        govkb::index::build::Rebuild::Changed,
        &mut |_, _| {},
        &mut |_, _| {},
    )
    .unwrap();
    // As root, mode 000 does not stop the library (root reads anything): the
    // two protected files are then read, and found to be copies of the notice.
    assert_eq!(report.documents, 3);
    let copies: Vec<(&str, &str)> = report
        .duplicates
        .iter()
        .map(|d| (d.file.as_str(), d.same_as.as_str()))
        .collect();
    let expected_copies: &[(&str, &str)] = if is_root() {
        &[
            ("locked/inside.txt", "good-notice.txt"),
            ("unreadable.txt", "good-notice.txt"),
        ]
    } else {
        &[]
    };
    assert_eq!(copies, expected_copies);
    let mut failed: Vec<&str> = report.failed.iter().map(|s| s.rel_path.as_str()).collect();
    failed.sort();
    let expected: &[&str] = if is_root() {
        &[
            "damaged-utf8.txt",
            "dangling.txt",
            "empty.txt",
            "loop",
            "photo.txt",
        ]
    } else {
        &[
            "damaged-utf8.txt",
            "dangling.txt",
            "empty.txt",
            "locked",
            "loop",
            "photo.txt",
            "unreadable.txt",
        ]
    };
    assert_eq!(failed, expected);
}

#[test]
fn unreadable_corpus_folder_says_permission_denied() {
    if !is_root() {
        return; // covered by the child-process run above as an ordinary user
    }
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::set_permissions(&corpus, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = govkb_ingest(&corpus, &work.path().join("index"), work.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
}

// ------------------------------------------------------------- properties

/// Pieces of real documents: numbering, annotations, dates, document
/// numbers, Markdown syntax, page markers, odd whitespace.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "　",
        "\t",
        "# ",
        "## ",
        "### ",
        "**",
        "> ",
        "- ",
        "* ",
        "1. ",
        "| ",
        " |",
        "---",
        "一、",
        "二、",
        "（一）",
        "（二）",
        "1.",
        "2．",
        "（1）",
        "一是",
        "第三条",
        "（牵头单位：区委组织部，责任单位：各镇）",
        "（责任单位：区人社局）",
        "美发〔2021〕7号",
        "2021年8月17日",
        "2023年第10期",
        "总第32期",
        "- 1 -",
        "第 3 页",
        "编者按：",
        "报：",
        "送：",
        "发：",
        "责任编辑：",
        "关于印发《方案》的通知",
        "中共海口市美兰区委文件",
        "海南乡村振兴简报",
        "，",
        "。",
        "；",
        "、",
        "：",
        "“",
        "”",
        "《",
        "》",
        "（",
        "）",
        "(",
        ")",
        "500 万元",
        "12624 名",
        "\u{FEFF}",
        "\u{200B}",
        "\u{00AD}",
        "𠀀𪚥",
        "ＡＢＣ１２３",
        "APP",
        "e.g.",
        "\\",
        "`",
        "<b>",
        "&amp;",
    ])
    .prop_map(String::from);
    prop_oneof![
        4 => fixed,
        3 => "[\u{4e00}-\u{9fa5}]{1,30}",
        1 => "[a-zA-Z0-9 .,%-]{1,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

fn document_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..80).prop_map(|v| v.concat())
}

fn check_spans(text: &str, format: SourceFormat) -> Result<(), TestCaseError> {
    let src = SourceFile {
        rel_path: "prop/doc.txt".into(),
        format,
        text: text.to_string(),
        encoding: "UTF-8",
        bytes: text.len() as u64,
    };
    let blocks = to_blocks(&src);
    for b in &blocks {
        prop_assert!(!b.text.contains('\r'));
    }
    let doc = parse_document(&src, blocks);
    let chars: Vec<char> = doc.clean_text.chars().collect();
    for p in &doc.passages {
        prop_assert!(
            p.span.start <= p.span.end && p.span.end <= chars.len(),
            "span {:?} of {}",
            p.span,
            chars.len()
        );
        let at: String = chars[p.span.start..p.span.end].iter().collect();
        prop_assert_eq!(&at, &p.text, "passage span does not match its text");
    }
    let _ = govkb::record::document_records(&doc);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plain_text_spans_match(text in document_text()) {
        check_spans(&text, SourceFormat::Text)?;
    }

    #[test]
    fn markdown_spans_match(text in document_text()) {
        check_spans(&text, SourceFormat::Markdown)?;
    }

    #[test]
    fn clean_inline_is_clean(text in document_text()) {
        let c = clean_inline(&text);
        prop_assert_eq!(c.trim(), c.as_str());
        let stray = ['\r', '\u{200B}', '\u{FEFF}'];
        prop_assert!(!c.contains(stray), "stray chars in {:?}", c);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), ext in prop::sample::select(vec!["txt", "md", "html", "docx", "pdf"])) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("f.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        let _ = load_document(dir.path(), &path);
    }

    #[test]
    fn arbitrary_html_never_panics(text in prop::collection::vec(prop_oneof![
        piece(),
        prop::sample::select(vec!["<p>", "</p>", "<div class=\"content\">", "</div>", "<h2>", "</h2>", "<table><tr><td>", "</td><td>", "</td></tr></table>", "<nav>", "<br>", "<ol start=\"x\"><li>", "<pre>", "<script>", "<title>", "</title>", "<!--", "-->"]).prop_map(String::from),
    ], 0..60).prop_map(|v| v.concat())) {
        let md = govkb::read::html::html_to_markdown(&text);
        check_spans(&md, SourceFormat::Markdown)?;
    }
}
