//! Incremental re-ingest, exact duplicates and an ingest killed mid-write,
//! over copies of the sample corpus in temporary folders.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use govkb::index::build::{ingest, Rebuild};
use govkb::record::RecordKind;
use govkb::search::{KnowledgeBase, SearchRequest};

const F000: &str = "000_e37caf2969f00417.txt";
const F003: &str = "003_cfe1f94d390e57b3.txt";
const F004: &str = "004_964bbe8e6d5678bd.txt";

use common::ingest_with as run;

/// A temporary folder, with where a corpus and an index go inside it.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let work = tempfile::tempdir().expect("temp");
    let corpus = work.path().join("corpus");
    let index = work.path().join("index");
    (work, corpus, index)
}

fn copy_corpus(to: &Path) {
    fs::create_dir_all(to).expect("corpus dir");
    for e in fs::read_dir(common::corpus()).expect("corpus") {
        let p = e.expect("entry").path();
        fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
    }
}

/// Every record in an index, as (id, text), all kinds.
fn all_records(index: &Path) -> BTreeSet<(String, String)> {
    let kb = KnowledgeBase::open(index).expect("open");
    RecordKind::ALL
        .iter()
        .flat_map(|&k| kb.list(k, None, None).expect("list"))
        .map(|r| (r.id, r.text))
        .collect()
}

fn hit_files(index: &Path, query: &str) -> Vec<String> {
    let kb = KnowledgeBase::open(index).expect("open");
    let mut req = SearchRequest::new(query);
    req.limit = 100;
    kb.search(&req)
        .expect("search")
        .hits
        .into_iter()
        .filter(|h| !h.partial)
        .map(|h| h.record.file)
        .collect()
}

#[test]
fn a_second_ingest_reads_only_what_changed_and_equals_a_full_rebuild() {
    let (work, corpus, index) = workspace();
    copy_corpus(&corpus);

    let first = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(first.full_rebuild.as_deref(), Some("new index"));
    assert_eq!(first.added.len(), 5);
    assert_eq!(first.documents_total, 5);

    let again = run(&corpus, &index, Rebuild::Changed);
    assert!(again.up_to_date);
    assert_eq!((again.files_read, again.unchanged), (0, 5));
    assert_eq!(again.records_total, first.records_total);

    // Change 004 (a new closing sentence with a word no sample has), remove
    // 000, add a new bulletin: 003 under another name with its issue changed.
    let mut notice = fs::read_to_string(corpus.join(F004)).expect("004");
    notice.push_str("\n请各单位做好蓝莓种植示范基地的跟踪问效工作，确保各项措施落到实处。\n");
    fs::write(corpus.join(F004), notice).expect("write 004");
    fs::remove_file(corpus.join(F000)).expect("remove 000");
    let reprint = fs::read_to_string(corpus.join(F003))
        .expect("003")
        .replace("2022年第 13期", "2022年第 14期");
    fs::create_dir_all(corpus.join("2022")).expect("sub folder");
    fs::write(corpus.join("2022").join(F003), reprint).expect("write new");

    let update = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(update.full_rebuild, None);
    assert_eq!(update.changed, [F004]);
    assert_eq!(update.added, [format!("2022/{F003}")]);
    assert_eq!(update.removed, [F000]);
    assert_eq!(update.unchanged, 3);
    assert_eq!(update.files_read, 2);
    assert!(update.failed.is_empty(), "{:?}", update.failed);

    // The changed text is found, the removed file's is not (定安 is in 000 only).
    assert_eq!(hit_files(&index, "蓝莓种植示范基地"), [F004]);
    assert!(hit_files(&index, "定安").is_empty());
    // Same file name in another folder: its own document, with its own id.
    let kb = KnowledgeBase::open(&index).expect("open");
    let docs = kb.list(RecordKind::Document, None, None).expect("docs");
    let ids: BTreeSet<&str> = docs.iter().map(|d| d.doc_id.as_str()).collect();
    assert!(ids.contains("003_cfe1f94d390e57b3"));
    assert!(ids.contains("2022/003_cfe1f94d390e57b3"));
    assert_eq!(docs.len(), 5);
    drop(kb);

    // The updated index holds exactly what a full rebuild of the same corpus holds.
    let full = work.path().join("full");
    let rebuilt = run(&corpus, &full, Rebuild::Full);
    assert_eq!(rebuilt.full_rebuild.as_deref(), Some("--full"));
    assert_eq!(rebuilt.records_total, update.records_total);
    assert_eq!(all_records(&index), all_records(&full));
    // Only the new generation is left.
    let generations: Vec<_> = fs::read_dir(&index)
        .expect("index")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .collect();
    assert_eq!(generations.len(), 1);
}

