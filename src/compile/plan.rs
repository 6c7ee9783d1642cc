//! Plan files: the header fields and the columns (栏目) of an issue with the
//! ids of their records, as TOML or JSON.
//!
//! ```toml
//! [header]
//! name = "海南乡村振兴简报"
//! issue = "2024年第1期"
//! total_issue = 33
//!
//! [[sections]]
//! title = "经验交流"
//! ids = ["003_cfe1f94d390e57b3#c1", "000_e37caf2969f00417#a2"]
//! ```

use std::path::Path;

use serde::{Deserialize, Deserializer};

use super::Header;
use crate::error::{Error, Result};

/// Header fields as given (flags or plan file); all optional until resolved.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeaderFields {
    /// Bulletin name (required by the time the draft is compiled).
    pub name: Option<String>,
    /// 期号, e.g. `2024年第1期`.
    pub issue: Option<String>,
    /// 总期号: `33` or `总第33期`.
    #[serde(deserialize_with = "number_or_text")]
    pub total_issue: Option<String>,
    /// 编印单位.
    pub unit: Option<String>,
    /// Date, ISO (`2024-01-15`) or as printed (`2024年1月15日`); default today.
    pub date: Option<String>,
    /// 编者按; each line is a paragraph.
    pub editor_note: Option<String>,
    /// 报： line.
    pub report_to: Option<String>,
    /// 送： line.
    pub send_to: Option<String>,
    /// 发： line.
    pub distribute_to: Option<String>,
    /// 责任编辑.
    pub editor: Option<String>,
}

/// `33` or `"总第33期"` as text.
fn number_or_text<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u64),
        Text(String),
    }
    Ok(Option::<NumOrText>::deserialize(d)?.map(|v| match v {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(t) => t,
    }))
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl HeaderFields {
    /// These fields, each replaced by `over`'s where that one is given.
    pub fn overridden_by(&self, over: &HeaderFields) -> HeaderFields {
        let pick = |a: &Option<String>, b: &Option<String>| given(b).or_else(|| given(a));
        HeaderFields {
            name: pick(&self.name, &over.name),
            issue: pick(&self.issue, &over.issue),
            total_issue: pick(&self.total_issue, &over.total_issue),
            unit: pick(&self.unit, &over.unit),
            date: pick(&self.date, &over.date),
            editor_note: pick(&self.editor_note, &over.editor_note),
            report_to: pick(&self.report_to, &over.report_to),
            send_to: pick(&self.send_to, &over.send_to),
            distribute_to: pick(&self.distribute_to, &over.distribute_to),
            editor: pick(&self.editor, &over.editor),
        }
    }

    /// The printable header: the name is required, the date defaults to
    /// today (China time), numbers get their Chinese frame.
    pub fn resolve(&self) -> Result<Header> {
        let name = given(&self.name).ok_or_else(|| {
            Error::Input(
                "the bulletin needs a name: --name 海南乡村振兴简报 (or `name` under [header] in the plan)"
                    .into(),
            )
        })?;
        let total_issue = given(&self.total_issue).map(|t| {
            if t.chars().all(|c| c.is_ascii_digit()) {
                format!("总第{t}期")
            } else {
                t
            }
        });
        let date = given(&self.date).map_or_else(|| chinese_date(&today()), |d| chinese_date(&d));
        let editor_note = given(&self.editor_note)
            .map(|n| {
                n.split('\n')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.trim_start_matches("编者按")
                            .trim_start_matches([':', '：', ' '])
                            .to_string()
                    })
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let distribution = [
            ("报", &self.report_to),
            ("送", &self.send_to),
            ("发", &self.distribute_to),
        ]
        .into_iter()
        .filter_map(|(label, v)| given(v).map(|v| (label.to_string(), v)))
        .collect();
        Ok(Header {
            name,
            issue: given(&self.issue),
            total_issue,
            unit: given(&self.unit),
            date,
            editor_note,
            distribution,
            editor: given(&self.editor),
        })
    }
}

/// One column (栏目) of a plan.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    /// Column name; none for an untitled run of articles.
    #[serde(default)]
    pub title: Option<String>,
    /// Case, article and passage ids in order.
    pub ids: Vec<String>,
}

/// A plan file: header fields and columns.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Header fields (flags given on the command line win).
    #[serde(default)]
    pub header: HeaderFields,
    /// Columns in order.
    #[serde(default, alias = "columns")]
    pub sections: Vec<PlanSection>,
}

impl Plan {
    /// Read a plan from a `.toml` or `.json` file (other names: JSON when
    /// the text starts with `{`, else TOML).
    pub fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Input(format!(
                "cannot read plan `{}`: {e}; give a TOML or JSON plan file",
                path.display()
            ))
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let json = ext == "json" || (ext != "toml" && text.trim_start().starts_with('{'));
        let bad = |what: &str, msg: String| {
            Error::Input(format!(
                "plan `{}` is not valid {what}: {msg}",
                path.display()
            ))
        };
        if json {
            serde_json::from_str(&text).map_err(|e| bad("JSON", e.to_string()))
        } else {
            Plan::from_toml(&text).map_err(|m| bad("TOML", m))
        }
    }

    /// Parse TOML; the error is one line naming the line number.
    pub fn from_toml(text: &str) -> std::result::Result<Plan, String> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().trim().replace('\n', " ");
            match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            }
        })
    }
}

/// `2024-01-15` (or `2024/1/15`, `2024.1.15`) → `2024年1月15日`; other text as given.
pub fn chinese_date(s: &str) -> String {
    let parts: Vec<&str> = s.trim().split(['-', '/', '.']).collect();
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    match nums.as_deref() {
        Some([y, m, d]) if parts.len() == 3 && (1..=12).contains(m) && (1..=31).contains(d) => {
            format!("{y}年{m}月{d}日")
        }
        _ => s.trim().to_string(),
    }
}

/// Today's date in China (UTC+8), ISO.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 8 * 3600;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(chinese_date("2024-01-15"), "2024年1月15日");
        assert_eq!(chinese_date("2024/1/5"), "2024年1月5日");
        assert_eq!(chinese_date("2024年1月15日"), "2024年1月15日");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_737), (2024, 1, 15));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn toml_plan_with_header_and_columns() {
        let p = Plan::from_toml(
            "[header]\nname = \"海南乡村振兴简报\"\ntotal_issue = 33\n\n[[sections]]\ntitle = \"经验交流\"\nids = [\"a#c1\", \"b#a2\"]\n",
        )
        .unwrap();
        assert_eq!(p.header.total_issue.as_deref(), Some("33"));
        assert_eq!(p.sections[0].ids, ["a#c1", "b#a2"]);
        let h = p.header.resolve().unwrap();
        assert_eq!(h.total_issue.as_deref(), Some("总第33期"));
        let err = Plan::from_toml("[header]\nnmae = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 2:") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn flags_override_plan_and_name_is_required() {
        let plan = HeaderFields {
            name: Some("甲".into()),
            editor: Some("王怡".into()),
            ..Default::default()
        };
        let flags = HeaderFields {
            name: Some("乙".into()),
            editor_note: Some("编者按：第一段。\n\n第二段。".into()),
            ..Default::default()
        };
        let h = plan.overridden_by(&flags).resolve().unwrap();
        assert_eq!(h.name, "乙");
        assert_eq!(h.editor.as_deref(), Some("王怡"));
        assert_eq!(h.editor_note, ["第一段。", "第二段。"]);
        assert!(HeaderFields::default().resolve().is_err());
    }
}
