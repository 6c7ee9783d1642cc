//! The data model shared by every pipeline stage: a parsed [`Document`] with its
//! articles, section tree and passages. All spans are char offsets into
//! [`Document::clean_text`].

use serde::{Deserialize, Serialize};

/// What kind of document a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// 简报: a bulletin issue with several articles.
    Bulletin,
    /// 通知: a red-header notice, usually with an attached plan.
    Notice,
    /// 工作要点: annual work points issued on their own.
    WorkPoints,
    /// 方案: an implementation plan issued on its own.
    Plan,
    /// 期刊: a magazine issue.
    Magazine,
    /// Anything else.
    #[default]
    Other,
}

impl DocType {
    /// The stable lowercase name used in the index, JSON and CLI filters.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Bulletin => "bulletin",
            DocType::Notice => "notice",
            DocType::WorkPoints => "work_points",
            DocType::Plan => "plan",
            DocType::Magazine => "magazine",
            DocType::Other => "other",
        }
    }

    /// Parse a CLI/HTTP filter value; accepts the English names and the Chinese ones.
    pub fn parse(s: &str) -> Option<DocType> {
        Some(match s.trim() {
            "bulletin" | "简报" => DocType::Bulletin,
            "notice" | "通知" => DocType::Notice,
            "work_points" | "工作要点" => DocType::WorkPoints,
            "plan" | "方案" | "实施方案" => DocType::Plan,
            "magazine" | "期刊" => DocType::Magazine,
            "other" => DocType::Other,
            _ => return None,
        })
    }
}

/// Half-open char range `[start, end)` in a document's clean text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Span {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// Document-level metadata (GB/T 9704 版头/版记 or bulletin 报头/报尾).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DocMeta {
    /// Document kind.
    pub doc_type: DocType,
    /// Title (标题, bulletin or magazine name).
    pub title: String,
    /// 发文机关 or 编印单位; several issuers are joined with " / ".
    pub issuer: Option<String>,
    /// 发文字号, e.g. `美发〔2021〕7号`.
    pub doc_number: Option<String>,
    /// 成文日期 or issue date, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// 期号, e.g. `2023年第10期`.
    pub issue: Option<String>,
    /// 总期号, e.g. 32 for `总第32期`.
    pub total_issue: Option<u32>,
    /// 报/送/发 distribution lines, e.g. `报：省委…`.
    pub distribution: Vec<String>,
    /// 责任编辑.
    pub editor: Option<String>,
    /// 编者按 (editor's note) of a bulletin.
    pub editor_note: Option<String>,
    /// 主送机关 (addressees) of a notice.
    pub addressees: Option<String>,
    /// The jurisdiction that issued the document, e.g. `海口市美兰区`.
    pub jurisdiction: Option<String>,
    /// Text encoding the file was decoded from.
    pub encoding: String,
}

/// A heading in the section tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading level: 1 `一、`, 2 `（一）`, 3 `1.`, 4 `（1）`; Markdown headings map onto the same scale.
    pub level: u8,
    /// Heading text as it stands in the clean text.
    pub heading: String,
    /// Where the heading stands.
    pub span: Span,
    /// Sub-sections.
    pub children: Vec<Section>,
}

/// One retrievable passage: a paragraph under its section path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Index of the article this passage belongs to; `None` for document-level
    /// text such as a bulletin's 编者按.
    pub article: Option<usize>,
    /// Headings from the article down to this passage.
    pub section_path: Vec<String>,
    /// The passage's clean text.
    pub text: String,
    /// Where it stands in the clean text.
    pub span: Span,
}

/// One article of a bulletin or magazine (a notice has its body and its attachment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Article {
    /// Headline, multi-line headlines joined.
    pub title: String,
    /// Column (栏目) of a magazine, e.g. `基层党建`.
    pub column: Option<String>,
    /// Credit line or byline as written, e.g. `海口市医疗保障局、乡村振兴局提供`.
    pub credit: Option<String>,
    /// Most specific place the article is about.
    pub locality: Option<String>,
    /// That place's chain from the province down.
    pub locality_chain: Vec<String>,
    /// Section tree.
    pub sections: Vec<Section>,
    /// The article's extent in the clean text.
    pub span: Span,
}

/// A parsed file: metadata, clean text, articles and passages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: the file stem.
    pub id: String,
    /// Path relative to the corpus root, `/`-separated.
    pub file: String,
    /// Metadata.
    pub meta: DocMeta,
    /// The normalised text every span points into.
    pub clean_text: String,
    /// Articles in order.
    pub articles: Vec<Article>,
    /// Passages in order.
    pub passages: Vec<Passage>,
}

impl Document {
    /// Year of the document's date, if dated.
    pub fn year(&self) -> Option<u32> {
        self.meta.date.as_deref()?.get(..4)?.parse().ok()
    }
}