#[test]
fn settled_files_keep_their_stamp_and_a_same_size_rewrite_is_still_read() {
    let (_work, corpus, index) = workspace();
    copy_corpus(&corpus);
    // Files changed in the last 2 s get no stamp; these have settled.
    std::thread::sleep(Duration::from_millis(2100));
    run(&corpus, &index, Rebuild::Changed);
    let generation = |index: &Path| fs::read_to_string(index.join("CURRENT")).expect("CURRENT");
    let stamped = || {
        let built = index.join(generation(&index).trim());
        let files = fs::read_to_string(built.join("files.json")).expect("files.json");
        files.matches("\"stamp\"").count()
    };
    assert_eq!(stamped(), 5);

    // A new modification time with the same bytes: nothing to read, the
    // generation stays, only the stamp is renewed (and not trusted yet).
    let first = generation(&index);
    let touched = fs::File::options()
        .write(true)
        .open(corpus.join(F003))
        .expect("open 003");
    touched
        .set_modified(std::time::SystemTime::now())
        .expect("touch 003");
    drop(touched);
    let after_touch = run(&corpus, &index, Rebuild::Changed);
    assert!(after_touch.up_to_date);
    assert_eq!(after_touch.files_read, 0);
    assert_eq!(generation(&index), first);
    assert_eq!(stamped(), 4);

    // Rewritten in place within the same second, with as many bytes: read again.
    let notice = fs::read_to_string(corpus.join(F004)).expect("004");
    let rewritten = notice.replacen("思想认识", "蓝莓种植", 1);
    assert_eq!((rewritten.len(), rewritten != notice), (notice.len(), true));
    fs::write(corpus.join(F004), rewritten).expect("rewrite 004");
    let update = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(update.changed, [F004]);
    let found: BTreeSet<String> = hit_files(&index, "蓝莓种植").into_iter().collect();
    assert_eq!(found, BTreeSet::from([F004.to_string()]));
}

#[test]
fn exact_duplicate_files_are_indexed_once_and_listed() {
    let (_work, corpus, index) = workspace();
    copy_corpus(&corpus);
    fs::copy(corpus.join(F003), corpus.join("简报副本.txt")).expect("copy");

    let report = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(report.documents_total, 5);
    assert_eq!(report.duplicates.len(), 1);
    assert_eq!(report.duplicates[0].file, "简报副本.txt");
    assert_eq!(report.duplicates[0].same_as, F003);
    // 埝对村 appears in 003 only: its hits come from the original alone.
    let files = hit_files(&index, "埝对村");
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| f == F003), "{files:?}");

    // The original goes: the copy takes its place.
    fs::remove_file(corpus.join(F003)).expect("remove");
    let report = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(report.added, ["简报副本.txt"]);
    assert_eq!(report.removed, [F003]);
    assert!(report.duplicates.is_empty());
    let files = hit_files(&index, "埝对村");
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| f == "简报副本.txt"), "{files:?}");
}

#[test]
fn a_changed_file_that_no_longer_reads_keeps_its_records() {
    let (_work, corpus, index) = workspace();
    copy_corpus(&corpus);
    run(&corpus, &index, Rebuild::Changed);
    // Binary garbage under the old name.
    fs::write(
        corpus.join(F003),
        [0u8, 159, 146, 150, 0, 0, 1, 2].repeat(100),
    )
    .expect("write");
    let report = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].rel_path, F003);
    assert!(report.changed.is_empty());
    assert_eq!(report.documents_total, 5);
    assert!(hit_files(&index, "埝对村").iter().all(|f| f == F003));
    assert!(!hit_files(&index, "埝对村").is_empty());
}

/// A corpus big enough that an ingest takes a while: the samples, each
/// copied `copies` times with a line that makes every copy distinct.
fn big_corpus(dir: &Path, copies: usize, marker: &str) {
    fs::create_dir_all(dir).expect("dir");
    for e in fs::read_dir(common::corpus()).expect("corpus") {
        let p = e.expect("entry").path();
        let text = fs::read_to_string(&p).expect("read");
        let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
        for n in 0..copies {
            fs::write(
                dir.join(format!("{stem}-{n:03}.txt")),
                format!(
                    "{text}\n备注：本文件为{marker}汇编第{n}份，供各市县乡村振兴部门参考使用。\n"
                ),
            )
            .expect("write");
        }
    }
}

fn search_json(index: &Path, query: &str) -> (i32, serde_json::Value, String) {
    let out = Command::new(common::bin())
        .args(["search", query, "--json", "--index"])
        .arg(index)
        .output()
        .expect("run govkb search");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn building_folders(index: &Path) -> Vec<PathBuf> {
    fs::read_dir(index)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".building"))
                .collect()
        })
        .unwrap_or_default()
}

/// Start `govkb ingest` and wait until it is writing a generation; `None`
/// when it finished before that (nothing to write).
fn ingest_child_writing(corpus: &Path, index: &Path) -> Option<Child> {
    let mut child = Command::new(common::bin())
        .args(["ingest", "-q"])
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ingest");
    let deadline = Instant::now() + Duration::from_secs(60);
    while building_folders(index).is_empty() {
        if child.try_wait().expect("wait").is_some() {
            return None;
        }
        assert!(
            Instant::now() < deadline,
            "the ingest never started writing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    Some(child)
}

/// Start `govkb ingest`, let it write for `after`, and SIGKILL it. Returns
/// whether it was still running.
fn kill_mid_ingest(corpus: &Path, index: &Path, after: Duration) -> bool {
    let Some(mut child) = ingest_child_writing(corpus, index) else {
        return false;
    };
    std::thread::sleep(after);
    let running = child.try_wait().expect("wait").is_none();
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    running
}

#[test]
fn an_ingest_killed_while_writing_leaves_the_previous_index_readable() {
    let (_work, corpus, index) = workspace();

    // Killed during the very first ingest: no index yet, a clear message.
    big_corpus(&corpus, 8, "初版");
    assert!(kill_mid_ingest(&corpus, &index, Duration::from_millis(150)));
    let (code, _, stderr) = search_json(&index, "积分制");
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("no index"), "{stderr}");

    let first = run(&corpus, &index, Rebuild::Changed);
    assert_eq!(first.documents_total, 40);
    assert!(building_folders(&index).is_empty());
    let (code, before, _) = search_json(&index, "初版");
    assert_eq!(code, 0);
    let total_before = before["total"].as_u64().expect("total");
    assert!(total_before >= 8);

    // Every file changes; the re-ingest is killed at several points while
    // it writes. Each time the index answers in full, as before the run (or,
    // if the run got to publish before the kill, as after it): never a mix.
    fs::remove_dir_all(&corpus).expect("clear");
    big_corpus(&corpus, 20, "修订版");
    let mut killed = 0;
    for ms in [0, 20, 60, 150, 350] {
        if kill_mid_ingest(&corpus, &index, Duration::from_millis(ms)) {
            killed += 1;
        }
        let (code, old, stderr) = search_json(&index, "初版");
        assert_eq!(code, 0, "after a kill at {ms} ms: {stderr}");
        let (_, revised, _) = search_json(&index, "修订版");
        let state = (old["total"].as_u64(), revised["total"].as_u64());
        assert!(
            state == (Some(total_before), Some(0))
                || state.0 == Some(0) && state.1 > Some(total_before),
            "after a kill at {ms} ms: {state:?}"
        );
    }
    assert!(
        killed >= 3,
        "only {killed} ingests were still running when killed"
    );

    // The next run completes the work and clears what the killed ones left.
    let done = run(&corpus, &index, Rebuild::Changed);
    assert!(done.failed.is_empty());
    assert_eq!(done.documents_total, 100);
    assert!(building_folders(&index).is_empty());
    let (_, revised, _) = search_json(&index, "修订版");
    assert_eq!(revised["total"].as_u64(), Some(total_before / 8 * 20));
    let (_, old, _) = search_json(&index, "初版");
    assert_eq!(old["total"], 0);
}

#[test]
fn a_second_ingest_at_the_same_time_is_refused() {
    let (_work, corpus, index) = workspace();
    big_corpus(&corpus, 6, "并发");
    let mut child = ingest_child_writing(&corpus, &index).expect("a running ingest");
    let second = ingest(
        &corpus,
        &index,
        Rebuild::Changed,
        &mut |_, _| {},
        &mut |_, _| {},
    );
    let message = second.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("another govkb ingest is writing"),
        "{message}"
    );
    assert!(child.wait().expect("wait").success());
    let kb = KnowledgeBase::open(&index).expect("open");
    assert_eq!(kb.manifest().documents, 30);
    let (code, json, _) = search_json(&index, "并发");
    assert_eq!(code, 0);
    assert!(json["total"].as_u64() >= Some(6));
}
